-- Issue 7: the full Run (DESIGN.md §1), its timeline, approvals, an outbox for decisions and an
-- audit log of refusals. Parent run ids are opaque text (the invoker owns them).
ALTER TABLE run ALTER COLUMN parent_run_id TYPE TEXT;
-- The first event to arrive may be any of the run's (out of order): nothing but the id is known for sure.
ALTER TABLE run ALTER COLUMN address DROP NOT NULL;
ALTER TABLE run ALTER COLUMN principal_subject DROP NOT NULL;
ALTER TABLE run
    ADD COLUMN source              TEXT,
    ADD COLUMN scope_id            TEXT,
    ADD COLUMN output_size_bytes   BIGINT,
    ADD COLUMN attempts            INT,
    ADD COLUMN duration_ms         BIGINT,
    ADD COLUMN arguments           JSONB,
    ADD COLUMN admitted_at         TIMESTAMPTZ,
    ADD COLUMN started_at          TIMESTAMPTZ,
    ADD COLUMN finished_at         TIMESTAMPTZ,
    ADD COLUMN approval_expires_at TIMESTAMPTZ,
    ADD COLUMN reply_subject       TEXT;

-- created_at is the Run's first known occurrence (requested); updated_at its latest event.
DROP INDEX IF EXISTS run_created_at_idx;
DROP INDEX IF EXISTS run_pending_idx;
-- Keyset pagination is (created_at DESC, id DESC); every common filter has an index ending the same way.
CREATE INDEX run_created_idx   ON run (created_at DESC, id DESC);
CREATE INDEX run_principal_idx ON run (principal_subject, created_at DESC, id DESC);
CREATE INDEX run_scope_idx     ON run (scope_id, created_at DESC, id DESC);
CREATE INDEX run_address_idx   ON run (address, created_at DESC, id DESC);
CREATE INDEX run_source_idx    ON run (source, created_at DESC, id DESC);
CREATE INDEX run_status_idx    ON run (status, created_at DESC, id DESC);
-- Jobs: approval expiry and lease recovery scan only the small non-terminal part of the table.
CREATE INDEX run_pending_idx   ON run (approval_expires_at) WHERE status = 'pending_approval';
CREATE INDEX run_active_idx    ON run (updated_at) WHERE status IN ('requested', 'admitted', 'running');
CREATE INDEX run_finished_idx  ON run (finished_at) WHERE finished_at IS NOT NULL;

-- Every run event as received, ordered by its per-run sequence (not by arrival).
CREATE TABLE run_event (
    event_id    TEXT PRIMARY KEY,
    run_id      UUID        NOT NULL,
    sequence    BIGINT      NOT NULL,
    type        TEXT        NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    status      TEXT        NOT NULL,
    data        JSONB       NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX run_event_run_idx ON run_event (run_id, sequence);
CREATE INDEX processed_event_at_idx ON processed_event (processed_at);

-- Large outputs, addressed by handle (OutputRef.handle); readable by whoever can read the Run.
CREATE TABLE run_output (
    handle       TEXT PRIMARY KEY,
    run_id       UUID        NOT NULL,
    content_type TEXT        NOT NULL DEFAULT 'application/json',
    content      BYTEA       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX run_output_run_idx ON run_output (run_id);

-- One human decision per Run: the primary key makes a second decision a conflict (409).
CREATE TABLE approval (
    run_id            UUID PRIMARY KEY,
    outcome           TEXT        NOT NULL CHECK (outcome IN ('granted', 'denied', 'expired')),
    decided_by_sub    TEXT,
    decided_by_name   TEXT,
    decided_at        TIMESTAMPTZ NOT NULL,
    comment           TEXT
);

-- Decisions to publish on executor.approval.decisions, written in the decision's transaction.
CREATE TABLE outbox (
    event_id     TEXT PRIMARY KEY,
    topic        TEXT        NOT NULL,
    record_key   TEXT        NOT NULL,
    payload      TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at TIMESTAMPTZ
);
CREATE INDEX outbox_unpublished_idx ON outbox (created_at) WHERE published_at IS NULL;

-- Security-relevant actions and refusals (who, never the token).
CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    action     TEXT        NOT NULL,
    outcome    TEXT        NOT NULL,
    subject    TEXT,
    username   TEXT,
    client_id  TEXT,
    run_id     TEXT,
    detail     TEXT
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
