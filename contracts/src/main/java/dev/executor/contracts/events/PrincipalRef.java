package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Who did something, without roles or tokens.
 *
 * @param subject  token subject ({@code sub})
 * @param username human-readable name, for display only
 * @param clientId OAuth client the token was issued to ({@code azp}); null when not relevant
 * @param agent    whether the principal is an agent (holds {@code executor-agent})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PrincipalRef(String subject, String username, String clientId, boolean agent) {

    /** A human, as recorded for admin actions and approvals. */
    public static PrincipalRef human(String subject, String username) {
        return new PrincipalRef(subject, username, null, false);
    }
}
