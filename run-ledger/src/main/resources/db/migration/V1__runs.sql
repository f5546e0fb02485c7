-- One row per Run, folded from executor.run.events; approvals and history are views over it.
CREATE TABLE run (
    id                UUID PRIMARY KEY,
    parent_run_id     UUID,
    address           TEXT        NOT NULL,
    manifest_version  TEXT,
    principal_subject TEXT        NOT NULL,
    principal_chain   JSONB       NOT NULL DEFAULT '[]'::jsonb,
    toolkit           TEXT,
    policy_version    BIGINT,
    verdict           TEXT,
    input_hash        TEXT,
    status            TEXT        NOT NULL CHECK (status IN ('requested', 'admitted', 'pending_approval', 'running',
                          'succeeded', 'failed', 'blocked', 'denied', 'cancelled', 'expired')),
    output            JSONB,
    output_handle     TEXT,
    error             JSONB,
    trace_id          TEXT,
    surface           TEXT,
    idempotency_key   TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_sequence     BIGINT      NOT NULL DEFAULT 0
);
CREATE INDEX run_created_at_idx ON run (created_at DESC);
CREATE INDEX run_pending_idx ON run (created_at) WHERE status = 'pending_approval';

-- Run events already applied, so redelivered events are ignored (consumers are idempotent on the event id).
CREATE TABLE processed_event (
    event_id     TEXT PRIMARY KEY,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
