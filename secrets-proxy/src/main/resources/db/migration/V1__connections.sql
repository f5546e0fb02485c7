-- Connections: one credential for one source, placed in one scope. secret_refs holds SecretRefs
-- (env://, file://, k8s://, vault://) per credential slot, never secret values.
CREATE TABLE connection (
    id          UUID PRIMARY KEY,
    scope       TEXT        NOT NULL,
    source      TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    auth_kind   TEXT        NOT NULL,
    secret_refs JSONB       NOT NULL DEFAULT '{}'::jsonb,
    hosts       TEXT[]      NOT NULL DEFAULT '{}',
    created_by  TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (scope, source, name)
);
