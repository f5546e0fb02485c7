package dev.executor.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** Who may answer an approval through MCP elicitation: a person with the approver role, never a machine or an agent. */
class CallersTest {

    @Test
    void aPersonWithTheApproverRoleMayApprove() {
        assertTrue(Callers.humanApprover(identity(Map.of("preferred_username", "dana"), "executor-approver")));
    }

    @Test
    void aClientCredentialsTokenIsNeverAnApproverWhateverItsRoles() {
        // Keycloak marks service-account tokens with client_id (older versions: clientId)
        assertFalse(Callers.humanApprover(identity(Map.of("preferred_username", "dana", "client_id", "ci-bot"), "executor-approver")));
        assertFalse(Callers.humanApprover(identity(Map.of("preferred_username", "dana", "clientId", "ci-bot"), "executor-approver")));
        assertFalse(Callers.humanApprover(identity(Map.of("preferred_username", "service-account-ci"), "executor-approver")));
        assertFalse(Callers.humanApprover(identity(Map.of("preferred_username", "dana"), "executor-approver", "executor-service")));
    }

    @Test
    void anAgentOrAPersonWithoutTheRoleMayNotApprove() {
        assertFalse(Callers.humanApprover(identity(Map.of("preferred_username", "dana"), "executor-approver", "executor-agent")));
        assertFalse(Callers.humanApprover(identity(Map.of("preferred_username", "dana"), "executor-admin")));
    }

    @Test
    void customClaimsAreReadFromTheParsedToken() {
        SecurityIdentity id = identity(Map.of("preferred_username", "dana", "executor_toolkit", "triage"));
        assertEquals("triage", Callers.tokenToolkit(id));
        assertEquals("dana", Callers.str((org.eclipse.microprofile.jwt.JsonWebToken) id.getPrincipal(), "preferred_username"));
    }

    private static SecurityIdentity identity(Map<String, Object> claims, String... roles) {
        JwtClaims jwt = new JwtClaims();
        jwt.setSubject("subject-1");
        claims.forEach(jwt::setClaim);
        return QuarkusSecurityIdentity.builder().setPrincipal(new OidcJwtCallerPrincipal(jwt, null)).addRoles(Set.of(roles)).build();
    }
}
