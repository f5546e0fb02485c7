package dev.executor.invoker.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.executor.common.v1.Principal;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.invoker.config.InvokerConfig;
import dev.executor.invoker.security.VerifiedTokenCache;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Verifies the bearer token an asynchronous request carries, exactly as a gRPC caller's is verified
 * (same OIDC tenant: signature against the realm keys, issuer, audience, expiry), and derives the
 * principal from it. Nothing in the request payload can name or widen the principal.
 */
@ApplicationScoped
public class TokenAuthenticator {

    /** Roles that may submit calls; any other token is refused. */
    static final Set<String> CALLER_ROLES = Set.of("executor-agent", "executor-service", "executor-admin");

    /** A verified caller: the principal and the actors of its token's {@code act} claims, nearest first. */
    public record Caller(Principal principal, List<PrincipalRef> actors) {
    }

    /** A token that cannot be used; the message says why, without the token. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final TenantIdentityProvider identities;
    private final VerifiedTokenCache verified;

    @Inject
    public TokenAuthenticator(TenantIdentityProvider identities, InvokerConfig config) {
        this(identities, config.tokenCache().enabled()
                ? new VerifiedTokenCache(config.tokenCache().maxSize(), config.tokenCache().ttl(), System::currentTimeMillis)
                : new VerifiedTokenCache(0, Duration.ZERO, System::currentTimeMillis));
    }

    TokenAuthenticator(TenantIdentityProvider identities, VerifiedTokenCache verified) {
        this.identities = identities;
        this.verified = verified;
    }

    public Uni<Caller> authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Uni.createFrom().failure(new Refused("The request carries no access token (header executor-authorization)."));
        }
        String token = authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : authorization.trim();
        // A team's service sends many requests with one token: verify its signature once (see VerifiedTokenCache).
        SecurityIdentity known = verified.get(token);
        if (known != null) {
            return Uni.createFrom().item(known).map(TokenAuthenticator::caller);
        }
        return identities.authenticate(new AccessTokenCredential(token))
                .invoke(identity -> verified.put(token, identity))
                .onFailure().transform(e -> new Refused("The request's access token is not valid (expired, not issued by this "
                        + "realm, or not meant for Executor)."))
                .map(TokenAuthenticator::caller);
    }

    static Caller caller(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw new Refused("The request's access token is not valid.");
        }
        Set<String> roles = identity.getRoles();
        if (roles.stream().noneMatch(CALLER_ROLES::contains)) {
            throw new Refused("The token's roles do not allow calling tools: it needs executor-agent, executor-service or "
                    + "executor-admin.");
        }
        Principal.Builder p = Principal.newBuilder().setSubject(nz(jwt.getSubject())).setUsername(text(jwt.getClaim("preferred_username")))
                .addAllRoles(roles.stream().sorted().toList()).setClientId(text(jwt.getClaim("azp")))
                .setAgent(roles.contains("executor-agent")).setOrg(text(jwt.getClaim("executor_org")));
        Object workspaces = jwt.getClaim("executor_workspaces");
        if (workspaces instanceof JsonArray array) {
            for (JsonValue v : array) {
                p.addWorkspaces(v instanceof JsonString s ? s.getString() : v.toString());
            }
        } else if (workspaces != null) {
            p.addWorkspaces(text(workspaces));
        }
        List<PrincipalRef> actors = new ArrayList<>();
        Object act = jwt.getClaim("act");
        for (int depth = 0; act instanceof JsonObject o && depth < 10; depth++) {
            actors.add(new PrincipalRef(o.getString("sub", null), null, o.getString("client_id", null), false));
            act = o.get("act");
        }
        return new Caller(p.build(), actors);
    }

    private static String text(Object claim) {
        if (claim == null) {
            return "";
        }
        return claim instanceof JsonString s ? s.getString() : claim.toString();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
