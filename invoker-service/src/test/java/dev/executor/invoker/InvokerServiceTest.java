package dev.executor.invoker;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.executor.catalog.v1.McpServerConfig;
import dev.executor.invoker.v1.InvokeRequest;
import dev.executor.invoker.v1.ProbeMcpServerRequest;
import dev.executor.invoker.v1.InvokerServiceGrpc.InvokerServiceBlockingStub;
import dev.executor.invoker.support.FakeDownstreams;
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
 * Boots invoker-service against a real PostgreSQL, Kafka broker and Keycloak. It has no REST API,
 * so its security is exercised over gRPC: client {@code self} calls this service's own port.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "invoker"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreams.class)
class InvokerServiceTest {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REASON = Metadata.Key.of("executor-error-reason",
            Metadata.ASCII_STRING_MARSHALLER);

    @GrpcClient("self")
    InvokerServiceBlockingStub invoker;

    @jakarta.inject.Inject
    dev.executor.invoker.security.CachingTokenIdentityProvider tokenCache;

    @Test
    void becomesReadyAgainstRealPostgresKafkaAndItsDownstreams() {
        // Given a freshly started service

        // When / Then: schema migrated, reactive pool, Kafka channel and each downstream report UP
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.name", hasItem("Database schema"))
                .body("checks.name", hasItem("gRPC catalog-service"))
                .body("checks.name", hasItem("gRPC policy-service"))
                .body("checks.name", hasItem("gRPC secrets-proxy")));
    }

    @Test
    void refusesInvokeWithoutATokenAsUnauthenticated() {
        // When
        var failure = assertThrows(StatusRuntimeException.class, () -> invoker.invoke(request()));

        // Then
        assertEquals(Status.Code.UNAUTHENTICATED, failure.getStatus().getCode());
        assertEquals("UNAUTHENTICATED", failure.getTrailers().get(REASON));
    }

    @Test
    void refusesInvokeForAnAgentTokenAsPermissionDenied() {
        // Given an agent calling directly instead of through the gateway
        String agent = KeycloakResource.tokens().agent();

        // When
        var failure = assertThrows(StatusRuntimeException.class, () -> withToken(agent).invoke(request()));

        // Then
        assertEquals(Status.Code.PERMISSION_DENIED, failure.getStatus().getCode());
        assertEquals("PERMISSION_DENIED", failure.getTrailers().get(REASON));
    }

    @Test
    void letsAServiceTokenThroughToInvoke() {
        // Given the gateway's service account
        String service = KeycloakResource.tokens().service("mcp-gateway");

        // When it asks for a tool the catalog does not know
        var failure = assertThrows(StatusRuntimeException.class, () -> withToken(service).invoke(request()));

        // Then authentication and authorization passed, and the catalog's answer came back
        assertEquals(Status.Code.NOT_FOUND, failure.getStatus().getCode());
        assertEquals("TOOL_NOT_FOUND", failure.getTrailers().get(REASON));
    }

    @Test
    void aCachedServiceTokenNeverLetsAForgedOneThrough() {
        // Given: the gateway's service token was verified (and cached) by an earlier call
        String service = KeycloakResource.tokens().service("mcp-gateway");
        assertThrows(StatusRuntimeException.class, () -> withToken(service).invoke(request()));
        assertTrue(tokenCache.cache().size() > 0, "the verified token is cached");
        String[] parts = service.split("\\.");
        String agentPayload = KeycloakResource.tokens().agent().split("\\.")[1];

        // When: its signature over an agent's claims, and its claims with a broken signature
        var forgedClaims = assertThrows(StatusRuntimeException.class,
                () -> withToken(parts[0] + "." + agentPayload + "." + parts[2]).invoke(request()));
        var forgedSignature = assertThrows(StatusRuntimeException.class,
                () -> withToken(parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse()).invoke(request()));

        // Then: each is verified on its own and refused, while the cached token still gets through to the catalog
        assertEquals(Status.Code.UNAUTHENTICATED, forgedClaims.getStatus().getCode());
        assertEquals(Status.Code.UNAUTHENTICATED, forgedSignature.getStatus().getCode());
        var failure = assertThrows(StatusRuntimeException.class, () -> withToken(service).invoke(request()));
        assertEquals("TOOL_NOT_FOUND", failure.getTrailers().get(REASON));
    }

    @Test
    void probeMcpServerIsForServicesOnlyAndRefusesACommandNotAllowed() {
        // Given a stdio server whose command this invoker does not allow (its config allows none)
        ProbeMcpServerRequest probe = ProbeMcpServerRequest.newBuilder().setServer(McpServerConfig.newBuilder()
                .setTransport("stdio").setCommand("node").addArgs("server.js")).build();

        // When: no token, an agent's token, then the catalog's service token
        var anonymous = assertThrows(StatusRuntimeException.class, () -> invoker.probeMcpServer(probe));
        var agent = assertThrows(StatusRuntimeException.class,
                () -> withToken(KeycloakResource.tokens().agent()).probeMcpServer(probe));
        var catalog = assertThrows(StatusRuntimeException.class,
                () -> withToken(KeycloakResource.tokens().service("catalog-service")).probeMcpServer(probe));

        // Then: only the service gets past authorization, and the allow-list refuses its command
        assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode());
        assertEquals(Status.Code.PERMISSION_DENIED, agent.getStatus().getCode());
        assertEquals(Status.Code.PERMISSION_DENIED, catalog.getStatus().getCode());
        assertEquals("PERMISSION_DENIED", catalog.getTrailers().get(REASON));
        assertTrue(catalog.getStatus().getDescription().contains("invoker.mcp.stdio.allowed-commands"),
                catalog.getStatus().getDescription());
    }

    @Test
    void probeMcpServerRefusesAServerThatIsNotStdioAsInvalidArgument() {
        // Given
        ProbeMcpServerRequest probe = ProbeMcpServerRequest.newBuilder().setServer(McpServerConfig.newBuilder()
                .setTransport("streamable_http").setUrl("http://127.0.0.1:1/mcp")).build();

        // When
        var failure = assertThrows(StatusRuntimeException.class,
                () -> withToken(KeycloakResource.tokens().service("catalog-service")).probeMcpServer(probe));

        // Then
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.getStatus().getCode());
        assertEquals("INVALID_ARGUMENTS", failure.getTrailers().get(REASON));
    }

    @Test
    void exposesPrometheusMetricsAndItsOpenApi() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("Executor invoker-service"));
    }

    private InvokerServiceBlockingStub withToken(String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return invoker.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static InvokeRequest request() {
        return InvokeRequest.newBuilder().setAddress("github.acme.work.issues_create")
                .setPrincipal(dev.executor.common.v1.Principal.newBuilder().setSubject("sub-alice")).build();
    }
}
