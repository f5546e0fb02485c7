package dev.executor.launcher.infra;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds or a deadline passes. Used only to wait for a server to be
 * ready; tests use Awaitility.
 */
final class Deadline {

    private Deadline() {
    }

    /**
     * Calls {@code probe} every {@code interval} until it returns a non-null value, which is
     * returned. Exceptions thrown by the probe count as "not yet". On timeout throws
     * {@link IllegalStateException} with {@code failure}'s message and the last probe error.
     */
    static <T> T await(Duration timeout, Duration interval, Callable<T> probe, Supplier<String> failure) {
        long end = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                T value = probe.call();
                if (value != null) {
                    return value;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted: " + failure.get(), e);
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - end > 0) {
                throw new IllegalStateException(failure.get() + " (waited " + timeout.toSeconds() + " s)", last);
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted: " + failure.get(), e);
            }
        }
    }
}
