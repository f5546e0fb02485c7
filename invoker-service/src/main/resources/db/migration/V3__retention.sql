-- Retention (service/Retention): finished Runs and old idempotency keys are purged in batches.
CREATE INDEX run_finished_idx ON run (updated_at)
    WHERE status IN ('SUCCEEDED', 'FAILED', 'BLOCKED', 'DENIED', 'CANCELLED', 'EXPIRED');
CREATE INDEX idempotency_key_created_idx ON idempotency_key (created_at);
