package dev.executor.ledger;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Boots run-ledger against a real PostgreSQL, Kafka broker and Keycloak. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "ledger"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
class RunLedgerTest {

    @Test
    void becomesReadyAgainstRealPostgresAndKafka() {
        // Given a freshly started service

        // When / Then: schema migrated, reactive pool and Kafka channel all report UP
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.name", hasItem("Database schema")));
    }

    @Test
    void listsRunsForAnApproverAndForAnAdmin() {
        // Given
        String approver = KeycloakResource.tokens().approver();
        String admin = KeycloakResource.tokens().admin();
        awaitReady();

        // When / Then
        given().auth().oauth2(approver).get("/api/runs")
                .then().statusCode(200).body("items", notNullValue());
        given().auth().oauth2(admin).get("/api/runs")
                .then().statusCode(200).body("items", notNullValue());
    }

    @Test
    void listsPendingApprovalsForAnApprover() {
        // Given
        String approver = KeycloakResource.tokens().approver();
        awaitReady();

        // When / Then
        given().auth().oauth2(approver).get("/api/approvals")
                .then().statusCode(200).body("items", notNullValue());
    }

    @Test
    void refusesRunsWithoutATokenWithAProblemAndAChallenge() {
        // When / Then
        given().get("/api/runs")
                .then().statusCode(401)
                .contentType(startsWith("application/problem+json"))
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("reason", equalTo("UNAUTHENTICATED"))
                .body("status", equalTo(401));
    }

    @Test
    void refusesRunsForAnAgentToken() {
        // Given
        String agent = KeycloakResource.tokens().agent();

        // When / Then
        given().auth().oauth2(agent).get("/api/runs")
                .then().statusCode(403)
                .contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("PERMISSION_DENIED"));
    }

    @Test
    void refusesTheApprovalsInboxToAnAgentToken() {
        // Given
        String agent = KeycloakResource.tokens().agent();

        // When / Then
        given().auth().oauth2(agent).get("/api/approvals")
                .then().statusCode(403)
                .contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("PERMISSION_DENIED"));
    }

    @Test
    void aRealKeycloakAgentTokenCannotApproveButARealApproverCan() {
        // Given a pending run in the approver's org and tokens issued by the real Keycloak
        awaitReady();
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", java.time.Instant.now());
        LedgerFixture.publish(LedgerFixture.envelopes(java.util.List.of(run.requested(),
                run.pending(java.time.Instant.now().plusSeconds(3600)))));
        LedgerFixture.awaitStatus(run.runId, "pending_approval");

        // When / Then: the agent is refused (and recorded), the human approver decides
        given().auth().oauth2(KeycloakResource.tokens().agent()).contentType("application/json").body("{}")
                .post("/api/approvals/" + run.runId + "/approve")
                .then().statusCode(403).contentType(startsWith("application/problem+json"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !LedgerFixture.rows("SELECT 1 FROM ledger.audit_log WHERE "
                + "outcome = 'refused' AND run_id = '" + run.runId + "'").isEmpty());
        given().auth().oauth2(KeycloakResource.tokens().approver()).contentType("application/json").body("{}")
                .post("/api/approvals/" + run.runId + "/approve")
                .then().statusCode(200).body("outcome", equalTo("granted"));
    }

    @Test
    void exposesPrometheusMetricsAndItsOpenApi() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("Executor run-ledger"))
                .body(containsString("/api/runs"))
                .body(containsString("/api/approvals"));
    }

    private static void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }
}
