package dev.executor.invoker.service;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.executor.invoker.config.InvokerConfig;
import dev.executor.invoker.persistence.RunStore;
import dev.executor.invoker.persistence.SchemaMigrator;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the invoker's working tables bounded: every {@code invoker.retention.every}, on every
 * instance (the deletes are idempotent), finished Runs older than {@code invoker.retention.runs} and
 * idempotency keys older than {@code invoker.retention.idempotency-keys} go, a batch at a time. Keys
 * of Runs still pending or running are kept whatever their age.
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);

    private final RunStore store;
    private final SchemaMigrator schema;
    private final InvokerConfig config;

    public Retention(RunStore store, @Readiness SchemaMigrator schema, InvokerConfig config) {
        this.store = store;
        this.schema = schema;
        this.config = config;
    }

    @Scheduled(every = "${invoker.retention.every:1h}", delayed = "60s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduled() {
        if (!schema.isMigrated()) {
            return Uni.createFrom().voidItem();
        }
        return purge(Instant.now()).onFailure().invoke(e -> LOG.warnf("Retention purge failed (%s); will retry", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One pass as of {@code now}: returns {runs deleted, keys deleted}. */
    public Uni<int[]> purge(Instant now) {
        var r = config.retention();
        return store.purge(now.minus(r.runs()), now.minus(r.idempotencyKeys()), r.batch()).invoke(n -> {
            if (n[0] > 0 || n[1] > 0) {
                LOG.infof("Retention: deleted %d finished Runs and %d idempotency keys", n[0], n[1]);
            }
        });
    }
}
