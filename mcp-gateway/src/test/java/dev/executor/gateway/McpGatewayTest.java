package dev.executor.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.executor.testsupport.KeycloakResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/** Boots mcp-gateway against a real Keycloak, with stand-in gRPC services for its downstreams. */
@QuarkusTest
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreamsResource.class)
class McpGatewayTest {

    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
            "capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""";

    @Test
    void becomesReadyWhenItsDownstreamsAnswerTheirHealthChecks() {
        // Given a freshly started gateway

        // When / Then: each downstream is one readiness check
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.name", hasItem("gRPC invoker-service"))
                .body("checks.name", hasItem("gRPC catalog-service"))
                .body("checks.name", hasItem("gRPC policy-service"))
                .body("checks.name", hasItem("gRPC run-ledger")));
    }

    @Test
    void initializesAnMcpSessionForAnAgent() {
        // Given
        String agent = KeycloakResource.tokens().agent();

        // When / Then
        mcp().auth().oauth2(agent).body(INITIALIZE).post("/mcp")
                .then().statusCode(200)
                .body("result.serverInfo.name", notNullValue())
                .body("result.protocolVersion", notNullValue());
    }

    @Test
    void challengesAnMcpRequestWithoutAToken() {
        // When / Then
        mcp().body(INITIALIZE).post("/mcp")
                .then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"));
    }

    @Test
    void refusesAnMcpRequestFromATokenWithoutAnExecutorRole() {
        // Given a valid user token that carries no executor role
        String viewer = KeycloakResource.tokens().viewer();

        // When / Then
        mcp().auth().oauth2(viewer).body(INITIALIZE).post("/mcp")
                .then().statusCode(403);
    }

    @Test
    void refusesTheMcpSubPathsWithoutATokenToo() {
        // When / Then
        mcp().body(INITIALIZE).post("/mcp/toolkits/triage")
                .then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"));
    }

    @Test
    void exposesPrometheusMetricsAndItsOpenApi() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("Executor mcp-gateway"));
    }

    private static RequestSpecification mcp() {
        return given().contentType("application/json").accept("application/json, text/event-stream");
    }
}
