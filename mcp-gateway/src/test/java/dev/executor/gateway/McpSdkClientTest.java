package dev.executor.gateway;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.executor.launcher.infra.KeycloakServer;
import dev.executor.testsupport.KeycloakResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * The gateway driven by a real MCP client: the official TypeScript SDK ({@link NodeMcpClient}),
 * with real Keycloak tokens, against the fake downstream services.
 */
@QuarkusTest
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreamsResource.class)
class McpSdkClientTest {

    @TestHTTPResource("/mcp")
    URI mcp;

    @Test
    void aRealMcpClientSearchesDescribesAndExecutes() {
        // Given an agent's token
        String agent = KeycloakResource.tokens().agent();

        // When the SDK client runs search -> describe -> execute
        JsonObject out = NodeMcpClient.run("flow", mcp.toString(), agent, Map.of());

        // Then
        assertTrue(out.getBoolean("ok"), out.encodePrettily());
        assertEquals(List.of("search", "describe", "execute", "run_status"), out.getJsonArray("tools").getList());
        assertThat(out.getString("searchDescription"), containsString("github: 12"));
        JsonObject execute = out.getJsonObject("execute");
        assertEquals("Rex", execute.getJsonObject("structuredContent").getString("name"));
        assertThat(JsonRpc.text(out.getJsonObject("describe")).getString("signature"), containsString("get_pet("));
    }

    @Test
    void aHumanApproverAnswersAnApprovalThroughElicitationAndGetsTheResult() {
        // Given a person with executor-approver, whose client declares elicitation
        String approver = KeycloakResource.tokens().approver();

        // When they execute a tool that needs approval and accept the elicitation
        JsonObject out = NodeMcpClient.run("approve", mcp.toString(), approver, Map.of());

        // Then they were asked once, about that tool
        assertTrue(out.getBoolean("ok"), out.encodePrettily());
        assertEquals(1, out.getJsonArray("elicitations").size(), out.encodePrettily());
        assertThat(out.getJsonArray("elicitations").getJsonObject(0).getString("message"), containsString("delete_pet"));
        // and their decision was recorded in the ledger with their own token
        String runId = FakeDownstreams.runs.values().stream()
                .filter(r -> r.getAddress().endsWith("delete_pet") && r.getPrincipalChain(0).getUsername().equals("approver"))
                .findFirst().orElseThrow().getId();
        Object subject = KeycloakServer.claims(approver).get("sub");
        assertThat(FakeDownstreams.decisions, hasItem(runId + " approve " + subject));
        // and the call returned the run's output once approved
        JsonObject execute = out.getJsonObject("execute");
        assertFalse(execute.getBoolean("isError", false), execute.encodePrettily());
        assertEquals(3, JsonRpc.text(execute).getInteger("deleted"));
    }

    @Test
    void anApproverWhoDeclinesTheElicitationLeavesTheRunPendingAndUndecided() {
        // Given a person with executor-approver whose client declines elicitations
        String approver = KeycloakResource.tokens().approver();
        int decisions = FakeDownstreams.decisions.size();

        // When
        JsonObject out = NodeMcpClient.run("approve", mcp.toString(), approver, Map.of("ANSWER", "decline"));

        // Then they were asked, nothing was recorded, and the run is reported pending
        assertTrue(out.getBoolean("ok"), out.encodePrettily());
        assertEquals(1, out.getJsonArray("elicitations").size());
        assertEquals(decisions, FakeDownstreams.decisions.size());
        JsonObject body = JsonRpc.text(out.getJsonObject("execute"));
        assertEquals("PENDING_APPROVAL", body.getString("status"));
        assertThat(body.getString("note"), containsString("did not decide"));
    }

    @Test
    void anAgentIsNeverAskedToApproveEvenIfItsClientSupportsElicitation() {
        // Given an agent whose client declares elicitation
        String agent = KeycloakResource.tokens().agent();

        // When it executes a tool that needs approval
        JsonObject out = NodeMcpClient.run("approve", mcp.toString(), agent, Map.of());

        // Then no elicitation happened and the call is reported pending
        assertTrue(out.getBoolean("ok"), out.encodePrettily());
        assertTrue(out.getJsonArray("elicitations").isEmpty());
        assertEquals("PENDING_APPROVAL", JsonRpc.text(out.getJsonObject("execute")).getString("status"));
    }

    @Test
    void aToolWhosePolicyWantsTheLedgerIsNotApprovedThroughElicitation() {
        // Given a person with executor-approver and a policy with approval mode LEDGER_ONLY
        String approver = KeycloakResource.tokens().approver();

        // When
        JsonObject out = NodeMcpClient.run("approve", mcp.toString(), approver, Map.of("TOOL", FakeDownstreams.PREFIX + "purge_pets"));

        // Then
        assertTrue(out.getBoolean("ok"), out.encodePrettily());
        assertTrue(out.getJsonArray("elicitations").isEmpty());
        JsonObject body = JsonRpc.text(out.getJsonObject("execute"));
        assertEquals("PENDING_APPROVAL", body.getString("status"));
        assertThat(body.getString("note"), containsString("run ledger"));
    }
}
