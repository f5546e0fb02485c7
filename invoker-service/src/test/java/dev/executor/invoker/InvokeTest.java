package dev.executor.invoker;

import static dev.executor.invoker.support.Tools.ALICE;
import static dev.executor.invoker.support.Tools.binding;
import static dev.executor.invoker.support.Tools.param;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.RunStatus;
import dev.executor.common.v1.SideEffect;
import dev.executor.common.v1.Surface;
import dev.executor.common.v1.Verdict;
import dev.executor.catalog.v1.ParameterLocation;
import dev.executor.invoker.support.FakeDownstreams;
import dev.executor.invoker.support.Fakes;
import dev.executor.invoker.support.RunEvents;
import dev.executor.invoker.support.Tools;
import dev.executor.invoker.v1.CancelRequest;
import dev.executor.invoker.v1.InvokeRequest;
import dev.executor.invoker.v1.InvokeResponse;
import dev.executor.invoker.v1.InvokerServiceGrpc.InvokerServiceBlockingStub;
import dev.executor.policy.v1.ApprovalMode;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.policy.v1.RecordKind;
import dev.executor.policy.v1.Rule;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The synchronous path end to end inside the invoker: real PostgreSQL, Kafka and Keycloak, real
 * HTTP and GraphQL upstreams on loopback, and stand-ins for catalog, policy, secrets-proxy and
 * run-ledger ({@link FakeDownstreams}). The caller is a service (as the gateway is) passing Alice's
 * principal.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "invoker"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreams.class)
class InvokeTest {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REASON = Metadata.Key.of("executor-error-reason", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of("executor-error-detail-bin", Metadata.BINARY_BYTE_MARSHALLER);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String REPO_SCHEMA = """
            {"type":"object","properties":{"owner":{"type":"string"},"repo":{"type":"string"},
             "per_page":{"type":"integer","maximum":100},"labels":{"type":"array","items":{"type":"string"}},
             "X-Trace":{"type":"string"},"session":{"type":"string"}},
             "required":["owner","repo"],"additionalProperties":false}""";

    @GrpcClient("self")
    InvokerServiceBlockingStub invoker;

    @Test
    void executesAnHttpToolThroughSecretsProxyWithEveryParameterEncoded() {
        // Given a GET tool with path, query, header and cookie parameters
        String address = Tools.http("repos_get", SideEffect.READ, REPO_SCHEMA, binding("GET", "/repos/{owner}/{repo}")
                .addParameters(param("owner", ParameterLocation.PATH, true)).addParameters(param("repo", ParameterLocation.PATH, true))
                .addParameters(param("per_page", ParameterLocation.QUERY, false))
                .addParameters(param("labels", ParameterLocation.QUERY, false))
                .addParameters(param("X-Trace", ParameterLocation.HEADER, false))
                .addParameters(param("session", ParameterLocation.COOKIE, false)).build());

        // When
        InvokeResponse response = call(address, """
                {"owner":"acme corp","repo":"a/../b","per_page":5,"labels":["bug","help wanted"],"X-Trace":"t-1","session":"x y"}""");

        // Then the Run succeeded with the upstream's answer
        assertEquals(RunStatus.SUCCEEDED, response.getStatus(), response.toString());
        JsonNode output = json(response.getOutputJson());
        assertEquals("GET", output.get("method").asText());
        // a '/' or '..' in a path value stays inside its segment
        assertEquals("/repos/acme%20corp/a%2F%2E%2E%2Fb", output.get("path").asText());
        assertEquals("per_page=5&labels=bug&labels=help%20wanted", output.get("query").asText());
        assertEquals("t-1", output.at("/headers/X-trace/0").asText());
        assertEquals("session=x%20y", output.at("/headers/Cookie/0").asText());
        // and it went through secrets-proxy on Alice's behalf, for this run, through the address's connection
        var forwarded = Fakes.forwardedFor(response.getRunId());
        assertEquals(1, forwarded.size());
        assertEquals("sub-alice", forwarded.get(0).getPrincipal().getSubject());
        assertEquals("work", forwarded.get(0).getConnectionRef().getName());
        assertEquals(Verdict.ALLOW, response.getVerdict());
        assertEquals(7, response.getPolicyVersion());
    }

    @Test
    void sendsJsonFormAndMultipartBodies() {
        // Given three POST tools differing only in body media type, the body flattened into the arguments
        String schema = """
                {"type":"object","properties":{"title":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}}},
                 "required":["title"]}""";
        String jsonTool = Tools.http("create_json", SideEffect.WRITE, schema, binding("POST", "/items")
                .setBodyContentType("application/json").addBodyProperties("title").addBodyProperties("tags").build());
        String formTool = Tools.http("create_form", SideEffect.WRITE, schema, binding("POST", "/items")
                .setBodyContentType("application/x-www-form-urlencoded").addBodyProperties("title").addBodyProperties("tags").build());
        String multipartTool = Tools.http("create_multipart", SideEffect.WRITE, schema, binding("POST", "/items")
                .setBodyContentType("multipart/form-data").addBodyProperties("title").build());
        String args = "{\"title\":\"Fix & ship\",\"tags\":[\"a\",\"b c\"]}";

        // When
        JsonNode asJson = json(call(jsonTool, args).getOutputJson());
        JsonNode asForm = json(call(formTool, args).getOutputJson());
        JsonNode asMultipart = json(call(multipartTool, args).getOutputJson());

        // Then each body is encoded for its media type
        assertEquals(args, asJson.get("body").asText());
        assertEquals("application/json", asJson.at("/headers/Content-type/0").asText());
        assertEquals("title=Fix+%26+ship&tags=a&tags=b+c", asForm.get("body").asText());
        String multipart = asMultipart.get("body").asText();
        assertTrue(multipart.contains("Content-Disposition: form-data; name=\"title\"\r\n\r\nFix & ship\r\n"), multipart);
        assertTrue(asMultipart.at("/headers/Content-type/0").asText().startsWith("multipart/form-data; boundary="));
    }

    @Test
    void refusesInvalidArgumentsNamingEveryViolationBeforeAnyUpstreamRequest() {
        // Given
        String address = Tools.http("repos_get_strict", SideEffect.READ, REPO_SCHEMA, binding("GET", "/repos/{owner}/{repo}")
                .addParameters(param("owner", ParameterLocation.PATH, true)).addParameters(param("repo", ParameterLocation.PATH, true))
                .build());
        int before = Fakes.forwarded().size();

        // When: repo missing, per_page of the wrong type and too large an unknown property
        var failure = assertThrows(StatusRuntimeException.class,
                () -> call(address, "{\"owner\":7,\"per_page\":\"ten\",\"extra\":true}"));

        // Then
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.getStatus().getCode());
        assertEquals("INVALID_ARGUMENTS", failure.getTrailers().get(REASON));
        ErrorDetail detail = detail(failure);
        List<String> violations = detail.getViolationsList().stream().map(v -> v.getPath() + " " + v.getKeyword()).toList();
        assertTrue(violations.contains("/repo required"), violations.toString());
        assertTrue(violations.contains("/owner type"), violations.toString());
        assertTrue(violations.contains("/per_page type"), violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.endsWith("additionalProperties")), violations.toString());
        assertEquals(before, Fakes.forwarded().size(), "nothing may reach the upstream");
    }

    @Test
    void refusesAnUnknownAddressWithTheCatalogsSuggestions() {
        var failure = assertThrows(StatusRuntimeException.class, () -> call("api.acme.work.no_such_tool", "{}"));

        assertEquals(Status.Code.NOT_FOUND, failure.getStatus().getCode());
        assertEquals("TOOL_NOT_FOUND", failure.getTrailers().get(REASON));
        assertEquals(List.of("did.you.mean.this"), detail(failure).getSuggestionsList());
    }

    @Test
    void recordsABlockedRunWithThePolicyThatBlockedItAndCallsNothing() {
        // Given a tool policy blocks
        String address = Tools.http("delete_all", SideEffect.DESTRUCTIVE, "{\"type\":\"object\"}", binding("DELETE", "/all").build());
        Fakes.decision(address, DecideResponse.newBuilder().setVerdict(Verdict.BLOCK).setVisible(true).setPolicyVersion(9)
                .setReason("POLICY_BLOCKED").addMatchedRules(Rule.newBuilder().setVerdict(Verdict.BLOCK).setRecordKind(RecordKind.SOURCE)
                        .setRecordId("pol-1").setRuleId("r-1").setExplanation("nobody deletes everything")
                        .setScope(dev.executor.common.v1.Scope.newBuilder().setKind("org").setId("acme")))
                .build());

        // When
        InvokeResponse response = call(address, "{}");

        // Then
        assertEquals(RunStatus.BLOCKED, response.getStatus());
        assertEquals("POLICY_BLOCKED", response.getError().getReason());
        assertTrue(response.getError().getMessage().contains("nobody deletes everything"), response.getError().getMessage());
        assertEquals("pol-1", response.getError().getMetadataOrThrow("policy_record"));
        assertTrue(Fakes.forwardedFor(response.getRunId()).isEmpty());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(List.of("RunRequested", "RunBlocked"),
                types(RunEvents.of(response.getRunId()))));
    }

    @Test
    void refusesAToolOutsideTheCallersVisibilityWithTheSameDecision() {
        String address = Tools.http("hidden_tool", SideEffect.READ, "{\"type\":\"object\"}", binding("GET", "/hidden").build());
        Fakes.decision(address, DecideResponse.newBuilder().setVerdict(Verdict.BLOCK).setVisible(false).setReason("NOT_VISIBLE")
                .setPolicyVersion(9).build());

        InvokeResponse response = call(address, "{}");

        assertEquals(RunStatus.BLOCKED, response.getStatus());
        assertEquals("NOT_VISIBLE", response.getError().getReason());
        assertTrue(Fakes.forwardedFor(response.getRunId()).isEmpty());
    }

    @Test
    void emitsEveryTransitionWithContextAndNoSecret() throws Exception {
        // Given
        String address = Tools.http("echo_events", SideEffect.READ, "{\"type\":\"object\"}", binding("GET", "/echo").build());

        // When
        InvokeResponse response = call(address, "{\"b\":1,\"a\":2}");

        // Then the four transitions arrive in order, each carrying the run's context
        assertEquals(RunStatus.SUCCEEDED, response.getStatus());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(
                List.of("RunRequested", "RunAdmitted", "RunStarted", "RunSucceeded"), types(RunEvents.of(response.getRunId()))));
        List<JsonNode> events = RunEvents.of(response.getRunId());
        for (JsonNode e : events) {
            assertEquals(address, e.at("/context/address").asText());
            assertEquals("sub-alice", e.at("/context/principalChain/0/subject").asText());
            assertEquals("mcp", e.at("/context/surface").asText());
            assertTrue(e.at("/context/inputHash").asText().startsWith("sha256:"));
        }
        assertEquals(7, events.get(3).at("/context/policyVersion").asLong());
        assertEquals("allow", events.get(3).at("/context/verdict").asText());
        // the credential secrets-proxy injected reached the upstream but nowhere else
        String upstreamSaw = response.getOutputJson();
        assertTrue(upstreamSaw.contains(Fakes.INJECTED_SECRET), "the upstream got the credential");
        boolean leaked = RunEvents.read("executor.run.events").stream().filter(r -> r.key().equals(response.getRunId()))
                .filter(r -> !r.value().contains("\"type\":\"RunSucceeded\"")).anyMatch(r -> r.value().contains(Fakes.INJECTED_SECRET));
        assertFalse(leaked, "no event other than the echoed output may carry the credential");
    }

    @Test
    void recordsTheCallersTraceIdOnTheRunAndMakesOneWhenTheCallerSentNone() {
        // Given
        String address = Tools.http("traced", SideEffect.READ, "{\"type\":\"object\"}", binding("GET", "/echo").build());
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        // When one call carries the caller's W3C trace context and another carries none
        InvokeResponse traced = invoker().invoke(request(address, "{}").setTraceParent("00-" + traceId + "-00f067aa0ba902b7-01").build());
        InvokeResponse untraced = call(address, "{}");

        // Then every event of the first Run names the caller's trace, and the second Run still has a trace id of its own
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertEquals(4, RunEvents.of(traced.getRunId()).size());
            assertEquals(4, RunEvents.of(untraced.getRunId()).size());
        });
        List<JsonNode> events = RunEvents.of(traced.getRunId());
        events.forEach(e -> assertEquals(traceId, e.at("/context/traceId").asText()));
        String own = RunEvents.of(untraced.getRunId()).get(0).at("/context/traceId").asText();
        assertTrue(own.matches("[0-9a-f]{32}") && !own.equals(traceId), "a Run without a caller trace gets the invoker's: " + own);
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstRunAndExecutesOnce() {
        // Given
        String address = Tools.http("create_once", SideEffect.WRITE, "{\"type\":\"object\"}", binding("POST", "/once")
                .setBodyContentType("application/json").addBodyProperties("n").build());
        String key = UUID.randomUUID().toString();

        // When the same call is made twice with one key
        InvokeResponse first = invoker().invoke(request(address, "{\"n\":1}").setIdempotencyKey(key).build());
        InvokeResponse second = invoker().invoke(request(address, "{\"n\":1}").setIdempotencyKey(key).build());

        // Then
        assertEquals(first.getRunId(), second.getRunId());
        assertEquals(RunStatus.SUCCEEDED, second.getStatus());
        assertEquals(first.getOutputJson(), second.getOutputJson());
        assertEquals(1, Fakes.forwardedFor(first.getRunId()).size());
    }

    @Test
    void storesALargeOutputInTheLedgerAndReturnsAHandle() {
        String address = Tools.http("big_list", SideEffect.READ, "{\"type\":\"object\"}", binding("GET", "/big").build());

        InvokeResponse response = call(address, "{}");

        assertEquals(RunStatus.SUCCEEDED, response.getStatus());
        assertEquals("out_" + response.getRunId(), response.getOutputHandle());
        byte[] stored = Fakes.storedOutput(response.getOutputHandle());
        assertEquals(response.getOutputSizeBytes(), stored.length);
        assertTrue(response.getOutputSizeBytes() > 65536);
        assertEquals(4000, json(new String(stored)).get("items").size());
    }

    @Test
    void failsWithTheUpstreamStatusAndRetriesOnlySafeCalls() {
        // Given a read and a write against an upstream answering 503
        String read = Tools.http("flaky_read", SideEffect.READ, "{\"type\":\"object\"}", binding("GET", "/unavailable").build());
        String write = Tools.http("flaky_write", SideEffect.WRITE, "{\"type\":\"object\"}", binding("POST", "/unavailable").build());

        // When
        InvokeResponse readRun = call(read, "{}");
        InvokeResponse writeRun = call(write, "{}");

        // Then both fail with the upstream's status; only the read was retried
        assertEquals(RunStatus.FAILED, readRun.getStatus());
        assertEquals("UPSTREAM_ERROR", readRun.getError().getReason());
        assertEquals("503", readRun.getError().getMetadataOrThrow("upstream_status"));
        assertEquals(3, Fakes.forwardedFor(readRun.getRunId()).size());
        assertEquals(RunStatus.FAILED, writeRun.getStatus());
        assertEquals(1, Fakes.forwardedFor(writeRun.getRunId()).size());
    }

    @Test
    void failsARunWhoseUpstreamDoesNotAnswerInTime() {
        String address = Tools.http("slow_write", SideEffect.WRITE, "{\"type\":\"object\"}", binding("POST", "/slow").build());

        InvokeResponse response = call(address, "{}");

        assertEquals(RunStatus.FAILED, response.getStatus());
        assertEquals("UPSTREAM_TIMEOUT", response.getError().getReason());
    }

    @Test
    void runsAGraphqlOperationAndReportsItsErrors() {
        // Given two GraphQL tools, one whose resolver fails
        String greeting = Tools.graphql("query_greeting", "query greeting($name: String!) { greeting(name: $name) { text length } }",
                "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}");
        String broken = Tools.graphql("query_broken", "query broken { broken }", "{\"type\":\"object\"}");

        // When
        InvokeResponse ok = call(greeting, "{\"name\":\"Ada\"}");
        InvokeResponse failed = call(broken, "{}");

        // Then
        assertEquals(RunStatus.SUCCEEDED, ok.getStatus(), ok.toString());
        assertEquals("Hello, Ada!", json(ok.getOutputJson()).at("/greeting/text").asText());
        assertEquals(RunStatus.FAILED, failed.getStatus());
        assertEquals("UPSTREAM_ERROR", failed.getError().getReason());
        assertTrue(failed.getError().getMessage().contains("the resolver broke") || failed.getError().getMessage().contains("Exception"),
                failed.getError().getMessage());
    }

    @Test
    void holdsAnApprovalGatedCallPendingAndLetsItsCallerCancelIt() {
        // Given a tool that needs approval
        String address = Tools.http("transfer", SideEffect.WRITE, "{\"type\":\"object\"}", binding("POST", "/transfer").build());
        Fakes.decision(address, DecideResponse.newBuilder().setVerdict(Verdict.REQUIRE_APPROVAL).setVisible(true).setPolicyVersion(11)
                .setApprovalMode(ApprovalMode.ANY).setReason("APPROVAL_REQUIRED").addMatchedRules(Rule.newBuilder()
                        .setVerdict(Verdict.REQUIRE_APPROVAL).setExplanation("money moves need a human"))
                .build());

        // When
        InvokeResponse pending = call(address, "{\"amount\":10}");

        // Then it waits for a human, with where to approve; nothing ran
        assertEquals(RunStatus.PENDING_APPROVAL, pending.getStatus());
        assertTrue(pending.getApproval().getUrl().endsWith("/api/approvals/" + pending.getRunId()), pending.getApproval().getUrl());
        assertTrue(pending.getError().getMessage().contains("money moves need a human"));
        assertTrue(Fakes.forwardedFor(pending.getRunId()).isEmpty());

        // And someone else cannot cancel it, while its caller can
        var notYours = assertThrows(StatusRuntimeException.class, () -> invoker().cancel(CancelRequest.newBuilder()
                .setRunId(pending.getRunId()).setPrincipal(ALICE.toBuilder().setSubject("sub-mallory")).build()));
        assertEquals("RUN_NOT_FOUND", notYours.getTrailers().get(REASON));
        var cancelled = invoker().cancel(CancelRequest.newBuilder().setRunId(pending.getRunId()).setPrincipal(ALICE)
                .setReason("changed my mind").build());
        assertEquals(RunStatus.CANCELLED, cancelled.getStatus());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(
                List.of("RunRequested", "RunPendingApproval", "RunCancelled"), types(RunEvents.of(pending.getRunId()))));
    }

    @Test
    void authenticatesItsOwnCallsWithItsServiceAccount() {
        // Given any call that reached the downstreams
        call(Tools.http("whoami", SideEffect.READ, "{\"type\":\"object\"}", binding("GET", "/echo").build()), "{}");

        // Then every downstream call carried invoker-service's own token (never the caller's)
        List<String> seen = Fakes.authorizations();
        assertFalse(seen.isEmpty());
        for (String header : seen) {
            assertTrue(header.startsWith("Bearer "), header);
            JsonNode claims = json(new String(java.util.Base64.getUrlDecoder().decode(header.substring(7).split("\\.")[1])));
            assertEquals("invoker-service", claims.get("azp").asText());
        }
    }

    @Test
    void refusesAnAgentCallingTheInvokerDirectly() {
        var failure = assertThrows(StatusRuntimeException.class, () -> withToken(KeycloakResource.tokens().agent())
                .invoke(request("api.acme.work.whoami", "{}").build()));

        assertEquals(Status.Code.PERMISSION_DENIED, failure.getStatus().getCode());
        assertNotEquals(null, failure.getTrailers().get(REASON));
    }

    // ---- helpers ---------------------------------------------------------------------------

    private InvokeResponse call(String address, String arguments) {
        return invoker().invoke(request(address, arguments).build());
    }

    private static InvokeRequest.Builder request(String address, String arguments) {
        return InvokeRequest.newBuilder().setPrincipal(ALICE).setAddress(address).setArgumentsJson(arguments).setSurface(Surface.MCP)
                .setWait(com.google.protobuf.Duration.newBuilder().setSeconds(20));
    }

    private InvokerServiceBlockingStub invoker() {
        return withToken(KeycloakResource.tokens().service("mcp-gateway"));
    }

    private InvokerServiceBlockingStub withToken(String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return invoker.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static ErrorDetail detail(StatusRuntimeException e) {
        try {
            return ErrorDetail.parseFrom(e.getTrailers().get(DETAIL));
        } catch (com.google.protobuf.InvalidProtocolBufferException x) {
            throw new AssertionError(x);
        }
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText()).toList();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }
}
