-- Policies attach a verdict to a source or connection record, optionally narrowed to tool globs.
CREATE TABLE policy (
    id            UUID PRIMARY KEY,
    scope         TEXT        NOT NULL,
    attached_kind TEXT        NOT NULL CHECK (attached_kind IN ('source', 'connection')),
    attached_id   TEXT        NOT NULL,
    tool_glob     TEXT,
    verdict       TEXT        NOT NULL CHECK (verdict IN ('allow', 'require_approval', 'block')),
    approval_mode TEXT,
    created_by    TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    version       BIGINT      NOT NULL DEFAULT 0
);
CREATE INDEX policy_attached_idx ON policy (attached_kind, attached_id);

-- Toolkits are pure curation: a named predicate over addresses, placed in a scope. No policy.
CREATE TABLE toolkit (
    id         UUID PRIMARY KEY,
    scope      TEXT        NOT NULL,
    name       TEXT        NOT NULL,
    predicate  JSONB       NOT NULL,
    created_by TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (scope, name)
);
