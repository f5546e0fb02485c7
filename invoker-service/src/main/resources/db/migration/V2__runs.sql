-- The invoker's working state of every Run it owns: enough to answer a repeated (idempotent)
-- call, cancel, resume an approved Run, and recover Runs whose invoker died. run-ledger keeps the
-- full history; this table is the source of truth for transitions only.
CREATE TABLE run (
    id               UUID PRIMARY KEY,
    status           TEXT        NOT NULL,
    address          TEXT        NOT NULL,
    -- executor.common.v1.Principal, serialized: resuming an approved Run re-checks policy as its caller.
    principal        BYTEA       NOT NULL,
    subject          TEXT        NOT NULL,
    toolkit          TEXT,
    -- RunContext as JSON (address, manifest version, principal chain, surface, input hash, ...).
    context          JSONB       NOT NULL,
    side_effect      TEXT        NOT NULL,
    sequence         BIGINT      NOT NULL,
    -- Compact InvokeResponse for repeats: output (inline or handle), verdict, error.
    result           JSONB,
    -- Which invoker instance runs it, and until when its claim holds (lease recovery).
    owner            TEXT,
    lease_until      TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX run_lease_idx ON run (lease_until) WHERE status IN ('ADMITTED', 'RUNNING');

-- One Run per (caller, idempotency key). Replaces the V1 table, which nothing used yet.
DROP TABLE idempotency_key;
CREATE TABLE idempotency_key (
    subject    TEXT        NOT NULL,
    key        TEXT        NOT NULL,
    run_id     UUID        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, key)
);

-- Relayed rows are deleted by the relay; the index finds what is left after a crash.
ALTER TABLE outbox ADD COLUMN run_id UUID;
