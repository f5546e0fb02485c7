package dev.executor.gateway.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.executor.common.v1.Principal;
import dev.executor.common.v1.Scope;
import dev.executor.gateway.Caller;
import dev.executor.gateway.config.GatewayConfig;
import dev.executor.gateway.client.PolicyClient;
import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Builds the {@link Caller} of a request from its verified token: subject, {@code preferred_username},
 * realm roles, {@code azp}, {@code agent} (role {@code executor-agent}), {@code executor_org},
 * {@code executor_workspaces}; the scope chain comes from {@code PolicyService.ResolveScopes}
 * (the one place that derives it), reused for a short while per distinct claim set.
 */
@ApplicationScoped
public class Callers {

    public static final String AGENT = "executor-agent";
    public static final String APPROVER = "executor-approver";
    /** Optional token claim narrowing every request of the token to one toolkit. */
    public static final String TOOLKIT_CLAIM = "executor_toolkit";

    private final PolicyClient policy;
    private final GatewayConfig config;
    private final Map<String, CachedChain> chains = new ConcurrentHashMap<>();

    public Callers(PolicyClient policy, GatewayConfig config) {
        this.policy = policy;
        this.config = config;
    }

    private record CachedChain(List<Scope> scopes, Instant until) {
    }

    /** The identity's principal without its scope chain (no call made). */
    public static Principal identity(SecurityIdentity identity) {
        JsonWebToken jwt = (JsonWebToken) identity.getPrincipal();
        Set<String> roles = identity.getRoles();
        Principal.Builder p = Principal.newBuilder()
                .setSubject(nz(jwt.getSubject()))
                .setUsername(nz(str(jwt, "preferred_username")))
                .addAllRoles(roles.stream().sorted().toList())
                .setClientId(nz(str(jwt, "azp")))
                .setAgent(roles.contains(AGENT))
                .setOrg(nz(str(jwt, "executor_org")))
                .addAllWorkspaces(strings(claim(jwt, "executor_workspaces")));
        return p.build();
    }

    /** Whether the token is a person's (not a client-credentials / service-account token) with the approver role. */
    public static boolean humanApprover(SecurityIdentity identity) {
        JsonWebToken jwt = (JsonWebToken) identity.getPrincipal();
        Set<String> roles = identity.getRoles();
        String username = str(jwt, "preferred_username");
        boolean machine = claim(jwt, "client_id") != null || claim(jwt, "clientId") != null
                || (username != null && username.startsWith("service-account-")) || roles.contains("executor-service");
        return roles.contains(APPROVER) && !roles.contains(AGENT) && !machine;
    }

    /** The toolkit the token itself is narrowed to, or null. */
    public static String tokenToolkit(SecurityIdentity identity) {
        return identity.getPrincipal() instanceof JsonWebToken jwt ? str(jwt, TOOLKIT_CLAIM) : null;
    }

    public Uni<Caller> caller(SecurityIdentity identity, String toolkit, boolean direct) {
        Principal base = identity(identity);
        String bearer = ((JsonWebToken) identity.getPrincipal()).getRawToken();
        boolean approver = humanApprover(identity);
        return chain(base).map(chain -> new Caller(base.toBuilder().addAllScopeChain(chain).build(),
                toolkit == null ? "" : toolkit, direct, approver, bearer));
    }

    private Uni<List<Scope>> chain(Principal base) {
        String key = base.getOrg() + "|" + String.join(",", base.getWorkspacesList()) + "|" + base.getUsername();
        CachedChain hit = chains.get(key);
        Instant now = Instant.now();
        if (hit != null && now.isBefore(hit.until())) {
            return Uni.createFrom().item(hit.scopes());
        }
        return policy.resolveScopes(base).invoke(scopes -> {
            if (chains.size() > 10_000) {
                chains.clear();
            }
            chains.put(key, new CachedChain(scopes, now.plus(config.catalog().scopesTtl())));
        });
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    static String str(JsonWebToken jwt, String claim) {
        Object value = claim(jwt, claim);
        return value == null ? null : unquote(String.valueOf(value));
    }

    /**
     * A claim's value, read from the parsed claims when Quarkus OIDC built the principal: smallrye-jwt's
     * {@code getClaim} throws and catches an exception for every non-standard claim name, which was a
     * visible share of the gateway's CPU per request.
     */
    private static Object claim(JsonWebToken jwt, String name) {
        return jwt instanceof OidcJwtCallerPrincipal oidc ? oidc.getClaims().getClaimValue(name) : jwt.getClaim(name);
    }

    private static List<String> strings(Object claim) {
        List<String> out = new ArrayList<>();
        if (claim instanceof Collection<?> c) {
            c.forEach(v -> out.add(unquote(String.valueOf(v))));
        } else if (claim != null) {
            out.add(unquote(claim.toString()));
        }
        return out;
    }

    /** JSON-P string values print with their quotes. */
    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
