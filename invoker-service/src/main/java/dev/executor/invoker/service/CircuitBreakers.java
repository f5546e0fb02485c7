package dev.executor.invoker.service;

import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.config.InvokerConfig;
import dev.executor.invoker.lane.LaneException;

/**
 * One circuit per source: after {@code invoker.breaker.failure-threshold} consecutive upstream
 * failures (unreachable, 5xx, timeouts) calls to that source fail fast with {@code UNAVAILABLE} for
 * {@code invoker.breaker.open-for}; then one call is let through, and its success closes the circuit.
 * Refusals (4xx, egress denied, invalid arguments) do not count: the source is up.
 */
@ApplicationScoped
public class CircuitBreakers {

    private static final class Circuit {
        int failures;
        long openUntilNanos;
        boolean probing;
    }

    private final ConcurrentHashMap<String, Circuit> circuits = new ConcurrentHashMap<>();
    private final int threshold;
    private final long openNanos;

    public CircuitBreakers(InvokerConfig config) {
        this.threshold = config.breaker().failureThreshold();
        this.openNanos = config.breaker().openFor().toNanos();
    }

    /** Throws when the source's circuit is open; otherwise the call may go ahead. */
    public void admit(String source, String sourceName) {
        Circuit c = circuits.get(source);
        if (c == null) {
            return;
        }
        synchronized (c) {
            if (c.failures < threshold) {
                return;
            }
            long now = System.nanoTime();
            if (now - c.openUntilNanos < 0 || c.probing) {
                long seconds = Math.max(1, (c.openUntilNanos - now) / 1_000_000_000L);
                throw new LaneException(ErrorReasons.UNAVAILABLE, "Source " + sourceName + " failed " + c.failures
                        + " times in a row; calls to it are paused for about " + seconds + " s.");
            }
            c.probing = true;
        }
    }

    public void succeeded(String source) {
        Circuit c = circuits.get(source);
        if (c != null) {
            synchronized (c) {
                c.failures = 0;
                c.probing = false;
            }
        }
    }

    /** Records an upstream failure; only failures that say the source is down count. */
    public void failed(String source, Throwable failure) {
        if (!(failure instanceof LaneException e) || !(e.retryable() || ErrorReasons.UPSTREAM_TIMEOUT.equals(e.reason()))) {
            return;
        }
        Circuit c = circuits.computeIfAbsent(source, k -> new Circuit());
        synchronized (c) {
            c.failures++;
            c.probing = false;
            if (c.failures >= threshold) {
                c.openUntilNanos = System.nanoTime() + openNanos;
            }
        }
    }
}
