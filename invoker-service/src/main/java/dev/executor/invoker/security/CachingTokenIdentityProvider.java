package dev.executor.invoker.security;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;

import dev.executor.invoker.config.InvokerConfig;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.oidc.runtime.OidcIdentityProvider;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Verifies bearer tokens once, not on every call: placed in front of Quarkus OIDC's
 * {@link OidcIdentityProvider} (higher priority, same request type), it answers a token it has
 * already seen verified from the {@link VerifiedTokenCache} and hands every other token to OIDC
 * unchanged (signature, issuer, audience, expiry), remembering only successes. Quarkus' own
 * {@code quarkus.oidc.token-cache} caches introspection and UserInfo results only, not locally
 * verified JWTs, which is why this exists. Tokens are verified locally, never introspected, so a
 * Keycloak-side revocation was never seen before either; roles live in the token, so a token with
 * other roles is another key. {@code invoker.token-cache.ttl} bounds how long a token stays
 * accepted after its signing key was removed from the realm.
 *
 * <p>A hit returns a copy of the cached identity bound to the current request (its routing
 * context), then the usual augmentors and role checks run as for a fresh one.
 *
 * <p>An enabled alternative: Quarkus Security then uses this provider for bearer tokens (it is
 * not picked up otherwise next to OIDC's), and this one delegates to OIDC's.
 */
@ApplicationScoped
@Alternative
@Priority(1)
public class CachingTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private static final String AUTHENTICATION_REQUEST_CONTEXT = AuthenticationRequestContext.class.getName();

    private final IdentityProvider<TokenAuthenticationRequest> verifier;
    private final VerifiedTokenCache cache;
    private final boolean enabled;

    @Inject
    public CachingTokenIdentityProvider(OidcIdentityProvider oidc, InvokerConfig config) {
        this(oidc, new VerifiedTokenCache(config.tokenCache().maxSize(), config.tokenCache().ttl(), System::currentTimeMillis),
                config.tokenCache().enabled());
    }

    CachingTokenIdentityProvider(IdentityProvider<TokenAuthenticationRequest> verifier, VerifiedTokenCache cache, boolean enabled) {
        this.verifier = verifier;
        this.cache = cache;
        this.enabled = enabled;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (!enabled || !(request.getToken() instanceof AccessTokenCredential) || request.getToken() instanceof IdTokenCredential) {
            return verifier.authenticate(request, context);
        }
        String token = request.getToken().getToken();
        SecurityIdentity hit = cache.get(token);
        if (hit != null) {
            return Uni.createFrom().item(boundTo(hit, HttpSecurityUtils.getRoutingContextAttribute(request)));
        }
        return verifier.authenticate(request, context).invoke(identity -> cache.put(token, identity));
    }

    /** The cached identity with this request's routing context in place of the one it was verified on. */
    static SecurityIdentity boundTo(SecurityIdentity cached, RoutingContext current) {
        if (cached.getAttribute(RoutingContext.class.getName()) == null && current == null) {
            return cached;
        }
        QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder(cached);
        b.addAttribute(RoutingContext.class.getName(), current);
        b.addAttribute(AUTHENTICATION_REQUEST_CONTEXT, current == null ? null : current.get(AUTHENTICATION_REQUEST_CONTEXT));
        return b.build();
    }

    /** The cache (tests). */
    public VerifiedTokenCache cache() {
        return cache;
    }
}
