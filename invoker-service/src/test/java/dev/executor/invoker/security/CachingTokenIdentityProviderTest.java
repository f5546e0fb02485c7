package dev.executor.invoker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The verified-token cache in front of OIDC: what it serves, for how long, and that it never
 * widens what a token may do. The OIDC verifier is replaced by one that knows a fixed set of
 * tokens (their roles and expiry) and counts how often it is asked; time is a settable clock.
 */
class CachingTokenIdentityProviderTest {

    private static final long T0 = 1_800_000_000_000L;
    private static final AuthenticationRequestContext BLOCKING = new AuthenticationRequestContext() {
        @Override
        public Uni<SecurityIdentity> runBlocking(Supplier<SecurityIdentity> function) {
            return Uni.createFrom().item(function);
        }
    };

    /** Stands in for OIDC: a token verifies while the clock is before its exp. */
    static final class Verifier implements IdentityProvider<TokenAuthenticationRequest> {
        record Known(Set<String> roles, long expSeconds) {
        }

        final Map<String, Known> tokens = new HashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicLong clock;

        Verifier(AtomicLong clock) {
            this.clock = clock;
        }

        @Override
        public Class<TokenAuthenticationRequest> getRequestType() {
            return TokenAuthenticationRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
            calls.incrementAndGet();
            Known k = tokens.get(request.getToken().getToken());
            if (k == null || clock.get() >= k.expSeconds() * 1000) {
                return Uni.createFrom().failure(new AuthenticationFailedException("invalid or expired token"));
            }
            QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("svc"))
                    .addCredential(request.getToken()).addRoles(k.roles());
            if (k.expSeconds() > 0) {
                b.addAttribute("quarkus.identity.expire-time", k.expSeconds());
            }
            return Uni.createFrom().item(b.build());
        }
    }

    final AtomicLong clock = new AtomicLong(T0);
    final Verifier verifier = new Verifier(clock);

    private CachingTokenIdentityProvider provider(Duration ttl, int maxSize) {
        return new CachingTokenIdentityProvider(verifier, new VerifiedTokenCache(maxSize, ttl, clock::get), true);
    }

    private static SecurityIdentity authenticate(CachingTokenIdentityProvider p, String token) {
        return p.authenticate(new TokenAuthenticationRequest(new AccessTokenCredential(token)), BLOCKING).await().indefinitely();
    }

    @Test
    void servesAVerifiedTokenFromMemoryUntilItsExpiryThenVerifiesAgain() {
        // Given: a service token valid for five minutes, verified once
        verifier.tokens.put("svc.token.sig", new Verifier.Known(Set.of("executor-service"), T0 / 1000 + 300));
        CachingTokenIdentityProvider p = provider(Duration.ofHours(1), 16);
        authenticate(p, "svc.token.sig");

        // When: it comes again a minute later
        clock.addAndGet(60_000);
        SecurityIdentity again = authenticate(p, "svc.token.sig");

        // Then: answered from memory, same roles
        assertEquals(1, verifier.calls.get());
        assertTrue(again.hasRole("executor-service"));

        // When: it comes again at its exp
        clock.set(T0 + 300_000);

        // Then: not served from memory; OIDC is asked and refuses it
        assertThrows(AuthenticationFailedException.class, () -> authenticate(p, "svc.token.sig"));
        assertEquals(2, verifier.calls.get());
    }

    @Test
    void neverServesATokenLongerThanTheTtlEvenIfItLivesLonger() {
        // Given: a token valid for an hour, a 60 s ttl
        verifier.tokens.put("long.lived.token", new Verifier.Known(Set.of("executor-service"), T0 / 1000 + 3600));
        CachingTokenIdentityProvider p = provider(Duration.ofSeconds(60), 16);
        authenticate(p, "long.lived.token");

        // When
        clock.addAndGet(59_000);
        authenticate(p, "long.lived.token");
        clock.addAndGet(1_000);
        authenticate(p, "long.lived.token");

        // Then: the first reuse came from memory, the one at the ttl was verified again
        assertEquals(2, verifier.calls.get());
    }

    @Test
    void aTokenWithFewerRolesIsVerifiedOnItsOwnNotServedFromAnotherTokensEntry() {
        // Given: the same subject's service token is cached; its role is then revoked, so its next token carries only the agent role
        verifier.tokens.put("svc.with.service-role", new Verifier.Known(Set.of("executor-service"), T0 / 1000 + 300));
        verifier.tokens.put("svc.with.agent-role", new Verifier.Known(Set.of("executor-agent"), T0 / 1000 + 300));
        CachingTokenIdentityProvider p = provider(Duration.ofSeconds(60), 16);
        authenticate(p, "svc.with.service-role");

        // When
        SecurityIdentity narrowed = authenticate(p, "svc.with.agent-role");

        // Then
        assertEquals(2, verifier.calls.get());
        assertFalse(narrowed.hasRole("executor-service"));
        assertTrue(narrowed.hasRole("executor-agent"));
    }

    @Test
    void neverRemembersAFailedVerification() {
        // Given: a token OIDC refuses
        CachingTokenIdentityProvider p = provider(Duration.ofSeconds(60), 16);

        // When: it is presented twice
        assertThrows(AuthenticationFailedException.class, () -> authenticate(p, "forged.token.sig"));
        assertThrows(AuthenticationFailedException.class, () -> authenticate(p, "forged.token.sig"));

        // Then: verified both times, nothing kept
        assertEquals(2, verifier.calls.get());
        assertEquals(0, p.cache().size());
    }

    @Test
    void doesNotCacheATokenWithoutAnExpiry() {
        // Given
        verifier.tokens.put("no.exp.token", new Verifier.Known(Set.of("executor-service"), 0));
        clock.set(-1);
        CachingTokenIdentityProvider p = provider(Duration.ofSeconds(60), 16);

        // When
        authenticate(p, "no.exp.token");
        authenticate(p, "no.exp.token");

        // Then
        assertEquals(2, verifier.calls.get());
        assertEquals(0, p.cache().size());
    }

    @Test
    void staysWithinItsSizeBound() {
        // Given
        CachingTokenIdentityProvider p = provider(Duration.ofSeconds(60), 3);
        for (String t : List.of("a.a.a", "b.b.b", "c.c.c", "d.d.d", "e.e.e")) {
            verifier.tokens.put(t, new Verifier.Known(Set.of("executor-service"), T0 / 1000 + 300));
        }

        // When
        for (String t : List.of("a.a.a", "b.b.b", "c.c.c", "d.d.d", "e.e.e")) {
            authenticate(p, t);
        }

        // Then
        assertTrue(p.cache().size() <= 3);
    }

    @Test
    void verifiesEveryCallWhenDisabled() {
        // Given
        verifier.tokens.put("svc.token.sig", new Verifier.Known(Set.of("executor-service"), T0 / 1000 + 300));
        CachingTokenIdentityProvider p = new CachingTokenIdentityProvider(verifier,
                new VerifiedTokenCache(16, Duration.ofSeconds(60), clock::get), false);

        // When
        authenticate(p, "svc.token.sig");
        authenticate(p, "svc.token.sig");

        // Then
        assertEquals(2, verifier.calls.get());
    }

    @Test
    void keysEntriesByAHashNotByTheToken() {
        // Given
        String token = "header.payload.signature";

        // When
        String key = VerifiedTokenCache.key(token);

        // Then
        assertFalse(key.contains("payload"));
        assertEquals(44, key.length());
        assertTrue(new HashMap<>(Map.of(key, 1)).containsKey(VerifiedTokenCache.key(token)));
    }
}
