package dev.executor.ledger.rest;

import static dev.executor.ledger.LedgerFixture.awaitReady;
import static dev.executor.ledger.LedgerFixture.awaitStatus;
import static dev.executor.ledger.LedgerFixture.envelopes;
import static dev.executor.ledger.LedgerFixture.publish;
import static dev.executor.ledger.LedgerFixture.rows;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.ApprovalDecision;
import dev.executor.contracts.events.ApprovalExpired;
import dev.executor.contracts.events.ApprovalGranted;
import dev.executor.ledger.LedgerFixture;
import dev.executor.ledger.RunEvents;
import dev.executor.ledger.service.MaintenanceJobs;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.OidcStubResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Approvals: only a human with executor-approver decides (DESIGN.md §3 rule 3), the decision is
 * recorded and emitted once, lapsed requests expire, stuck runs end, pending runs live in the database.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "ledger"))
@WithTestResource(KafkaResource.class)
@WithTestResource(OidcStubResource.class)
class ApprovalResourceTest {

    private static final TypeReference<CloudEvent<ApprovalDecision>> DECISION = new TypeReference<>() {
    };

    @Inject
    MaintenanceJobs jobs;

    private static RunEvents pendingRun(String address) {
        RunEvents run = new RunEvents("alice", address, Instant.now());
        publish(envelopes(List.of(run.requested(), run.pending(Instant.now().plus(Duration.ofHours(1))))));
        awaitStatus(run.runId, "pending_approval");
        return run;
    }

    @Test
    void authorityOnlyNarrowsAnAgentTokenIsRefusedOnEveryApprovalPathAndTheRefusalIsRecorded() {
        // Given a pending run and three machine tokens: an agent, an agent that also holds approver, a service account
        awaitReady();
        RunEvents run = pendingRun("github.acme.work.issues_create");
        var stub = OidcStubResource.stub();
        List<String> tokens = List.of(OidcStubResource.tokens().agent(),
                stub.mint("sneaky-agent", "claude-desktop", List.of("executor-agent", "executor-approver"), "acme", List.of("payments")),
                stub.mint("service-account-ci", "ci", List.of("executor-approver"), "acme", List.of()));

        for (String token : tokens) {
            // When / Then: every approval path answers 403 problem+json
            given().auth().oauth2(token).get("/api/approvals").then().statusCode(403)
                    .contentType(startsWith("application/problem+json")).body("reason", equalTo("PERMISSION_DENIED"));
            given().auth().oauth2(token).contentType("application/json").body("{}")
                    .post("/api/approvals/" + run.runId + "/approve").then().statusCode(403)
                    .contentType(startsWith("application/problem+json"));
            given().auth().oauth2(token).contentType("application/json").body("{\"comment\":\"me\"}")
                    .post("/api/approvals/" + run.runId + "/deny").then().statusCode(403)
                    .contentType(startsWith("application/problem+json"));
        }

        // Then the run is still pending, undecided, and each refusal is in the audit log with who (no token)
        assertEquals("pending_approval", LedgerFixture.status(run.runId));
        assertTrue(rows("SELECT 1 FROM ledger.approval WHERE run_id = '" + run.runId + "'").isEmpty());
        var refusals = rows("SELECT action, outcome, username, detail FROM ledger.audit_log WHERE outcome = 'refused' "
                + "AND run_id = '" + run.runId + "'");
        assertEquals(6, refusals.size());
        assertTrue(refusals.stream().anyMatch(r -> "sneaky-agent".equals(r.get("username")) && r.get("action").equals("approve")));
        assertTrue(refusals.stream().allMatch(r -> !r.toString().contains("eyJ")), "no token in the audit log");
        assertFalse(rows("SELECT 1 FROM ledger.audit_log WHERE action = 'list-approvals' AND username = 'service-account-executor-agent'").isEmpty());
    }

    @Test
    void approvingEmitsExactlyOneApprovalGrantedWithTheRunContextAndArguments() throws Exception {
        // Given
        awaitReady();
        RunEvents run = pendingRun("github.acme.work.issues_create");
        var decisions = LedgerFixture.tail(Topics.APPROVAL_DECISIONS);
        given().auth().oauth2(OidcStubResource.tokens().approver()).get("/api/approvals")
                .then().statusCode(200).body("items.id", hasItem(run.runId));

        // When
        given().auth().oauth2(OidcStubResource.tokens().approver()).contentType("application/json")
                .body("{\"comment\":\"ok, known issue\"}")
                .post("/api/approvals/" + run.runId + "/approve")
                .then().statusCode(200).body("outcome", equalTo("granted")).body("decidedBy.username", equalTo("approver"));

        // Then exactly one decision for this run reaches the real topic
        var records = LedgerFixture.records(decisions, run.runId, 1);
        decisions.close();
        assertEquals(1, records.size());
        assertEquals(Topics.CLOUDEVENTS_CONTENT_TYPE, new String(records.getFirst().headers().lastHeader("content-type").value()));
        CloudEvent<ApprovalDecision> event = RunEvents.JSON.readValue(records.getFirst().value(), DECISION);
        ApprovalGranted granted = (ApprovalGranted) event.data();
        assertEquals("dev.executor.approval.ApprovalGranted.v1", event.type());
        assertEquals("approver", granted.decidedBy().username());
        assertFalse(granted.decidedBy().agent());
        assertEquals("ok, known issue", granted.comment());
        assertEquals("github.acme.work.issues_create", granted.context().address());
        assertEquals("Refund job stuck", granted.arguments().get("title").asText());
        // recorded with who and when, published from the outbox, and out of the inbox
        var approval = rows("SELECT * FROM ledger.approval WHERE run_id = '" + run.runId + "'").getFirst();
        assertEquals("granted", approval.get("outcome"));
        assertEquals("approver", approval.get("decided_by_name"));
        assertFalse(rows("SELECT 1 FROM ledger.outbox WHERE record_key = '" + run.runId + "' AND published_at IS NOT NULL").isEmpty());
        given().auth().oauth2(OidcStubResource.tokens().approver()).get("/api/approvals")
                .then().statusCode(200).body("items.id", not(hasItem(run.runId)));
        given().auth().oauth2(OidcStubResource.tokens().admin()).get("/api/runs/" + run.runId)
                .then().statusCode(200).body("approvals[0].outcome", equalTo("granted"))
                .body("approvals[0].decidedBy", equalTo("approver"));
    }

    @Test
    void aSecondDecisionIsAConflict() {
        // Given a denied run
        awaitReady();
        RunEvents run = pendingRun("github.acme.work.issues_delete");
        given().auth().oauth2(OidcStubResource.tokens().approver()).contentType("application/json").body("{}")
                .post("/api/approvals/" + run.runId + "/deny").then().statusCode(200).body("outcome", equalTo("denied"));

        // When / Then
        given().auth().oauth2(OidcStubResource.tokens().admin()).contentType("application/json").body("{}")
                .post("/api/approvals/" + run.runId + "/approve")
                .then().statusCode(409).contentType(startsWith("application/problem+json")).body("reason", equalTo("CONFLICT"));
        assertEquals("denied", LedgerFixture.status(run.runId));
    }

    @Test
    void refusesADecisionOutsideTheApproversScopesAndOnUnknownRuns() {
        // Given a run placed in another org's scope
        awaitReady();
        RunEvents run = pendingRun("github.globex.work.issues_create");

        // When / Then: the acme approver cannot see it, so it is not found to them
        given().auth().oauth2(OidcStubResource.tokens().approver()).contentType("application/json").body("{}")
                .post("/api/approvals/" + run.runId + "/approve").then().statusCode(404).body("reason", equalTo("RUN_NOT_FOUND"));
        given().auth().oauth2(OidcStubResource.tokens().approver()).contentType("application/json").body("{}")
                .post("/api/approvals/not-a-run/approve").then().statusCode(404);
        given().auth().oauth2(OidcStubResource.tokens().approver()).get("/api/approvals")
                .then().statusCode(200).body("items.id", not(hasItem(run.runId)));
        // an approver of globex can
        String globex = OidcStubResource.stub().mint("gina", "executor-cli", List.of("executor-approver"), "globex", List.of());
        given().auth().oauth2(globex).get("/api/approvals").then().statusCode(200).body("items.id", hasItem(run.runId));
    }

    @Test
    void pendingApprovalsExpireIntoATerminalStatusAndEmitApprovalExpired() throws Exception {
        // Given a pending run whose deadline is one hour away
        awaitReady();
        RunEvents run = pendingRun("github.acme.work.issues_close");
        var decisions = LedgerFixture.tail(Topics.APPROVAL_DECISIONS);

        // When the expiry job runs two hours later
        int expired = jobs.expireApprovals(Instant.now().plus(Duration.ofHours(2))).await().atMost(Duration.ofSeconds(30));

        // Then
        assertTrue(expired >= 1);
        assertEquals("expired", LedgerFixture.status(run.runId));
        var records = LedgerFixture.records(decisions, run.runId, 1);
        decisions.close();
        assertEquals(1, records.size());
        assertTrue(RunEvents.JSON.readValue(records.getFirst().value(), DECISION).data() instanceof ApprovalExpired);
        given().auth().oauth2(OidcStubResource.tokens().approver()).contentType("application/json").body("{}")
                .post("/api/approvals/" + run.runId + "/approve").then().statusCode(409);
        // and a late RunPendingApproval redelivered with a new id cannot reopen it
        publish(envelopes(List.of(run.pending(null))));
        publish(envelopes(List.of(new RunEvents("alice", "x.acme.y.z", Instant.now()).requested())));
        assertEquals("expired", LedgerFixture.status(run.runId));
    }

    @Test
    void runsLeftRunningPastTheLeaseEndAsFailedWithLeaseExpired() {
        // Given a run that started and then went silent, and a pending one (not subject to the lease)
        awaitReady();
        RunEvents stuck = new RunEvents("alice", "github.acme.work.slow_tool", Instant.now());
        publish(envelopes(List.of(stuck.requested(), stuck.admitted(), stuck.started())));
        awaitStatus(stuck.runId, "running");
        RunEvents pending = pendingRun("github.acme.work.other_tool");
        RunEvents approvedButNeverResumed = pendingRun("github.acme.work.third_tool");
        given().auth().oauth2(OidcStubResource.tokens().approver()).contentType("application/json").body("{}")
                .post("/api/approvals/" + approvedButNeverResumed.runId + "/approve").then().statusCode(200);

        // When the lease job runs an hour later (lease: 15 minutes)
        jobs.recoverLeases(Instant.now().plus(Duration.ofHours(1))).await().atMost(Duration.ofSeconds(30));

        // Then
        var row = rows("SELECT status, error::text AS error, finished_at FROM ledger.run WHERE id = '" + stuck.runId + "'").getFirst();
        assertEquals("failed", row.get("status"));
        assertTrue(row.get("error").contains("LEASE_EXPIRED"));
        assertEquals("pending_approval", LedgerFixture.status(pending.runId));
        assertEquals("failed", LedgerFixture.status(approvedButNeverResumed.runId));
    }

    @Test
    void pendingApprovalsSurviveARestartBecauseTheyAreServedFromTheDatabase() {
        // Given a pending run written by an earlier ledger process (straight into the database, no event, no cache)
        awaitReady();
        String id = java.util.UUID.randomUUID().toString();
        LedgerFixture.execute("INSERT INTO ledger.run (id, address, source, scope_id, principal_subject, status, "
                + "arguments, approval_expires_at, created_at, updated_at, last_sequence) VALUES ('" + id
                + "', 'github.acme.work.issues_create', 'github', 'acme', 'alice', 'pending_approval', "
                + "'{\"title\":\"from before the restart\"}', now() + interval '1 hour', now(), now(), 2)");

        // When / Then: this process lists it and an approver can decide it
        given().auth().oauth2(OidcStubResource.tokens().approver()).get("/api/approvals")
                .then().statusCode(200).body("items.id", hasItem(id));
        given().auth().oauth2(OidcStubResource.tokens().approver()).contentType("application/json").body("{}")
                .post("/api/approvals/" + id + "/approve").then().statusCode(200);
        assertNull(rows("SELECT comment FROM ledger.approval WHERE run_id = '" + id + "'").getFirst().get("comment"));
    }
}
