package dev.executor.policy.persistence;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Applies the Flyway migrations in the background until they succeed.
 *
 * <p>Migrating at start would make the pod crash-loop while PostgreSQL is unreachable; instead the
 * service starts, reports not-ready, keeps retrying with capped back-off, and becomes ready once
 * the schema is in place.
 */
@Readiness
@ApplicationScoped
public class SchemaMigrator implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(SchemaMigrator.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final Flyway flyway;
    private final AtomicReference<String> state = new AtomicReference<>("pending");
    private volatile boolean migrated;
    private volatile boolean stopping;

    @Inject
    public SchemaMigrator(Flyway flyway) {
        this.flyway = flyway;
    }

    void onStart(@Observes StartupEvent event) {
        Thread.ofVirtual().name("schema-migrator").start(this::migrateUntilDone);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    private void migrateUntilDone() {
        Duration backoff = Duration.ofMillis(200);
        while (!stopping && !migrated) {
            try {
                var result = flyway.migrate();
                state.set("at version " + flyway.info().current().getVersion());
                migrated = true;
                LOG.infof("Schema ready: %d migration(s) applied, %s", result.migrationsExecuted, state.get());
            } catch (RuntimeException e) {
                state.set("database unreachable or migration failed: " + rootMessage(e));
                LOG.warnf("Schema migration not done yet (%s); retrying in %d ms", rootMessage(e), backoff.toMillis());
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    public boolean isMigrated() {
        return migrated;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Database schema").status(migrated).withData("state", state.get()).build();
    }
}
