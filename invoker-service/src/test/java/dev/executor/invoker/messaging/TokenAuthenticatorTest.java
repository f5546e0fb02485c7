package dev.executor.invoker.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

import dev.executor.invoker.security.VerifiedTokenCache;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.mutiny.Uni;

/**
 * The Kafka path verifies a request's token once per token, not once per request: a team's service
 * sends thousands of requests with one token. OIDC is replaced by a verifier that knows two tokens
 * and counts how often it is asked.
 */
class TokenAuthenticatorTest {

    final AtomicInteger verifications = new AtomicInteger();
    final Map<String, String> roles = Map.of("team.token.sig", "executor-service", "other.token.sig", "executor-agent");

    final TenantIdentityProvider oidc = new TenantIdentityProvider() {
        @Override
        public Uni<SecurityIdentity> authenticate(AccessTokenCredential token) {
            verifications.incrementAndGet();
            String role = roles.get(token.getToken());
            if (role == null) {
                return Uni.createFrom().failure(new AuthenticationFailedException("bad signature"));
            }
            JwtClaims claims = new JwtClaims();
            claims.setSubject("sub-" + role);
            claims.setClaim("azp", "team-service");
            claims.setExpirationTime(NumericDate.fromSeconds(System.currentTimeMillis() / 1000 + 300));
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder().setPrincipal(new DefaultJWTCallerPrincipal(claims))
                    .addRole(role).addCredential(token).build());
        }
    };

    TokenAuthenticator authenticator = new TokenAuthenticator(oidc,
            new VerifiedTokenCache(16, Duration.ofSeconds(60), System::currentTimeMillis));

    @Test
    void verifiesEachTokenOnceAndStillDerivesThePrincipalFromIt() {
        // When one token comes with three requests, and another token with one
        var first = authenticator.authenticate("Bearer team.token.sig").await().indefinitely();
        authenticator.authenticate("Bearer team.token.sig").await().indefinitely();
        var third = authenticator.authenticate("Bearer team.token.sig").await().indefinitely();
        var other = authenticator.authenticate("Bearer other.token.sig").await().indefinitely();

        // Then each token was verified once, and each request's principal is its own token's
        assertEquals(2, verifications.get());
        assertEquals(first.principal(), third.principal());
        assertEquals("sub-executor-service", third.principal().getSubject());
        assertEquals("sub-executor-agent", other.principal().getSubject());
        assertEquals(true, other.principal().getAgent());
    }

    @Test
    void neverRemembersARefusedToken() {
        // When a forged token comes twice
        assertThrows(TokenAuthenticator.Refused.class, () -> authenticator.authenticate("Bearer forged.token.sig").await().indefinitely());
        assertThrows(TokenAuthenticator.Refused.class, () -> authenticator.authenticate("Bearer forged.token.sig").await().indefinitely());

        // Then it was verified (and refused) both times
        assertEquals(2, verifications.get());
    }
}
