-- Run events are written here in the same transaction as the state change and relayed to Kafka,
-- so an accepted call's events are never lost (DESIGN §3 rule 5).
CREATE TABLE outbox (
    id           UUID PRIMARY KEY,
    topic        TEXT        NOT NULL,
    event_key    TEXT        NOT NULL,
    payload      JSONB       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at TIMESTAMPTZ
);
CREATE INDEX outbox_unpublished_idx ON outbox (created_at) WHERE published_at IS NULL;

-- One Run per (caller, idempotency key): a retried request returns the Run it already created.
CREATE TABLE idempotency_key (
    key        TEXT PRIMARY KEY,
    run_id     UUID        NOT NULL,
    principal  TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
