package dev.executor.secrets;

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

/** Boots secrets-proxy against a real PostgreSQL, Kafka broker and Keycloak. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "secrets"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(dev.executor.secrets.support.SecretsProxyTestConfig.class)
class SecretsProxyTest {

    @Test
    void becomesReadyAgainstRealPostgresAndKafka() {
        // Given a freshly started service

        // When / Then: schema migrated, reactive pool and Kafka channel all report UP
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.name", hasItem("Database schema")));
    }

    @Test
    void listsConnectionsForAnAdmin() {
        // Given
        String admin = KeycloakResource.tokens().admin();
        awaitReady();

        // When / Then
        given().auth().oauth2(admin).get("/api/connections")
                .then().statusCode(200).body("size()", org.hamcrest.Matchers.greaterThanOrEqualTo(0));
    }

    @Test
    void refusesConnectionsWithoutATokenWithAProblemAndAChallenge() {
        // When / Then
        given().get("/api/connections")
                .then().statusCode(401)
                .contentType(startsWith("application/problem+json"))
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("reason", equalTo("UNAUTHENTICATED"))
                .body("status", equalTo(401));
    }

    @Test
    void refusesConnectionsForAnAgentToken() {
        // Given
        String agent = KeycloakResource.tokens().agent();

        // When / Then
        given().auth().oauth2(agent).get("/api/connections")
                .then().statusCode(403)
                .contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("PERMISSION_DENIED"));
    }

    @Test
    void exposesPrometheusMetricsAndItsOpenApi() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("Executor secrets-proxy"))
                .body(containsString("/api/connections"));
    }

    private static void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }
}
