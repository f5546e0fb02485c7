package dev.executor.catalog;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.messaging.ConnectionEventListener;
import dev.executor.catalog.v1.CatalogServiceGrpc.CatalogServiceBlockingStub;
import dev.executor.catalog.v1.DescribeToolRequest;
import dev.executor.catalog.v1.SearchToolsRequest;
import dev.executor.catalog.v1.SearchToolsResponse;
import dev.executor.catalog.v1.ToolSummary;
import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.PageRequest;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.ReviewState;
import dev.executor.common.v1.Scope;
import dev.executor.contracts.ErrorReasons;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.ConnectionCreated;
import dev.executor.contracts.events.ConnectionEvent;
import dev.executor.contracts.events.ConnectionRef;
import dev.executor.contracts.events.ScopeRef;
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
import io.restassured.http.ContentType;

/**
 * SearchTools and DescribeTool show only what PolicyService.FilterVisible lets through (a fake
 * policy with canned answers; real Keycloak tokens, real PostgreSQL and Kafka). Batches of 7
 * candidates, so that every search here spans several FilterVisible calls.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "catalogvis"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(value = FakePolicyResource.class, initArgs = @ResourceArg(name = "filter-batch-size", value = "7"))
class CatalogVisibilityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Metadata.Key<String> REASON = Metadata.Key.of("executor-error-reason", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of("executor-error-detail-bin", Metadata.BINARY_BYTE_MARSHALLER);
    private static final Principal ALICE = Principal.newBuilder().setSubject("alice")
            .addScopeChain(Scope.newBuilder().setKind("org").setId("acme")).build();
    private static final int PETSTORE_TOOLS = 20;

    @GrpcClient("self")
    CatalogServiceBlockingStub grpc;

    @Inject
    ConnectionEventListener connections;

    @BeforeEach
    void ready() {
        FakePolicyResource.reset();
        await().atMost(Duration.ofSeconds(90)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    /** Imports the Petstore (20 operations) as {@code name} in org:acme with connection {@code work}. */
    private String petstore(String name) {
        String id = given().auth().oauth2(KeycloakResource.tokens().admin()).contentType(ContentType.JSON)
                .body(Map.of("name", name, "kind", "openapi", "scope", "org:acme",
                        "document", Fixtures.text("openapi/readme-oas-examples/3.0/petstore.json")))
                .post("/api/sources")
                .then().statusCode(201).body("status", equalTo("connected")).extract().path("id");
        connect(name, id, "work");
        return id;
    }

    private void connect(String source, String sourceId, String connection) {
        var created = new ConnectionCreated("conn-" + source + "-" + connection, new ConnectionRef(new ScopeRef("org", "acme"), source, connection),
                sourceId, List.of(), null, Instant.now());
        CloudEvent<ConnectionEvent> event = CloudEvent.of("/executor/secrets-proxy", null, created);
        connections.apply(event).await().indefinitely();
    }

    @Test
    void searchLeavesOutWhatPolicyHidesAndCountsOnlyVisibleTools() {
        // Given a source with two connections; policy blocks one tool on one connection and hides the other connection
        String id = petstore("vispets");
        connect("vispets", id, "personal");
        FakePolicyResource.hide("vispets.acme.work.delete_pet", ErrorReasons.NOT_VISIBLE);
        for (ToolSummary t : search(SearchToolsRequest.newBuilder().setSource("vispets").setPage(page(100))).getToolsList()) {
            if (t.getAddress().startsWith("vispets.acme.personal.")) {
                FakePolicyResource.hide(t.getAddress(), ErrorReasons.NOT_VISIBLE);
            }
        }
        FakePolicyResource.forgetReceived();

        // When listing every tool of the source, page by page
        SearchToolsResponse first = search(SearchToolsRequest.newBuilder().setSource("vispets").setPage(page(15)));
        SearchToolsResponse second = search(SearchToolsRequest.newBuilder().setSource("vispets")
                .setPage(PageRequest.newBuilder().setPageSize(15).setPageToken(first.getNextPageToken())));

        // Then only the work connection's tools are shown, without the blocked one, and the total says so
        assertEquals(PETSTORE_TOOLS - 1, first.getTotal());
        assertEquals(15, first.getToolsCount());
        assertEquals(PETSTORE_TOOLS - 1 - 15, second.getToolsCount());
        assertEquals("", second.getNextPageToken());
        List<String> shown = new java.util.ArrayList<>();
        first.getToolsList().forEach(t -> shown.add(t.getAddress()));
        second.getToolsList().forEach(t -> shown.add(t.getAddress()));
        assertFalse(shown.contains("vispets.acme.work.delete_pet"), shown.toString());
        assertTrue(shown.stream().allMatch(a -> a.startsWith("vispets.acme.work.")), shown.toString());

        // And a search for the blocked tool by its own words does not find it either
        SearchToolsResponse deleting = search(SearchToolsRequest.newBuilder().setQuery("delete pet").setSource("vispets"));
        assertTrue(deleting.getToolsList().stream().noneMatch(t -> t.getName().equals("delete_pet")), deleting.toString());

        // And policy was asked in batches of at most 7 candidates, each marked accepted
        var calls = FakePolicyResource.received();
        // (40 candidates per listing: 20 tools x 2 connections -> 6 calls each)
        assertTrue(calls.size() >= 12, "FilterVisible calls: " + calls.size());
        for (var call : calls) {
            assertTrue(call.request().getCandidateAddressesCount() <= 7);
            assertEquals(ALICE, call.request().getPrincipal());
            call.request().getCandidateAddressesList()
                    .forEach(a -> assertEquals(ReviewState.ACCEPTED, call.request().getReviewStatesOrThrow(a)));
        }
    }

    @Test
    void searchAndDescribeAreNarrowedToTheToolkit() {
        // Given a toolkit admitting two tools
        petstore("kitpets");
        FakePolicyResource.toolkit("readonly", Set.of("kitpets.acme.work.get_pet_by_id", "kitpets.acme.work.find_pets_by_status"));

        // When
        SearchToolsResponse found = search(SearchToolsRequest.newBuilder().setToolkit("readonly").setQuery("pet").setSource("kitpets"));

        // Then
        assertEquals(2, found.getTotal());
        assertEquals(Set.of("kitpets.acme.work.get_pet_by_id", "kitpets.acme.work.find_pets_by_status"),
                Set.copyOf(found.getToolsList().stream().map(ToolSummary::getAddress).toList()));

        // And describe answers inside the toolkit and not outside it
        var inside = stub().describeTool(DescribeToolRequest.newBuilder().setPrincipal(ALICE).setToolkit("readonly")
                .setAddress("kitpets.acme.work.get_pet_by_id").build());
        assertEquals("get_pet_by_id", inside.getTool().getName());
        StatusRuntimeException outside = assertThrows(StatusRuntimeException.class, () -> stub().describeTool(DescribeToolRequest.newBuilder()
                .setPrincipal(ALICE).setToolkit("readonly").setAddress("kitpets.acme.work.add_pet").build()));
        assertEquals(Status.Code.NOT_FOUND, outside.getStatus().getCode());
        assertEquals(ErrorReasons.TOOL_NOT_FOUND, outside.getTrailers().get(REASON));
        assertTrue(FakePolicyResource.received().stream().anyMatch(r -> r.request().getToolkit().equals("readonly")
                && r.request().getCandidateAddressesList().equals(List.of("kitpets.acme.work.add_pet"))));
    }

    @Test
    void describeAnswersAHiddenToolExactlyLikeAnUnknownOne() throws Exception {
        // Given a tool hidden by policy
        petstore("hidpets");
        FakePolicyResource.hide("hidpets.acme.work.delete_pet", ErrorReasons.NOT_VISIBLE);

        // When describing it, and an address that does not exist
        StatusRuntimeException hidden = assertThrows(StatusRuntimeException.class, () -> describe("hidpets.acme.work.delete_pet"));
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> describe("hidpets.acme.work.delete_pett"));

        // Then both are TOOL_NOT_FOUND worded alike, and no suggestion names the hidden tool
        for (StatusRuntimeException e : List.of(hidden, unknown)) {
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            assertEquals(ErrorReasons.TOOL_NOT_FOUND, e.getTrailers().get(REASON));
            assertTrue(e.getStatus().getDescription().contains("that you can see"), e.getStatus().getDescription());
            ErrorDetail detail = ErrorDetail.parseFrom(e.getTrailers().get(DETAIL));
            assertFalse(detail.getSuggestionsList().contains("hidpets.acme.work.delete_pet"), detail.toString());
        }
        assertEquals(hidden.getStatus().getDescription().replace("delete_pet", "X"),
                unknown.getStatus().getDescription().replace("delete_pett", "X"));

        // And a visible tool is described with its schemas
        assertEquals("get_pet_by_id(petId: integer) -> Pet  [read]", describe("hidpets.acme.work.get_pet_by_id").getTool().getSignature());
    }

    @Test
    void anUnreviewedToolIsNeitherFoundNorDescribable() throws Exception {
        // Given a refresh that adds a tool, unreviewed
        String id = petstore("revpets");
        ObjectNode doc = (ObjectNode) JSON.readTree(Fixtures.text("openapi/readme-oas-examples/3.0/petstore.json"));
        ((ObjectNode) doc.get("paths")).putObject("/pet/{petId}/vaccinate").putObject("post")
                .put("operationId", "vaccinatePet").put("summary", "Vaccinate a pet")
                .putArray("parameters").addObject().put("name", "petId").put("in", "path").put("required", true)
                .putObject("schema").put("type", "integer");
        ((ObjectNode) doc.at("/paths/~1pet~1{petId}~1vaccinate/post")).putObject("responses").putObject("204").put("description", "done");
        given().auth().oauth2(KeycloakResource.tokens().admin()).contentType(ContentType.JSON).body(Map.of("document", doc.toString()))
                .post("/api/sources/" + id + "/refresh").then().statusCode(200).body("added", equalTo(List.of("vaccinate_pet")));

        // When / Then: search does not offer it
        assertEquals(0, search(SearchToolsRequest.newBuilder().setQuery("vaccinate").setSource("revpets")).getTotal());

        // And describe refuses it, after asking policy with the tool's real review state
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> describe("revpets.acme.work.vaccinate_pet"));
        assertEquals(ErrorReasons.TOOL_NOT_FOUND, e.getTrailers().get(REASON));
        assertTrue(FakePolicyResource.received().stream().anyMatch(r -> r.request()
                .getReviewStatesOrDefault("revpets.acme.work.vaccinate_pet", ReviewState.ACCEPTED) == ReviewState.UNREVIEWED));
    }

    @Test
    void failsClosedWithUnavailableWhenPolicyCannotAnswer() {
        // Given
        petstore("downpets");
        FakePolicyResource.down(true);

        // When / Then: neither search nor describe answers unfiltered
        StatusRuntimeException searching = assertThrows(StatusRuntimeException.class,
                () -> search(SearchToolsRequest.newBuilder().setQuery("pet").setSource("downpets")));
        assertEquals(Status.Code.UNAVAILABLE, searching.getStatus().getCode());
        assertEquals(ErrorReasons.UNAVAILABLE, searching.getTrailers().get(REASON));
        StatusRuntimeException describing = assertThrows(StatusRuntimeException.class, () -> describe("downpets.acme.work.get_pet_by_id"));
        assertEquals(Status.Code.UNAVAILABLE, describing.getStatus().getCode());
    }

    @Test
    void callsPolicyWithItsOwnServiceAccountToken() throws Exception {
        // Given
        petstore("tokpets");

        // When
        search(SearchToolsRequest.newBuilder().setQuery("pet").setSource("tokpets"));

        // Then the fake policy saw the catalog-service client's token from Keycloak, not the caller's
        String authorization = FakePolicyResource.received().get(0).authorization();
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(authorization.substring("Bearer ".length()).split("\\.")[1]));
        assertEquals("catalog-service", claims.path("azp").asText(), claims.toString());
        assertTrue(claims.path("realm_access").path("roles").toString().contains("executor-service"), claims.toString());
        assertEquals(KeycloakResource.server().issuerUrl(), claims.path("iss").asText(), claims.toString());
    }

    private SearchToolsResponse search(SearchToolsRequest.Builder request) {
        return stub().searchTools(request.setPrincipal(ALICE).build());
    }

    private dev.executor.catalog.v1.DescribeToolResponse describe(String address) {
        return stub().describeTool(DescribeToolRequest.newBuilder().setPrincipal(ALICE).setAddress(address).build());
    }

    private static PageRequest page(int size) {
        return PageRequest.newBuilder().setPageSize(size).build();
    }

    private CatalogServiceBlockingStub stub() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + KeycloakResource.tokens().service("invoker-service"));
        return grpc.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
