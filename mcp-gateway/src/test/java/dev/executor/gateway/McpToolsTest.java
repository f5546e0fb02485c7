package dev.executor.gateway;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.executor.common.v1.Surface;
import dev.executor.invoker.v1.InvokeRequest;
import dev.executor.launcher.infra.KeycloakServer;
import dev.executor.testsupport.KeycloakResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The MCP surface over raw JSON-RPC (Streamable HTTP) with real Keycloak tokens, against fake
 * catalog, invoker, ledger and policy services that record what the gateway sends them.
 */
@QuarkusTest
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreamsResource.class)
class McpToolsTest {

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URI base;

    private static final String GET_PET = FakeDownstreams.PREFIX + "get_pet";
    private static final String LIST_PETS = FakeDownstreams.PREFIX + "list_pets";

    private static JsonRpc agent(String path) {
        return new JsonRpc(path, KeycloakResource.tokens().agent()).initialize();
    }

    // ---- auth discovery, Origin and Host ----------------------------------------------------

    @Test
    void challengesAMissingTokenWithTheProtectedResourceMetadataUrl() {
        // When
        String challenge = JsonRpc.spec().body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").post("/mcp")
                .then().statusCode(401).extract().header("WWW-Authenticate");

        // Then: the challenge names the metadata document, which names the Keycloak realm
        assertThat(challenge, allOf(startsWith("Bearer "), containsString("resource_metadata=\"")));
        String metadata = challenge.replaceAll("(?s).*resource_metadata=\"([^\"]+)\".*", "$1");
        assertThat(metadata, endsWith("/.well-known/oauth-protected-resource/mcp"));
        JsonRpc.spec().get(metadata.substring(metadata.indexOf("/.well-known"))).then().statusCode(200)
                .body("resource", endsWith("/mcp"))
                .body("authorization_servers[0]", equalTo(KeycloakResource.server().issuerUrl()))
                .body("bearer_methods_supported[0]", equalTo("header"));
    }

    @Test
    void servesTheRootMetadataDocumentAndOneNamingEachToolkitEndpoint() {
        // When / Then
        JsonRpc.spec().get("/.well-known/oauth-protected-resource").then().statusCode(200)
                .body("resource", endsWith("/mcp"))
                .body("authorization_servers[0]", equalTo(KeycloakResource.server().issuerUrl()));
        JsonRpc.spec().get("/.well-known/oauth-protected-resource/mcp/toolkits/triage").then().statusCode(200)
                .body("resource", endsWith("/mcp/toolkits/triage"));
        String challenge = JsonRpc.spec().body("{}").post("/mcp/toolkits/triage").then().statusCode(401)
                .extract().header("WWW-Authenticate");
        assertThat(challenge, containsString("/.well-known/oauth-protected-resource/mcp/toolkits/triage\""));
    }

    @Test
    void refusesABrowserRequestFromAForeignOrigin() {
        // Given a valid agent token
        String token = KeycloakResource.tokens().agent();

        // When / Then: a foreign origin is refused before anything else
        JsonRpc.spec().auth().oauth2(token).header("Origin", "http://evil.example.com")
                .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").post("/mcp")
                .then().statusCode(403).body("error.message", equalTo("Origin not allowed"));
        // and a loopback origin is accepted
        JsonRpc rpc = new JsonRpc("/mcp", token).initialize();
        JsonRpc.spec().auth().oauth2(token).header("Origin", "http://localhost:6274").header("Mcp-Session-Id", rpc.session)
                .body("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}").post("/mcp")
                .then().statusCode(200);
    }

    @Test
    void refusesARequestWhoseHostIsNotThisServer() {
        // Given a DNS-rebinding style request: valid token, foreign Host
        String token = KeycloakResource.tokens().agent();

        // When / Then
        JsonRpc.spec().auth().oauth2(token).header("Host", "evil.example.com")
                .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").post("/mcp")
                .then().statusCode(403).body("error.message", equalTo("Host header not allowed"));
        JsonRpc.spec().header("Host", "evil.example.com").body("{}").post("/mcp").then().statusCode(403);
    }

    @Test
    void acceptsAnHttp2ClientWhoseHostComesAsAuthority() throws Exception {
        // Given the JDK client, which upgrades plain HTTP to HTTP/2 (h2c) and then sends :authority instead of Host
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).build();
        java.net.http.HttpRequest ping = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + base.getPort() + "/mcp"))
                .header("Authorization", "Bearer " + KeycloakResource.tokens().agent()).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                        + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"jdk\",\"version\":\"1\"}}}"))
                .build();

        // When it sends two requests on one connection (the first is upgraded, the second is HTTP/2)
        java.net.http.HttpResponse<String> first = client.send(ping, java.net.http.HttpResponse.BodyHandlers.ofString());
        java.net.http.HttpResponse<String> second = client.send(ping, java.net.http.HttpResponse.BodyHandlers.ofString());

        // Then both are served, not refused as a foreign Host
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(200, second.statusCode(), second.body());
        assertEquals(java.net.http.HttpClient.Version.HTTP_2, second.version());
    }

    // ---- tools/list ---------------------------------------------------------------------------

    @Test
    void listsFourMetaToolsWhoseSearchDescriptionNamesTheSourcesBehindIt() {
        // Given
        JsonRpc rpc = agent("/mcp");

        // When
        JsonArray tools = rpc.request("tools/list", new JsonObject()).getJsonObject("result").getJsonArray("tools");

        // Then
        assertEquals(List.of("search", "describe", "execute", "run_status"), names(tools));
        String search = tools.getJsonObject(0).getString("description");
        assertThat(search, allOf(containsString("15 tools from 2 sources"), containsString("github: 12"), containsString("petstore: 3")));
        assertEquals(List.of("tool"), tools.getJsonObject(2).getJsonObject("inputSchema").getJsonArray("required").getList());
    }

    // ---- search / describe -----------------------------------------------------------------

    @Test
    void searchPassesTheAgentsPrincipalAndTheGatewaysOwnServiceToken() {
        // Given
        JsonRpc rpc = agent("/mcp");
        int before = FakeDownstreams.authorizations.size();

        // When
        JsonObject result = rpc.call("search", new JsonObject().put("query", "find a pet").put("limit", 5));

        // Then: ranked hits with addresses and signatures
        JsonObject body = JsonRpc.text(result);
        assertEquals(GET_PET, body.getJsonArray("tools").getJsonObject(0).getString("address"));
        assertEquals("get_pet(id: integer) -> Pet", body.getJsonArray("tools").getJsonObject(0).getString("signature"));
        // and the catalog saw the agent as principal, with its claims and resolved scope chain
        var request = FakeDownstreams.lastSearch();
        assertEquals("find a pet", request.getQuery());
        assertEquals("", request.getToolkit());
        assertEquals(5, request.getPage().getPageSize());
        var p = request.getPrincipal();
        Map<String, Object> claims = KeycloakServer.claims(KeycloakResource.tokens().agent());
        assertEquals(claims.get("sub"), p.getSubject());
        assertEquals("service-account-executor-agent", p.getUsername());
        assertEquals("executor-agent", p.getClientId());
        assertThat(p.getRolesList(), hasItem("executor-agent"));
        assertTrue(p.getAgent());
        assertEquals("acme", p.getOrg());
        assertEquals(List.of("payments"), p.getWorkspacesList());
        assertEquals(List.of("org:acme", "workspace:payments", "user:service-account-executor-agent"),
                p.getScopeChainList().stream().map(s -> s.getKind() + ":" + s.getId()).toList());
        // and every call carried the gateway's own service-account token, never the agent's
        List<String> sent = FakeDownstreams.authorizations.subList(before, FakeDownstreams.authorizations.size());
        assertFalse(sent.isEmpty());
        sent.forEach(header -> {
            assertThat(header, startsWith("Bearer "));
            assertEquals("mcp-gateway", KeycloakServer.claims(header.substring(7)).get("azp"));
        });
    }

    @Test
    void describeReturnsTheSchemasAndTheCompactSignature() {
        // Given
        JsonRpc rpc = agent("/mcp");

        // When
        JsonObject body = JsonRpc.text(rpc.call("describe", new JsonObject().put("tool", GET_PET)));

        // Then
        assertEquals(GET_PET, body.getString("address"));
        assertEquals("get_pet(id: integer) -> Pet", body.getString("signature"));
        assertEquals(List.of("id"), body.getJsonObject("input_schema").getJsonArray("required").getList());
        assertEquals("object", body.getJsonObject("output_schema").getString("type"));
        assertEquals("read", body.getString("side_effect"));
    }

    @Test
    void describeOfAnUnknownAddressSuggestsCloseMatches() {
        // When
        JsonObject result = agent("/mcp").call("describe", new JsonObject().put("tool", FakeDownstreams.PREFIX + "get_pett"));

        // Then
        assertEquals(Boolean.TRUE, result.getBoolean("isError"));
        JsonObject body = JsonRpc.text(result);
        assertEquals("TOOL_NOT_FOUND", body.getString("error"));
        assertEquals(List.of(GET_PET, LIST_PETS), body.getJsonArray("suggestions").getList());
    }

    // ---- execute ------------------------------------------------------------------------------

    @Test
    void executeInvokesThroughTheInvokerAndReturnsStructuredOutputForAToolWithAnOutputSchema() {
        // Given
        JsonRpc rpc = agent("/mcp");

        // When
        JsonObject result = rpc.call("execute", new JsonObject().put("tool", GET_PET).put("arguments", new JsonObject().put("id", 7)));

        // Then: text JSON and structured content
        assertFalse(result.getBoolean("isError", false));
        assertEquals("Rex", JsonRpc.text(result).getString("name"));
        assertEquals(7, result.getJsonObject("structuredContent").getInteger("id"));
        // and the invoker got the call as the agent, on the MCP surface, with a bounded wait
        InvokeRequest sent = FakeDownstreams.lastInvocation();
        assertEquals(GET_PET, sent.getAddress());
        assertEquals(7, new JsonObject(sent.getArgumentsJson()).getInteger("id"));
        assertEquals(Surface.MCP, sent.getSurface());
        assertEquals("", sent.getToolkit());
        assertEquals(30, sent.getWait().getSeconds());
        assertTrue(sent.getPrincipal().getAgent());
        assertEquals(3, sent.getPrincipal().getScopeChainCount());
    }

    @Test
    void aToolkitEndpointPassesItsToolkitWithEverySearchAndExecute() {
        // Given
        JsonRpc rpc = agent("/mcp/toolkits/triage");

        // When
        JsonObject hits = JsonRpc.text(rpc.call("search", new JsonObject().put("query", "pets")));
        rpc.call("execute", new JsonObject().put("tool", GET_PET).put("arguments", new JsonObject().put("id", 1)));

        // Then
        assertEquals("triage", FakeDownstreams.lastSearch().getToolkit());
        assertEquals(1, hits.getJsonArray("tools").size());
        assertEquals("triage", FakeDownstreams.lastInvocation().getToolkit());
    }

    @Test
    void aToolkitEndpointNeitherDescribesNorSuggestsToolsOutsideItsToolkit() {
        // Given the toolkit endpoint of "triage", which holds only get_pet
        JsonRpc rpc = agent("/mcp/toolkits/triage");

        // When a tool outside the toolkit is described
        JsonObject described = rpc.call("describe", new JsonObject().put("tool", LIST_PETS));

        // Then the catalog was asked within the toolkit, and the tool is reported as not there
        assertEquals("triage", FakeDownstreams.describes.get(FakeDownstreams.describes.size() - 1).getToolkit());
        assertEquals(Boolean.TRUE, described.getBoolean("isError"));
        JsonObject body = JsonRpc.text(described);
        assertEquals("TOOL_NOT_FOUND", body.getString("error"));
        assertThat(body.getString("message"), containsString("triage"));
        assertFalse(body.containsKey("suggestions"));
        assertThat(described.encode(), not(containsString("List every pet")));

        // When an unknown address is executed, suggestions only name tools of the toolkit
        JsonObject executed = rpc.call("execute", new JsonObject().put("tool", FakeDownstreams.PREFIX + "get_pett"));
        assertEquals(List.of(GET_PET), JsonRpc.text(executed).getJsonArray("suggestions").getList());
    }

    @Test
    void executeOfAnUnknownToolSuggestsCloseMatches() {
        // When
        JsonObject result = agent("/mcp").call("execute", new JsonObject().put("tool", FakeDownstreams.PREFIX + "get_pett"));

        // Then
        assertEquals(Boolean.TRUE, result.getBoolean("isError"));
        JsonObject body = JsonRpc.text(result);
        assertEquals("TOOL_NOT_FOUND", body.getString("error"));
        assertThat(body.getString("message"), containsString("Did you mean"));
        assertEquals(List.of(GET_PET, LIST_PETS), body.getJsonArray("suggestions").getList());
        assertThat(body.getString("next_step"), containsString("search"));
    }

    @Test
    void executeWithInvalidArgumentsListsEachViolation() {
        // When
        JsonObject result = agent("/mcp").call("execute", new JsonObject().put("tool", FakeDownstreams.PREFIX + "create_pet")
                .put("arguments", new JsonObject().put("age", "old")));

        // Then
        assertEquals(Boolean.TRUE, result.getBoolean("isError"));
        JsonObject body = JsonRpc.text(result);
        assertEquals("INVALID_ARGUMENTS", body.getString("error"));
        JsonArray violations = body.getJsonArray("violations");
        assertEquals(2, violations.size());
        assertEquals("required", violations.getJsonObject(0).getString("keyword"));
        assertEquals("/age", violations.getJsonObject(1).getString("path"));
        assertEquals("must be an integer", violations.getJsonObject(1).getString("message"));
    }

    @Test
    void executeOfABlockedToolNamesThePolicyThatBlocksIt() {
        // When
        JsonObject result = agent("/mcp").call("execute", new JsonObject().put("tool", FakeDownstreams.PREFIX + "drop_db"));

        // Then
        assertEquals(Boolean.TRUE, result.getBoolean("isError"));
        JsonObject body = JsonRpc.text(result);
        assertEquals("POLICY_BLOCKED", body.getString("error"));
        assertEquals("BLOCKED", body.getString("status"));
        assertThat(body.getString("message"), containsString("no-drops"));
        assertEquals("no-drops", body.getJsonObject("details").getString("policy"));
        assertThat(body.getString("run_id"), startsWith("run-"));
    }

    @Test
    void executeThatNeedsApprovalReturnsThePendingRunAndWhereAHumanApproves() {
        // Given an agent, whose token can never approve
        JsonRpc rpc = agent("/mcp");

        // When
        JsonObject result = rpc.call("execute", new JsonObject().put("tool", FakeDownstreams.PREFIX + "delete_pet")
                .put("arguments", new JsonObject().put("id", 3)));

        // Then
        assertFalse(result.getBoolean("isError", false));
        JsonObject body = JsonRpc.text(result);
        String runId = body.getString("run_id");
        assertEquals("PENDING_APPROVAL", body.getString("status"));
        assertEquals("http://ledger.test:8085/api/approvals/" + runId + "/approve", body.getString("approve_at"));
        assertEquals("2100-01-01T00:00:00Z", body.getString("expires_at"));
        assertThat(body.getString("next_step"), allOf(containsString("run_status"), containsString("cannot approve")));

        // and run_status reports it still pending after a bounded wait, approving nothing
        JsonObject status = JsonRpc.text(rpc.call("run_status", new JsonObject().put("run_id", runId).put("wait_seconds", 1)));
        assertEquals("PENDING_APPROVAL", status.getString("status"));
        assertEquals(runId, status.getString("run_id"));
        assertThat(FakeDownstreams.runReads.stream().filter(r -> r.getRunId().equals(runId)).count(), greaterThan(1L));
    }

    @Test
    void runStatusOfARunSomeoneElseMadeIsNotFound() {
        // Given a run made by the agent
        JsonRpc rpc = agent("/mcp");
        String runId = JsonRpc.text(rpc.call("execute", new JsonObject().put("tool", FakeDownstreams.PREFIX + "delete_pet")))
                .getString("run_id");

        // When another principal (a person) asks for it
        JsonRpc other = new JsonRpc("/mcp", KeycloakResource.tokens().approver()).initialize();
        JsonObject result = other.call("run_status", new JsonObject().put("run_id", runId).put("wait_seconds", 0));

        // Then
        assertEquals(Boolean.TRUE, result.getBoolean("isError"));
        assertEquals("RUN_NOT_FOUND", JsonRpc.text(result).getString("error"));
    }

    @Test
    void aLargeOutputComesBackAsAResourceLinkReadableWithResourcesRead() {
        // Given
        JsonRpc rpc = agent("/mcp");

        // When
        JsonObject result = rpc.call("execute", new JsonObject().put("tool", FakeDownstreams.PREFIX + "list_pets"));

        // Then: a link, not the output
        JsonArray content = result.getJsonArray("content");
        JsonObject link = content.getJsonObject(1);
        assertEquals("resource_link", link.getString("type"));
        String uri = link.getString("uri");
        assertTrue(uri.matches("executor://runs/run-\\d+/output"), uri);
        assertThat(content.encode(), not(containsString("pet number 399")));

        // When the agent reads the link
        JsonObject read = rpc.request("resources/read", new JsonObject().put("uri", uri)).getJsonObject("result");

        // Then it gets the whole stored output, read in ranges with its own principal
        JsonObject contents = read.getJsonArray("contents").getJsonObject(0);
        assertEquals(uri, contents.getString("uri"));
        assertEquals(FakeDownstreams.LARGE_OUTPUT, contents.getString("text"));
        assertFalse(FakeDownstreams.outputReads.isEmpty());
        FakeDownstreams.outputReads.forEach(r -> assertEquals("service-account-executor-agent", r.getPrincipal().getUsername()));

        // and another principal cannot read it
        JsonRpc other = new JsonRpc("/mcp", KeycloakResource.tokens().approver()).initialize();
        JsonObject refused = other.request("resources/read", new JsonObject().put("uri", uri));
        assertEquals(-32002, refused.getJsonObject("error").getInteger("code"));
    }

    @Test
    void aToolOfAnMcpSourceReturnsTheUpstreamContentItemsUnchanged() {
        // When
        JsonObject result = agent("/mcp").call("execute", new JsonObject().put("tool", FakeDownstreams.PREFIX + "camera_snapshot"));

        // Then
        JsonArray content = result.getJsonArray("content");
        assertEquals("snap", content.getJsonObject(0).getString("text"));
        assertEquals("image", content.getJsonObject(1).getString("type"));
        assertEquals("image/png", content.getJsonObject(1).getString("mimeType"));
        assertEquals("iVBORw0KGgo=", content.getJsonObject(1).getString("data"));
    }

    @Test
    void anErrorReportedByAnUpstreamMcpToolReachesTheAgentAsThatToolsOwnErrorContent() {
        // When the upstream MCP tool answers with isError (the invoker fails the Run and keeps its CallToolResult)
        JsonObject result = agent("/mcp").call("execute", new JsonObject().put("tool", FakeDownstreams.PREFIX + "camera_snapshot")
                .put("arguments", new JsonObject().put("lens_cap", true)));

        // Then the agent gets an error whose content is what the upstream said
        assertTrue(result.getBoolean("isError"), result.encode());
        JsonArray content = result.getJsonArray("content");
        assertEquals(1, content.size(), result.encode());
        assertEquals("the lens cap is on", content.getJsonObject(0).getString("text"));
    }

    // ---- direct mode and replicas -------------------------------------------------------------

    @Test
    void directModeListsTheToolkitsToolsAndCallsThemThroughTheInvoker() {
        // Given
        JsonRpc rpc = agent("/mcp/toolkits/triage?mode=direct");

        // When
        JsonArray tools = rpc.request("tools/list", new JsonObject()).getJsonObject("result").getJsonArray("tools");
        JsonObject result = rpc.call("get_pet", new JsonObject().put("id", 9));

        // Then: the toolkit's own tools (named by their unique tool segment, with their schemas) plus run_status
        assertEquals(List.of("get_pet", "run_status"), names(tools));
        assertEquals("object", tools.getJsonObject(0).getJsonObject("outputSchema").getString("type"));
        assertThat(tools.getJsonObject(0).getString("description"), containsString("Fetch one pet by id."));
        // and the call went to the invoker as that address, within the toolkit
        assertEquals("Rex", result.getJsonObject("structuredContent").getString("name"));
        assertEquals(GET_PET, FakeDownstreams.lastInvocation().getAddress());
        assertEquals("triage", FakeDownstreams.lastInvocation().getToolkit());
        assertEquals(9, new JsonObject(FakeDownstreams.lastInvocation().getArgumentsJson()).getInteger("id"));
    }

    @Test
    void aRequestWithASessionThisReplicaNeverIssuedIsStillServed() {
        // Given a client whose session was created by another replica
        JsonRpc rpc = new JsonRpc("/mcp", KeycloakResource.tokens().agent());
        rpc.session = "issued-by-another-replica";

        // When
        JsonObject result = rpc.call("search", new JsonObject().put("query", "pets"));

        // Then
        assertFalse(JsonRpc.text(result).getJsonArray("tools").isEmpty());
    }

    @Test
    void theLegacySseTransportIsNotOffered() {
        // When / Then: its sessions would pin a client to one replica
        JsonRpc.spec().auth().oauth2(KeycloakResource.tokens().agent()).get("/mcp/sse").then().statusCode(404);
    }

    @Test
    void executeRefusesArgumentsThatAreNotAnObjectWithoutCallingTheInvoker() {
        // Given
        JsonRpc rpc = agent("/mcp");
        int before = FakeDownstreams.invocations.size();

        // When
        JsonObject result = rpc.call("execute", new JsonObject().put("tool", GET_PET).put("arguments", new JsonArray().add(7)));

        // Then
        assertEquals(Boolean.TRUE, result.getBoolean("isError"));
        assertEquals("INVALID_ARGUMENTS", JsonRpc.text(result).getString("error"));
        assertEquals(before, FakeDownstreams.invocations.size());
    }

    @Test
    void anUnknownToolkitNameShapeIsNotAnEndpoint() {
        // When / Then
        JsonRpc.spec().auth().oauth2(KeycloakResource.tokens().agent()).body("{}").post("/mcp/toolkits/Not%20A%20Name")
                .then().statusCode(404);
    }

    private static List<String> names(JsonArray tools) {
        return tools.stream().map(t -> ((JsonObject) t).getString("name")).toList();
    }
}
