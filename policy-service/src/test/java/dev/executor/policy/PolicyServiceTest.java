package dev.executor.policy;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Boots policy-service against a real PostgreSQL, Kafka broker and Keycloak, and checks the admin
 * API's authority rules with real Keycloak tokens: an admin configures, an agent can do nothing.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "policy"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
class PolicyServiceTest {

    @Test
    void becomesReadyAgainstRealPostgresAndKafka() {
        // Given a freshly started service

        // When / Then: schema migrated, reactive pool and Kafka channel all report UP
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.name", hasItem("Database schema")));
    }

    @Test
    void listsPoliciesAndToolkitsForAnAdmin() {
        // Given
        String admin = KeycloakResource.tokens().admin();
        awaitReady();

        // When / Then
        given().auth().oauth2(admin).get("/api/policies")
                .then().statusCode(200).body("$", instanceOf(List.class));
        given().auth().oauth2(admin).get("/api/toolkits")
                .then().statusCode(200).body("$", instanceOf(List.class));
    }

    @Test
    void refusesPoliciesWithoutATokenWithAProblemAndAChallenge() {
        // When / Then
        given().get("/api/policies")
                .then().statusCode(401)
                .contentType(startsWith("application/problem+json"))
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("reason", equalTo("UNAUTHENTICATED"))
                .body("status", equalTo(401));
    }

    @Test
    void refusesPoliciesAndToolkitsForAnAgentToken() {
        // Given
        String agent = KeycloakResource.tokens().agent();

        // When / Then
        given().auth().oauth2(agent).get("/api/policies")
                .then().statusCode(403)
                .contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("PERMISSION_DENIED"));
        given().auth().oauth2(agent).get("/api/toolkits")
                .then().statusCode(403)
                .contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("PERMISSION_DENIED"));
    }

    @Test
    void letsAnAdminCreateUpdateAndDeletePoliciesAndToolkitsWithARealKeycloakToken() {
        // Given
        String admin = KeycloakResource.tokens().admin();
        awaitReady();

        // When
        String policy = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("scope", "org:acme", "attachedKind", "source", "attachedId", "github", "verdict", "block"))
                .post("/api/policies").then().statusCode(201)
                .body("createdBy", notNullValue()).extract().jsonPath().getString("id");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("scope", "org:acme", "attachedKind", "source", "attachedId", "github", "verdict", "allow"))
                .put("/api/policies/" + policy).then().statusCode(200).body("verdict", equalTo("allow"));
        String toolkit = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("scope", "org:acme", "name", "kc-triage", "addresses", List.of("github.*.*.issues_*")))
                .post("/api/toolkits").then().statusCode(201).extract().jsonPath().getString("id");

        // Then
        given().auth().oauth2(admin).delete("/api/policies/" + policy).then().statusCode(204);
        given().auth().oauth2(admin).delete("/api/toolkits/" + toolkit).then().statusCode(204);
    }

    @Test
    void refusesEveryPolicyAndToolkitOperationByAnAgentWithARealKeycloakToken() {
        // Given an agent's token, and a policy and toolkit an admin made
        String agent = KeycloakResource.tokens().agent();
        String admin = KeycloakResource.tokens().admin();
        awaitReady();
        String policy = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("scope", "org:acme", "attachedKind", "source", "attachedId", "github", "verdict", "block"))
                .post("/api/policies").then().statusCode(201).extract().jsonPath().getString("id");
        String toolkit = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("scope", "org:acme", "name", "kc-agent-" + System.nanoTime(), "addresses", List.of("*.*.*.*")))
                .post("/api/toolkits").then().statusCode(201).extract().jsonPath().getString("id");
        var allowAll = Map.of("scope", "org:acme", "attachedKind", "source", "attachedId", "github", "verdict", "allow");
        var widen = Map.of("scope", "org:acme", "name", "wide", "addresses", List.of("*.*.*.*"));

        // When / Then: no read, no create, no change, no delete
        for (var call : List.<java.util.function.Supplier<io.restassured.response.Response>>of(
                () -> given().auth().oauth2(agent).get("/api/policies/" + policy),
                () -> given().auth().oauth2(agent).contentType(ContentType.JSON).body(allowAll).post("/api/policies"),
                () -> given().auth().oauth2(agent).contentType(ContentType.JSON).body(allowAll).put("/api/policies/" + policy),
                () -> given().auth().oauth2(agent).delete("/api/policies/" + policy),
                () -> given().auth().oauth2(agent).get("/api/toolkits/" + toolkit),
                () -> given().auth().oauth2(agent).contentType(ContentType.JSON).body(widen).post("/api/toolkits"),
                () -> given().auth().oauth2(agent).contentType(ContentType.JSON).body(widen).put("/api/toolkits/" + toolkit),
                () -> given().auth().oauth2(agent).delete("/api/toolkits/" + toolkit))) {
            call.get().then().statusCode(403)
                    .contentType(startsWith("application/problem+json"))
                    .body("reason", equalTo("PERMISSION_DENIED"));
        }
        // and nothing changed
        given().auth().oauth2(admin).get("/api/policies/" + policy).then().statusCode(200).body("verdict", equalTo("block"));
        given().auth().oauth2(admin).get("/api/toolkits/" + toolkit).then().statusCode(200);
    }

    @Test
    void exposesPrometheusMetricsAndItsOpenApi() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("Executor policy-service"))
                .body(containsString("/api/policies"))
                .body(containsString("/api/toolkits"));
    }

    private static void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }
}
