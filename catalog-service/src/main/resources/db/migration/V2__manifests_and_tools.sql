-- Import results: the source's config and current manifest facts, every manifest version, every tool.
ALTER TABLE source
    ADD COLUMN config           JSONB NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN base_url         TEXT  NOT NULL DEFAULT '',
    ADD COLUMN declared_hosts   JSONB NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN manifest_version TEXT,
    ADD COLUMN warnings         JSONB NOT NULL DEFAULT '[]'::jsonb;

-- One row per manifest version a source went through (a refresh that changes nothing adds none).
CREATE TABLE manifest (
    source_id        UUID        NOT NULL REFERENCES source (id) ON DELETE CASCADE,
    version          TEXT        NOT NULL,
    previous_version TEXT,
    tool_count       INT         NOT NULL,
    added            INT         NOT NULL DEFAULT 0,
    changed          INT         NOT NULL DEFAULT 0,
    retired          INT         NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, version)
);

-- The current description of every tool a source ever had; retired tools stay (history, audit).
CREATE TABLE tool (
    source_id        UUID        NOT NULL REFERENCES source (id) ON DELETE CASCADE,
    name             TEXT        NOT NULL,
    description      TEXT        NOT NULL DEFAULT '',
    input_schema     JSONB       NOT NULL,
    output_schema    JSONB,
    output_name      TEXT        NOT NULL DEFAULT 'void',
    side_effect      TEXT        NOT NULL CHECK (side_effect IN ('read', 'write', 'destructive')),
    auth             JSONB       NOT NULL,
    labels           JSONB       NOT NULL DEFAULT '{}'::jsonb,
    binding          JSONB       NOT NULL,
    signature        TEXT        NOT NULL,
    content_hash     TEXT        NOT NULL,
    review_state     TEXT        NOT NULL CHECK (review_state IN ('accepted', 'unreviewed', 'retired')),
    manifest_version TEXT        NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, name)
);
CREATE INDEX tool_review_state ON tool (source_id, review_state);

-- Connections as announced on executor.connection.events; search expands tools into addresses with them.
CREATE TABLE connection (
    id         TEXT PRIMARY KEY,
    source     TEXT NOT NULL,
    source_id  TEXT,
    scope_kind TEXT NOT NULL,
    scope_id   TEXT NOT NULL,
    name       TEXT NOT NULL
);
CREATE INDEX connection_source ON connection (source);

-- Ids of consumed events, so redelivered events have no effect.
CREATE TABLE processed_event (
    event_id     TEXT PRIMARY KEY,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
