package dev.executor.invoker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.executor.invoker.persistence.RunStore;
import dev.executor.invoker.service.Retention;
import dev.executor.invoker.support.FakeDownstreams;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The invoker's working tables stay bounded (defaults: finished Runs 7 days, idempotency keys 24
 * hours) without ever letting a retry start a Run that is still pending or running. Real PostgreSQL;
 * rows are written with backdated times, then one purge pass runs.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "invoker"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreams.class)
class RetentionTest {

    @Inject
    RunStore store;

    @Inject
    Retention retention;

    @Test
    void purgesFinishedRunsAndOldKeysButKeepsWhatARetryStillNeeds() {
        Instant now = Instant.now();
        // Given: a Run finished 8 days ago with its key
        UUID oldDone = run("SUCCEEDED", now.minus(Duration.ofDays(8)));
        key("old-done", oldDone, now.minus(Duration.ofDays(8)));
        // a Run waiting for approval since 8 days (its approval outlived the default ttl), with a 2-day-old key
        UUID oldPending = run("PENDING_APPROVAL", now.minus(Duration.ofDays(8)));
        key("old-pending", oldPending, now.minus(Duration.ofDays(2)));
        // a Run finished an hour ago whose key is 2 days old (a long call), and a key whose Run is already gone
        UUID recentDone = run("FAILED", now.minus(Duration.ofHours(1)));
        key("recent-done", recentDone, now.minus(Duration.ofDays(2)));
        key("orphan", UUID.randomUUID(), now.minus(Duration.ofDays(2)));
        // and a fresh key of a running call
        UUID running = run("RUNNING", now.minus(Duration.ofMinutes(1)));
        key("running", running, now.minus(Duration.ofMinutes(1)));

        // When one pass runs
        int[] deleted = retention.purge(now).await().atMost(Duration.ofSeconds(30));

        // Then the old finished Run and the keys past 24 h of finished or vanished Runs are gone
        assertFalse(runExists(oldDone));
        assertFalse(keyExists("old-done"));
        assertFalse(keyExists("recent-done"));
        assertFalse(keyExists("orphan"));
        assertTrue(deleted[0] >= 1 && deleted[1] >= 3, deleted[0] + " runs, " + deleted[1] + " keys");
        // and what a retry still needs stays: the pending and running Runs with their keys, the recent Run
        assertTrue(runExists(oldPending));
        assertTrue(keyExists("old-pending"));
        assertTrue(runExists(recentDone));
        assertTrue(runExists(running));
        assertTrue(keyExists("running"));
    }

    private UUID run(String status, Instant at) {
        UUID id = UUID.randomUUID();
        store.pool().preparedQuery("INSERT INTO run (id, status, address, principal, subject, context, side_effect, sequence, "
                + "created_at, updated_at) VALUES ($1, $2, 'retention.acme.work.tool', '\\x00'::bytea, 'sub-retention', '{}'::jsonb, "
                + "'READ', 1, $3, $3)").execute(Tuple.of(id, status, at.atOffset(ZoneOffset.UTC))).await().atMost(Duration.ofSeconds(10));
        return id;
    }

    private void key(String key, UUID runId, Instant at) {
        store.pool().preparedQuery("INSERT INTO idempotency_key (subject, key, run_id, created_at) VALUES ('sub-retention', $1, $2, $3)")
                .execute(Tuple.of(key, runId, at.atOffset(ZoneOffset.UTC))).await().atMost(Duration.ofSeconds(10));
    }

    private boolean runExists(UUID id) {
        return store.pool().preparedQuery("SELECT 1 FROM run WHERE id = $1").execute(Tuple.of(id)).await()
                .atMost(Duration.ofSeconds(10)).rowCount() == 1;
    }

    private boolean keyExists(String key) {
        return store.pool().preparedQuery("SELECT 1 FROM idempotency_key WHERE subject = 'sub-retention' AND key = $1")
                .execute(Tuple.of(key)).await().atMost(Duration.ofSeconds(10)).rowCount() == 1;
    }
}
