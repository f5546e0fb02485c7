package dev.executor.gateway.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;

/**
 * A small map of values that expire after a TTL and can be emptied at once by an event
 * ({@link #invalidateAll()}). A value computed from downstream answers that were read before an
 * invalidation is never kept after it: {@link #get} only stores a value when no invalidation
 * happened while it was being computed, so a change announced on Kafka cannot be undone by a
 * request that was already in flight.
 *
 * @param <V> the cached value
 */
public final class TtlCache<V> {

    private record Entry<V>(V value, Instant until) {
    }

    private final int maxSize;
    private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    /** @param maxSize when this many entries are held, the next store empties the cache first */
    public TtlCache(int maxSize) {
        this.maxSize = maxSize;
    }

    /**
     * The unexpired value for {@code key}, else the one {@code load} produces, kept for {@code ttl}
     * (a failed load is not kept).
     */
    public Uni<V> get(String key, Duration ttl, Function<String, Uni<V>> load) {
        Instant now = Instant.now();
        Entry<V> hit = entries.get(key);
        if (hit != null && now.isBefore(hit.until())) {
            return Uni.createFrom().item(hit.value());
        }
        long seen = generation.get();
        return load.apply(key).invoke(value -> store(key, value, now.plus(ttl), seen));
    }

    private void store(String key, V value, Instant until, long seen) {
        if (value == null || generation.get() != seen) {
            return;
        }
        if (entries.size() >= maxSize) {
            entries.clear();
        }
        Entry<V> entry = new Entry<>(value, until);
        entries.put(key, entry);
        // an invalidation between the check above and the put: drop what was just stored
        if (generation.get() != seen) {
            entries.remove(key, entry);
        }
    }

    /** Forgets every value, including those being computed right now. */
    public void invalidateAll() {
        generation.incrementAndGet();
        entries.clear();
    }

    /** Entries held (expired ones included until overwritten). */
    public int size() {
        return entries.size();
    }
}
