package dev.executor.policy.rest;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;

import dev.executor.contracts.events.PrincipalRef;

/** Who made an admin change, as recorded on records and events: subject and username, never the token. */
final class AdminPrincipal {

    private AdminPrincipal() {
    }

    static PrincipalRef of(JsonWebToken jwt, SecurityIdentity identity) {
        String username = jwt.getClaim("preferred_username");
        String clientId = jwt.getClaim("azp");
        return new PrincipalRef(jwt.getSubject(), username, clientId, identity.hasRole("executor-agent"));
    }
}
