package dev.executor.policy.service;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.executor.policy.config.PolicyConfig;
import dev.executor.policy.persistence.PolicyStateRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Holds the current {@link PolicyEngine}: an immutable in-memory snapshot of every policy, toolkit
 * and placement, so a decision never touches the database. The snapshot is rebuilt
 * <ul>
 *   <li>at start, retried every {@code policy.snapshot.retry-interval} until the database answers;</li>
 *   <li>after every change made through this replica, before the admin call answers (read your writes);</li>
 *   <li>when a policy event from another replica announces a newer version, and when a catalog or
 *       connection event moved a placement;</li>
 *   <li>every {@code policy.snapshot.refresh-interval} as a safety net.</li>
 * </ul>
 * Reloads may overlap; the one that <em>started</em> last wins, since it read the newest state.
 * Readiness ({@code Policy snapshot}, {@link SnapshotReadinessCheck}) is down until the first
 * snapshot is loaded.
 */
@ApplicationScoped
public class DecisionService {

    private static final Logger LOG = Logger.getLogger(DecisionService.class);

    private final PolicyStateRepository state;
    private final PolicyConfig config;
    private final Vertx vertx;
    private final AtomicReference<PolicyEngine> engine = new AtomicReference<>();
    private final AtomicLong tickets = new AtomicLong();
    private final AtomicLong applied = new AtomicLong(-1);
    private volatile long lastLoadNanos;
    private volatile boolean loading;
    private long timer = -1;

    public DecisionService(PolicyStateRepository state, PolicyConfig config, Vertx vertx) {
        this.state = state;
        this.config = config;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.snapshot().retryInterval().toMillis(), id -> {
            boolean due = engine.get() == null
                    || System.nanoTime() - lastLoadNanos >= config.snapshot().refreshInterval().toNanos();
            if (due && !loading) {
                loading = true;
                refresh().onTermination().invoke(() -> loading = false)
                        .subscribe().with(ok -> { }, e -> LOG.debugf("Policy snapshot not loaded yet: %s", e.getMessage()));
            }
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** The current snapshot. @throws SnapshotUnavailableException before the first load */
    public PolicyEngine current() {
        PolicyEngine current = engine.get();
        if (current == null) {
            throw new SnapshotUnavailableException();
        }
        return current;
    }

    /** The current snapshot, null before the first load. */
    public PolicyEngine currentOrNull() {
        return engine.get();
    }

    /** Whether a snapshot is loaded. */
    public boolean isLoaded() {
        return engine.get() != null;
    }

    /** Reloads the snapshot from the database; completes once it is in place. */
    public Uni<Void> refresh() {
        long ticket = tickets.incrementAndGet();
        return state.load().invoke(loaded -> {
            PolicyEngine next = PolicyEngine.build(loaded);
            synchronized (this) {
                if (ticket > applied.get()) {
                    applied.set(ticket);
                    PolicyEngine previous = engine.getAndSet(next);
                    lastLoadNanos = System.nanoTime();
                    if (previous == null || previous.version() != next.version()) {
                        LOG.infof("Policy snapshot at version %d (%d policies, %d toolkits, %d sources, %d connections)",
                                loaded.version(), loaded.policies().size(), loaded.toolkits().size(),
                                loaded.sources().size(), loaded.connections().size());
                    }
                }
            }
        }).replaceWithVoid();
    }

    /** Reloads when {@code version} is newer than the snapshot's (a change made by another replica). */
    public Uni<Void> refreshIfOlderThan(long version) {
        PolicyEngine current = engine.get();
        return current != null && current.version() >= version ? Uni.createFrom().voidItem() : refresh();
    }

    /** Readiness: down until the first snapshot is loaded. */
    @Readiness
    @ApplicationScoped
    public static class SnapshotReadinessCheck implements HealthCheck {

        private final DecisionService decisions;

        public SnapshotReadinessCheck(DecisionService decisions) {
            this.decisions = decisions;
        }

        @Override
        public HealthCheckResponse call() {
            PolicyEngine current = decisions.currentOrNull();
            var builder = HealthCheckResponse.named("Policy snapshot").status(current != null);
            return current == null ? builder.withData("state", "not loaded yet").build()
                    : builder.withData("policyVersion", current.version()).build();
        }
    }

    /** No snapshot is loaded yet: the database has not answered since the start. */
    public static final class SnapshotUnavailableException extends RuntimeException {
        SnapshotUnavailableException() {
            super("Policy decisions are not available yet: the policy store has not been loaded. Retry shortly.");
        }
    }
}
