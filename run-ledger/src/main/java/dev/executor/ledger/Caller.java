package dev.executor.ledger;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Who is calling, as established from a verified token (REST) or from the {@code Principal} a
 * service passed along (gRPC). Never holds the token itself.
 *
 * @param subject   {@code sub}
 * @param username  {@code preferred_username}, for display and audit
 * @param clientId  {@code azp}
 * @param roles     realm roles
 * @param scopeIds  ids of the caller's scope chain: {@code executor_org}, each of
 *                  {@code executor_workspaces}, and the username (org:/workspace:/user:)
 * @param machine   true for an agent ({@code executor-agent} among the roles) or a
 *                  client-credentials / service-account token: never allowed to approve
 */
public record Caller(String subject, String username, String clientId, Set<String> roles, Set<String> scopeIds,
        boolean machine) {

    public static final String ADMIN = "executor-admin";
    public static final String APPROVER = "executor-approver";
    public static final String AGENT = "executor-agent";
    public static final String SERVICE = "executor-service";

    /** The scope ids of a chain built from the token's claims, outer to inner. */
    public static Set<String> scopeIds(String org, Iterable<String> workspaces, String username) {
        Set<String> ids = new LinkedHashSet<>();
        if (org != null && !org.isBlank()) {
            ids.add(org);
        }
        if (workspaces != null) {
            workspaces.forEach(w -> {
                if (w != null && !w.isBlank()) {
                    ids.add(w);
                }
            });
        }
        if (username != null && !username.isBlank()) {
            ids.add(username);
        }
        return ids;
    }

    /**
     * Conservative: any sign of a non-human caller counts. Agents, service roles, Keycloak
     * service-account users ({@code service-account-*}) and tokens carrying a {@code client_id}
     * claim (Keycloak's mark of a client-credentials grant) are machines.
     */
    public static boolean isMachine(Set<String> roles, String username, boolean clientCredentialsClaim) {
        return roles.contains(AGENT) || roles.contains(SERVICE) || clientCredentialsClaim
                || (username != null && username.startsWith("service-account-"));
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN);
    }

    public boolean isApprover() {
        return roles.contains(APPROVER);
    }

    /** What this caller may read: admins all, approvers their scopes and own runs, others their own runs. */
    public Visibility visibility() {
        if (isAdmin()) {
            return Visibility.everything(subject);
        }
        return new Visibility(false, subject, isApprover() ? scopeIds : Set.of());
    }
}
