package dev.executor.ledger.rest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.executor.ledger.Caller;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Derives the {@link Caller} from the verified token: subject, username, client, roles and the
 * scope chain {@code org:<executor_org>}, {@code workspace:<each executor_workspaces>},
 * {@code user:<preferred_username>}.
 */
@ApplicationScoped
public class Callers {

    public Caller of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw new io.quarkus.security.UnauthorizedException();
        }
        Set<String> roles = Set.copyOf(identity.getRoles());
        String username = str(jwt, "preferred_username");
        boolean clientCredentials = jwt.containsClaim("client_id") || jwt.containsClaim("clientId");
        return new Caller(jwt.getSubject(), username, str(jwt, "azp"), roles,
                Caller.scopeIds(str(jwt, "executor_org"), strings(jwt.getClaim("executor_workspaces")), username),
                Caller.isMachine(roles, username, clientCredentials));
    }

    private static String str(JsonWebToken jwt, String claim) {
        Object value = jwt.getClaim(claim);
        return value == null ? null : unquote(String.valueOf(value));
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
