-- The global policy version: bumped (row-locked) in the transaction of every policy or toolkit
-- change, so versions commit in order and survive restarts.
CREATE TABLE policy_version (
    id      SMALLINT PRIMARY KEY CHECK (id = 1),
    version BIGINT   NOT NULL
);
INSERT INTO policy_version (id, version) VALUES (1, 0);

-- Where sources and connections live, learnt from executor.catalog.events and
-- executor.connection.events. Visibility of an address is decided from these rows.
CREATE TABLE placement (
    record_kind TEXT        NOT NULL CHECK (record_kind IN ('source', 'connection')),
    record_id   TEXT        NOT NULL,
    scope       TEXT        NOT NULL,
    source_id   TEXT,
    source_name TEXT        NOT NULL,
    -- the connection's name; null for sources
    name        TEXT,
    -- the source's kind (openapi, graphql, mcp, cli, ...); null for connections
    source_kind TEXT,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (record_kind, record_id)
);

-- Event ids already applied, so redelivered events are no-ops (consumers are idempotent).
CREATE TABLE processed_event (
    event_id     TEXT PRIMARY KEY,
    topic        TEXT        NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Toolkit predicates are {"addresses": ["<address glob>", ...]}.
COMMENT ON COLUMN toolkit.predicate IS '{"addresses": [address globs]}; an address is in the toolkit when any glob matches';

-- The policy version at each toolkit's last change (policies already carry theirs).
ALTER TABLE toolkit ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
