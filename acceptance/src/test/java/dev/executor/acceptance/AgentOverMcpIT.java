package dev.executor.acceptance;

import static dev.executor.acceptance.McpAgent.call;
import static dev.executor.acceptance.McpAgent.text;
import static dev.executor.acceptance.Platform.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An agent uses the platform over MCP with the official TypeScript SDK client and an agent token
 * from Keycloak: search → describe → execute on the OpenAPI source; a blocked tool is neither found
 * nor executable; a toolkit endpoint cannot reach outside its toolkit; an approval-gated call
 * completes after a human approves it in the ledger.
 */
class AgentOverMcpIT {

    static Platform platform;
    static String admin;

    @BeforeAll
    static void platformAndApi() {
        platform = Platform.get();
        admin = platform.userToken("dev", "dev");
        Inventory.ensure(platform);
        // the catalog learns of the connection from an event: wait until the tool is findable
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(() -> addresses(search("/mcp", "inventory item"))
                .contains("inventory.acme.work.get_item"));
    }

    @Test
    void searchDescribeExecuteOnAnOpenApiSource() {
        // When an agent looks for a tool, reads it and runs it, on one MCP session
        JsonNode out = agent("/mcp", List.of(
                call("search", Map.of("query", "get one inventory item")),
                call("describe", Map.of("tool", "inventory.acme.work.get_item")),
                call("execute", Map.of("tool", "inventory.acme.work.get_item", "arguments", Map.of("id", "w-7")))));

        // Then
        assertEquals(List.of("describe", "execute", "run_status", "search"), sorted(out.get("tools")));
        assertTrue(out.at("/tools").toString().contains("search"));
        assertEquals("inventory.acme.work.get_item", addresses(out.at("/results/0")).get(0), out.at("/results/0").toString());
        assertTrue(text(out.at("/results/1")).contains("\"id\""), "describe shows the input schema: " + text(out.at("/results/1")));
        JsonNode executed = out.at("/results/2");
        assertFalse(executed.path("isError").asBoolean(), executed.toString());
        assertTrue(text(executed).contains("w-7"), executed.toString());
        assertTrue(Inventory.authorizations.contains("Bearer " + Inventory.SECRET), "the credential reached the upstream");
        assertFalse(out.toString().contains(Inventory.SECRET), "and never the agent");
    }

    @Test
    void aBlockedToolIsNeitherFoundNorExecutable() {
        int deletesBefore = (int) Inventory.requests.stream().filter(r -> r.startsWith("DELETE")).count();

        JsonNode out = agent("/mcp", List.of(call("search", Map.of("query", "delete an inventory item")),
                call("execute", Map.of("tool", "inventory.acme.work.delete_item", "arguments", Map.of("id", "w-1")))));

        assertFalse(addresses(out.at("/results/0")).contains("inventory.acme.work.delete_item"), out.at("/results/0").toString());
        JsonNode refused = out.at("/results/1");
        assertTrue(refused.path("isError").asBoolean(), refused.toString());
        assertTrue(text(refused).contains("POLICY_BLOCKED") || text(refused).contains("NOT_VISIBLE"), text(refused));
        assertEquals(deletesBefore, Inventory.requests.stream().filter(r -> r.startsWith("DELETE")).count());
    }

    @Test
    void aToolkitEndpointCannotReachOutsideItsToolkit() {
        // Given a toolkit holding only the reads
        var toolkit = platform.post(platform.url("policy") + "/api/toolkits", admin,
                Map.of("scope", "org:acme", "name", "readers", "addresses", List.of("inventory.*.*.get_*")));
        assertTrue(toolkit.statusCode() == 201 || toolkit.statusCode() == 409, toolkit.body());

        // When an agent on that endpoint searches for and calls a write
        JsonNode out = agent("/mcp/toolkits/readers", List.of(call("search", Map.of("query", "create an inventory item")),
                call("execute", Map.of("tool", "inventory.acme.work.create_item", "arguments", Map.of("name", "x"))),
                call("execute", Map.of("tool", "inventory.acme.work.get_item", "arguments", Map.of("id", "w-9")))));

        // Then it neither finds nor runs it, while the toolkit's own tool works
        assertFalse(addresses(out.at("/results/0")).contains("inventory.acme.work.create_item"), out.at("/results/0").toString());
        assertTrue(out.at("/results/1").path("isError").asBoolean(), out.at("/results/1").toString());
        assertFalse(out.at("/results/2").path("isError").asBoolean(), out.at("/results/2").toString());
        assertTrue(text(out.at("/results/2")).contains("w-9"));
    }

    @Test
    void anApprovalGatedCallCompletesAfterAHumanApproves() {
        // When an agent runs a write (plugin default: require approval)
        long postsBefore = requestCount("POST");
        JsonNode out = agent("/mcp", List.of(call("execute", Map.of("tool", "inventory.acme.work.create_item",
                "arguments", Map.of("name", "Sprocket", "quantity", 2)))));
        JsonNode pending = json(text(out.at("/results/0")));
        assertEquals("PENDING_APPROVAL", pending.path("status").asText(), pending.toString());
        String runId = pending.get("run_id").asText();
        assertEquals(postsBefore, requestCount("POST"), "nothing ran before the approval");

        // and a human approves it in the ledger
        var approved = platform.post(platform.url("ledger") + "/api/approvals/" + runId + "/approve",
                platform.userToken("approver", "approver"), Map.of("comment", "ok"));
        assertEquals(200, approved.statusCode(), approved.body());

        // Then run_status reports the finished run with the upstream's answer
        JsonNode status = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(
                () -> agent("/mcp", List.of(call("run_status", Map.of("run_id", runId)))).at("/results/0"),
                r -> !r.path("isError").asBoolean() && text(r).contains("Sprocket"));
        assertEquals(postsBefore + 1, requestCount("POST"), "it ran once: " + status);
    }

    @Test
    void aPolicyChangeAppliesToTheAgentsVeryNextCall() {
        // Given a read the agent can run
        Map<String, Object> read = call("execute", Map.of("tool", "inventory.acme.work.get_item", "arguments", Map.of("id", "w-3")));
        assertFalse(agent("/mcp", List.of(read)).at("/results/0/isError").asBoolean());

        // When an admin blocks it, and the agent calls it again at once (no waiting)
        var block = platform.post(platform.url("policy") + "/api/policies", admin, Map.of("scope", "org:acme", "attachedKind", "source",
                "attachedId", "inventory", "toolGlob", "get_item", "verdict", "block"));
        assertEquals(201, block.statusCode(), block.body());
        String policyId = json(block.body()).get("id").asText();
        try {
            JsonNode refused = agent("/mcp", List.of(read)).at("/results/0");

            // Then the very next call is refused by the new policy
            assertTrue(refused.path("isError").asBoolean(), refused.toString());
            assertTrue(text(refused).contains("POLICY_BLOCKED") || text(refused).contains("NOT_VISIBLE"), text(refused));
        } finally {
            assertEquals(204, platform.delete(platform.url("policy") + "/api/policies/" + policyId, admin).statusCode());
        }

        // And once the admin removes the block, the next call runs again
        assertFalse(agent("/mcp", List.of(read)).at("/results/0/isError").asBoolean());
    }

    // ---- the agent -----------------------------------------------------------------------------

    static long requestCount(String method) {
        return Inventory.requests.stream().filter(r -> r.startsWith(method)).count();
    }

    static JsonNode search(String path, String query) {
        return agent(path, List.of(call("search", Map.of("query", query)))).at("/results/0");
    }

    /** Runs the SDK client on {@code path} with a fresh agent token and returns what it printed. */
    static JsonNode agent(String path, List<Map<String, Object>> calls) {
        return McpAgent.run(platform.url("gateway") + path, platform.agentToken(), calls);
    }

    static List<String> addresses(JsonNode searchResult) {
        List<String> out = new ArrayList<>();
        JsonNode body = json(text(searchResult).isBlank() ? "{}" : text(searchResult));
        body.path("tools").forEach(t -> out.add(t.path("address").asText()));
        return out;
    }

    static List<String> sorted(JsonNode names) {
        List<String> out = new ArrayList<>();
        names.forEach(n -> out.add(n.asText()));
        out.sort(String::compareTo);
        return out;
    }
}
