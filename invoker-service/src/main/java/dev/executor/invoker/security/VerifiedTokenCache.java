package dev.executor.invoker.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Security identities of bearer tokens whose signature and claims were already verified, keyed by
 * the SHA-256 of the raw token (the token itself is never a key and never logged). An entry is
 * served only while {@code now < min(token exp, cached at + ttl)}: never past the token's own
 * expiry (no grace), and never longer than {@code ttl} after a key rotation. Only successful
 * verifications are stored; a token without {@code exp} is not stored. The identity is tied to
 * the exact token string it was verified from (compared again on every hit), so a cached entry can
 * never stand for another token: a different token (other roles, other signature, other claims)
 * is a miss and gets verified in full. Bounded by {@code maxSize}: expired entries go first, then
 * arbitrary ones. Thread-safe; nothing blocks.
 */
public final class VerifiedTokenCache {

    private record Entry(SecurityIdentity identity, byte[] token, long expiresAtMillis) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final int maxSize;
    private final long ttlMillis;
    private final LongSupplier clockMillis;

    public VerifiedTokenCache(int maxSize, Duration ttl, LongSupplier clockMillis) {
        this.maxSize = maxSize;
        this.ttlMillis = ttl.toMillis();
        this.clockMillis = clockMillis;
    }

    /** The identity verified from exactly this token, or null (unknown, expired or past the ttl). */
    public SecurityIdentity get(String rawToken) {
        if (maxSize <= 0 || ttlMillis <= 0) {
            return null;
        }
        String key = key(rawToken);
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (clockMillis.getAsLong() >= e.expiresAtMillis()) {
            entries.remove(key, e);
            return null;
        }
        // Defence in depth against a hash collision: the entry must be for this very token.
        if (!MessageDigest.isEqual(e.token(), rawToken.getBytes(StandardCharsets.US_ASCII))) {
            return null;
        }
        return e.identity();
    }

    /** Remembers a successfully verified identity for {@code rawToken} (no-op without an expiry). */
    public void put(String rawToken, SecurityIdentity identity) {
        if (maxSize <= 0 || ttlMillis <= 0 || identity == null || identity.isAnonymous()) {
            return;
        }
        long exp = expiryMillis(identity);
        long now = clockMillis.getAsLong();
        if (exp <= 0 || exp <= now) {
            return;
        }
        if (!tokenOf(identity, rawToken)) {
            return;
        }
        if (entries.size() >= maxSize) {
            evict(now);
        }
        entries.put(key(rawToken), new Entry(identity, rawToken.getBytes(StandardCharsets.US_ASCII), Math.min(exp, now + ttlMillis)));
    }

    /** Number of entries (expired ones included until they are looked up or evicted). */
    public int size() {
        return entries.size();
    }

    private void evict(long now) {
        entries.values().removeIf(e -> now >= e.expiresAtMillis());
        Iterator<String> keys = entries.keySet().iterator();
        while (entries.size() >= maxSize && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }

    /** The token's {@code exp} in epoch millis, or 0 when it has none. */
    private static long expiryMillis(SecurityIdentity identity) {
        if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() > 0) {
            return jwt.getExpirationTime() * 1000;
        }
        Object exp = identity.getAttribute("quarkus.identity.expire-time");
        return exp instanceof Number n && n.longValue() > 0 ? n.longValue() * 1000 : 0;
    }

    /** Whether the identity was built from this token (its credential carries the same string). */
    private static boolean tokenOf(SecurityIdentity identity, String rawToken) {
        for (var c : identity.getCredentials()) {
            if (c instanceof TokenCredential t && rawToken.equals(t.getToken())) {
                return true;
            }
        }
        return false;
    }

    static String key(String rawToken) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(rawToken.getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
