package dev.executor.ledger.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.executor.ledger.Caller;
import dev.executor.ledger.Run;

/** Who may use the approvals API, case by case (DESIGN.md §3 rule 3: approvals are a human action). */
class CallerTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "agent only                        | executor-agent                          | claude      | false | refused",
        "agent that also holds approver    | executor-agent,executor-approver        | claude      | false | refused",
        "agent that also holds admin       | executor-agent,executor-admin,executor-approver | claude | false | refused",
        "service role                      | executor-service,executor-approver      | invoker     | false | refused",
        "keycloak service account user     | executor-approver                       | service-account-ci | false | refused",
        "client-credentials token          | executor-approver                       | ci          | true  | refused",
        "human without approver            | executor-admin                          | dana        | false | refused",
        "human with no role                |                                         | viewer      | false | refused",
        "human approver                    | executor-approver                       | olivia      | false | allowed",
        "human admin and approver          | executor-admin,executor-approver        | dev         | false | allowed",
    })
    void decidesWhoMayUseTheApprovalsApi(String name, String roles, String username, boolean clientCredentials,
            String expected) {
        // Given
        Set<String> roleSet = roles == null ? Set.of() : Set.of(roles.split(","));
        Caller caller = new Caller("sub-" + username, username, "cli", roleSet, Set.of("acme"),
                Caller.isMachine(roleSet, username, clientCredentials));

        // When
        String refusal = ApprovalResource.refusal(caller);

        // Then
        if (expected.equals("allowed")) {
            assertNull(refusal, name);
        } else {
            assertNotNull(refusal, name);
        }
    }

    @Test
    void buildsTheScopeChainFromOrgWorkspacesAndUsername() {
        assertEquals(List.of("acme", "payments", "ops", "olivia"),
                List.copyOf(Caller.scopeIds("acme", List.of("payments", "ops"), "olivia")));
        assertEquals(List.of("olivia"), List.copyOf(Caller.scopeIds(null, null, "olivia")));
    }

    @Test
    void letsAnAdminReadEverythingAndAnApproverOnlyTheirScopesAndOwnRuns() {
        // Given
        Run inAcme = run("acme", "someone");
        Run inGlobex = run("globex", "someone");
        Run ownInGlobex = run("globex", "sub-olivia");
        Caller admin = new Caller("sub-dev", "dev", null, Set.of(Caller.ADMIN), Set.of(), false);
        Caller approver = new Caller("sub-olivia", "olivia", null, Set.of(Caller.APPROVER), Set.of("acme", "olivia"), false);
        Caller plain = new Caller("sub-olivia", "olivia", null, Set.of(), Set.of("acme"), false);

        // Then
        assertTrue(admin.visibility().canRead(inGlobex));
        assertTrue(approver.visibility().canRead(inAcme));
        assertFalse(approver.visibility().canRead(inGlobex));
        assertTrue(approver.visibility().canRead(ownInGlobex));
        assertFalse(approver.visibility().canApprove(ownInGlobex));
        assertFalse(plain.visibility().canRead(inAcme));
        assertTrue(plain.visibility().canRead(ownInGlobex));
    }

    private static Run run(String scope, String subject) {
        Run r = new Run();
        r.scopeId = scope;
        r.principalSubject = subject;
        return r;
    }
}
