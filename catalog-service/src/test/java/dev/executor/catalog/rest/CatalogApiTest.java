package dev.executor.catalog.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.FakeInvokerResource;
import dev.executor.catalog.FakePolicyResource;
import dev.executor.catalog.Fixtures;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.OidcStubResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.executor.catalog.messaging.ConnectionEventListener;
import dev.executor.catalog.v1.CatalogServiceGrpc.CatalogServiceBlockingStub;
import dev.executor.catalog.v1.DescribeToolRequest;
import dev.executor.catalog.v1.ResolveToolRequest;
import dev.executor.catalog.v1.SearchToolsRequest;
import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.Scope;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.ConnectionCreated;
import dev.executor.contracts.events.ConnectionEvent;
import dev.executor.contracts.events.ConnectionRef;
import dev.executor.contracts.events.ScopeRef;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;

/** The admin REST API end to end: import, search, describe, refresh with review, removal, errors. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "catalogapi"))
@WithTestResource(KafkaResource.class)
@WithTestResource(OidcStubResource.class)
@WithTestResource(FakePolicyResource.class)
// Not used here; listed so this class and McpSourceTest share one application start.
@WithTestResource(FakeInvokerResource.class)
class CatalogApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @GrpcClient("self")
    CatalogServiceBlockingStub grpc;

    @Inject
    ConnectionEventListener connections;

    @BeforeEach
    void awaitSchema() {
        await().atMost(Duration.ofSeconds(90)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    private static String admin() {
        return OidcStubResource.tokens().admin();
    }

    private static String add(String name, String document) {
        return given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("name", name, "kind", "openapi", "scope", "org:acme", "document", document))
                .post("/api/sources")
                .then().statusCode(201)
                .body("status", equalTo("connected"))
                .extract().path("id");
    }

    @Test
    void importsSearchesAndDescribesAnOpenApiSource() {
        // Given
        String id = add("petstore", Fixtures.text("openapi/readme-oas-examples/3.0/petstore.json"));

        // When / Then: registered with every operation accepted
        given().auth().oauth2(admin()).get("/api/sources/" + id)
                .then().statusCode(200)
                .body("toolCount", equalTo(20))
                .body("unreviewedCount", equalTo(0))
                .body("declaredHosts", hasItem("petstore.swagger.io"))
                .body("manifestVersion", startsWith("sha256:"));

        // And ranked search finds the operation
        given().auth().oauth2(admin()).queryParam("q", "find pets by status").get("/api/tools")
                .then().statusCode(200)
                .body("tools[0].name", equalTo("find_pets_by_status"))
                .body("tools[0].source", equalTo("petstore"));
        given().auth().oauth2(admin()).queryParam("q", "pet").queryParam("sideEffect", "destructive").get("/api/tools")
                .then().statusCode(200).body("tools.name", hasItem("delete_pet")).body("tools.name", not(hasItem("add_pet")));

        // And describe returns the schemas and the signature
        given().auth().oauth2(admin()).get("/api/tools/petstore.acme.work.get_pet_by_id")
                .then().statusCode(200)
                .body("signature", equalTo("get_pet_by_id(petId: integer) -> Pet  [read]"))
                .body("inputSchema.required", equalTo(List.of("petId")))
                .body("outputSchema.required", equalTo(List.of("name", "photoUrls")))
                .body("binding.pathTemplate", equalTo("/pet/{petId}"));
    }

    @Test
    void answersAnUnknownAddressWithCloseMatches() {
        // Given
        add("petstore2", Fixtures.text("openapi/readme-oas-examples/3.1/petstore.json"));

        // When / Then
        given().auth().oauth2(admin()).get("/api/tools/petstore2.acme.work.get_pet_by_idd")
                .then().statusCode(404)
                .contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("TOOL_NOT_FOUND"))
                .body("suggestions", hasItem("petstore2.acme.work.get_pet_by_id"));
    }

    @Test
    void refreshAddsNewToolsUnreviewedAndRetiresRemovedOnes() throws Exception {
        // Given a source imported from a document
        String original = Fixtures.text("openapi/readme-oas-examples/3.0/petstore-expanded.json");
        String id = add("expanded", original);

        // When the document loses deletePet, gains a new operation and changes findPets
        ObjectNode doc = (ObjectNode) JSON.readTree(original);
        ((ObjectNode) doc.get("paths").get("/pets/{id}")).remove("delete");
        ((ObjectNode) doc.at("/paths/~1pets/get")).put("summary", "Lists every pet, changed");
        ((ObjectNode) doc.get("paths")).putObject("/pets/{id}/vaccinate").putObject("post")
                .put("operationId", "vaccinatePet").put("summary", "Vaccinate a pet")
                .putArray("parameters").addObject().put("name", "id").put("in", "path").put("required", true)
                .putObject("schema").put("type", "integer");
        ((ObjectNode) doc.at("/paths/~1pets~1{id}~1vaccinate/post")).putObject("responses").putObject("204").put("description", "done");

        // Then
        given().auth().oauth2(admin()).contentType(ContentType.JSON).body(Map.of("document", doc.toString()))
                .post("/api/sources/" + id + "/refresh")
                .then().statusCode(200)
                .body("added", equalTo(List.of("vaccinate_pet")))
                .body("changed", equalTo(List.of("find_pets")))
                .body("retired", equalTo(List.of("delete_pet")))
                .body("source.unreviewedCount", equalTo(1));
        given().auth().oauth2(admin()).get("/api/sources/" + id + "/tools")
                .then().statusCode(200)
                .body("find { it.name == 'vaccinate_pet' }.reviewState", equalTo("unreviewed"))
                .body("find { it.name == 'delete_pet' }.reviewState", equalTo("retired"))
                .body("find { it.name == 'find_pets' }.reviewState", equalTo("accepted"));

        // And the unreviewed tool is not offered until an admin accepts it
        given().auth().oauth2(admin()).queryParam("q", "vaccinate").queryParam("source", "expanded").get("/api/tools")
                .then().statusCode(200).body("total", equalTo(0));
        given().auth().oauth2(admin()).post("/api/sources/" + id + "/tools/vaccinate_pet/accept")
                .then().statusCode(200).body("accepted", equalTo(List.of("vaccinate_pet")));
        given().auth().oauth2(admin()).queryParam("q", "vaccinate").queryParam("source", "expanded").get("/api/tools")
                .then().statusCode(200).body("tools[0].name", equalTo("vaccinate_pet"));
    }

    @Test
    void refusesABrokenDocumentWithAnActionableProblem() {
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("name", "broken", "kind", "openapi", "scope", "org:acme", "document", "{\"hello\": \"world\"}"))
                .post("/api/sources")
                .then().statusCode(422)
                .contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("INVALID_SPEC"))
                .body("detail", containsString("no 'openapi' or 'swagger' field"));
    }

    @Test
    void keepsAnUnreachableSourceInErrorWithTheCause() {
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("name", "gone", "kind", "openapi", "scope", "org:acme", "url", "http://127.0.0.1:1/openapi.json"))
                .post("/api/sources")
                .then().statusCode(201)
                .body("status", equalTo("error"))
                .body("statusMessage", containsString("Cannot connect to 127.0.0.1:1"));
    }

    @Test
    void refusesADuplicateNameAndAnAgent() {
        add("twice", Fixtures.text("openapi/readme-oas-examples/2.0/petstore-minimal.json"));
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("name", "twice", "kind", "openapi", "scope", "org:acme", "document", "{}"))
                .post("/api/sources")
                .then().statusCode(409).body("reason", equalTo("CONFLICT"));
        given().auth().oauth2(OidcStubResource.tokens().agent()).contentType(ContentType.JSON).body("{}")
                .post("/api/sources")
                .then().statusCode(403);
    }

    @Test
    void removesASourceAndItsTools() {
        // Given
        String id = add("doomed", Fixtures.text("openapi/readme-oas-examples/2.0/petstore-simple.json"));

        // When
        given().auth().oauth2(admin()).delete("/api/sources/" + id).then().statusCode(204);

        // Then
        given().auth().oauth2(admin()).get("/api/sources/" + id).then().statusCode(404).body("reason", equalTo("SOURCE_NOT_FOUND"));
        given().auth().oauth2(admin()).queryParam("q", "pets").queryParam("source", "doomed").get("/api/tools")
                .then().statusCode(200).body("total", equalTo(0));
    }

    @Test
    void servesSearchDescribeAndResolveOverGrpcForTheCallersConnections() {
        // Given a source and a connection announced twice (a redelivery)
        String id = add("grpcpets", Fixtures.text("openapi/readme-oas-examples/3.0/petstore.json"));
        var created = new ConnectionCreated("conn-1", new ConnectionRef(new ScopeRef("org", "acme"), "grpcpets", "work"), id,
                List.of(), null, Instant.now());
        CloudEvent<ConnectionEvent> event = CloudEvent.of("/executor/secrets-proxy", null, created);
        connections.apply(event).await().indefinitely();
        connections.apply(event).await().indefinitely();
        Principal alice = Principal.newBuilder().setSubject("alice").addScopeChain(Scope.newBuilder().setKind("org").setId("acme")).build();
        CatalogServiceBlockingStub stub = withToken(OidcStubResource.tokens().service("invoker-service"));

        // When / Then: search expands tools into addresses of the caller's connections
        var found = stub.searchTools(SearchToolsRequest.newBuilder().setPrincipal(alice).setQuery("find pets by status").setSource("grpcpets").build());
        assertEquals("grpcpets.acme.work.find_pets_by_status", found.getTools(0).getAddress());
        var outsider = stub.searchTools(SearchToolsRequest.newBuilder().setQuery("find pets by status").setSource("grpcpets").build());
        assertEquals(0, outsider.getToolsCount());

        // And resolve gives the invoker the binding, the hosts and the connection
        var resolved = stub.resolveTool(ResolveToolRequest.newBuilder().setPrincipal(alice).setAddress("grpcpets.acme.work.get_pet_by_id").build());
        assertEquals("/pet/{petId}", resolved.getLane().getHttp().getPathTemplate());
        assertEquals("petstore.swagger.io", resolved.getSource().getDeclaredHosts(0));
        assertEquals("work", resolved.getConnection().getName());

        // And an unknown address is NOT_FOUND with the reason and close matches in the trailers
        var failure = assertThrows(StatusRuntimeException.class, () -> stub.describeTool(DescribeToolRequest.newBuilder()
                .setPrincipal(alice).setAddress("grpcpets.acme.work.get_pet_by").build()));
        assertEquals(Status.Code.NOT_FOUND, failure.getStatus().getCode());
        assertEquals("TOOL_NOT_FOUND", failure.getTrailers().get(Metadata.Key.of("executor-error-reason", Metadata.ASCII_STRING_MARSHALLER)));
        try {
            ErrorDetail detail = ErrorDetail.parseFrom(failure.getTrailers().get(Metadata.Key.of("executor-error-detail-bin", Metadata.BINARY_BYTE_MARSHALLER)));
            assertTrue(detail.getSuggestionsList().contains("grpcpets.acme.work.get_pet_by_id"), detail.toString());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private CatalogServiceBlockingStub withToken(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return grpc.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
