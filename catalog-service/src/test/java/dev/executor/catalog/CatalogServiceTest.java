package dev.executor.catalog;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Boots catalog-service against a real PostgreSQL, Kafka broker and Keycloak. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "catalog"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
class CatalogServiceTest {

    @Test
    void becomesReadyAgainstRealPostgresAndKafka() {
        // Given a freshly started service

        // When / Then: schema migrated, reactive pool, Kafka channel and gRPC all report UP
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.name", hasItem("Database schema"))
                .body("checks.name", hasItem("gRPC policy-service")));
    }

    @Test
    void listsSourcesForAnAdmin() {
        // Given
        String admin = KeycloakResource.tokens().admin();
        awaitReady();

        // When / Then
        given().auth().oauth2(admin).get("/api/sources")
                .then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void refusesSourcesWithoutATokenWithAProblemAndAChallenge() {
        // When / Then
        given().get("/api/sources")
                .then().statusCode(401)
                .contentType(startsWith("application/problem+json"))
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("reason", equalTo("UNAUTHENTICATED"))
                .body("status", equalTo(401));
    }

    @Test
    void refusesSourcesForAnAgentToken() {
        // Given
        String agent = KeycloakResource.tokens().agent();

        // When / Then
        given().auth().oauth2(agent).get("/api/sources")
                .then().statusCode(403)
                .contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("PERMISSION_DENIED"));
    }

    @Test
    void refusesAForgedToken() {
        // Given a token that this realm did not sign
        String forged = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJl";

        // When / Then
        given().auth().oauth2(forged).get("/api/sources")
                .then().statusCode(401)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void answersUnknownPathsWithAProblem() {
        given().auth().oauth2(KeycloakResource.tokens().admin()).get("/api/nothing-here")
                .then().statusCode(404)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void exposesPrometheusMetricsAndItsOpenApi() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/sources"));
    }

    private static void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }
}
