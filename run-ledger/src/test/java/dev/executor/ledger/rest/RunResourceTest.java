package dev.executor.ledger.rest;

import static dev.executor.ledger.LedgerFixture.awaitReady;
import static dev.executor.ledger.LedgerFixture.awaitStatus;
import static dev.executor.ledger.LedgerFixture.envelopes;
import static dev.executor.ledger.LedgerFixture.publish;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.executor.ledger.LedgerFixture;
import dev.executor.ledger.RunEvents;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.OidcStubResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** GET /api/runs (filters, keyset pages, visibility), /api/runs/{id}, the NDJSON export and outputs by handle. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "ledger"))
@WithTestResource(KafkaResource.class)
@WithTestResource(OidcStubResource.class)
class RunResourceTest {

    /** 25 runs of one tool: 10 succeeded in acme, 10 failed in acme, 5 succeeded in globex; one a second apart. */
    private static String seed(String tool) {
        String address = "github.acme.work." + tool;
        LedgerFixture.execute("INSERT INTO ledger.run (id, address, source, scope_id, principal_subject, status, "
                + "created_at, updated_at, finished_at, last_sequence) SELECT gen_random_uuid(), "
                + "CASE WHEN g > 20 THEN 'github.globex.work." + tool + "' ELSE '" + address + "' END, 'github', "
                + "CASE WHEN g > 20 THEN 'globex' ELSE 'acme' END, 'subject-' || (g % 2), "
                + "CASE WHEN g > 10 AND g <= 20 THEN 'failed' ELSE 'succeeded' END, "
                + "timestamptz '2025-01-01T00:00:00Z' + g * interval '1 second', now(), now(), 4 FROM generate_series(1, 25) g");
        return address;
    }

    @Test
    void pagesThroughFilteredRunsNewestFirstWithAnOpaqueCursor() {
        // Given
        awaitReady();
        String tool = "t" + UUID.randomUUID().toString().substring(0, 8);
        String address = seed(tool);
        String admin = OidcStubResource.tokens().admin();

        // When every page of 4 is fetched
        List<String> ids = new ArrayList<>();
        List<String> created = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var req = given().auth().oauth2(admin).queryParam("address", address).queryParam("status", "succeeded")
                    .queryParam("limit", 4);
            if (cursor != null) {
                req.queryParam("cursor", cursor);
            }
            JsonPath page = req.get("/api/runs").then().statusCode(200).extract().jsonPath();
            ids.addAll(page.getList("items.id"));
            created.addAll(page.getList("items.requestedAt"));
            cursor = page.getString("nextCursor");
            pages++;
        } while (cursor != null);

        // Then 10 distinct runs, 3 pages, newest first
        assertEquals(10, ids.size());
        assertEquals(10, new HashSet<>(ids).size());
        assertEquals(3, pages);
        List<String> sorted = new ArrayList<>(created);
        sorted.sort(java.util.Comparator.reverseOrder());
        assertEquals(sorted, created);
    }

    @Test
    void filtersByStatusScopeSourcePrincipalAndTime() {
        // Given
        awaitReady();
        String tool = "t" + UUID.randomUUID().toString().substring(0, 8);
        String address = seed(tool);
        String admin = OidcStubResource.tokens().admin();

        // When / Then
        given().auth().oauth2(admin).queryParam("tool", address).queryParam("status", "FAILED").queryParam("limit", 100)
                .get("/api/runs").then().statusCode(200).body("items", hasSize(10)).body("items.status", everyItem(equalTo("failed")));
        given().auth().oauth2(admin).queryParam("address", address).queryParam("status", "failed,succeeded")
                .queryParam("limit", 100).get("/api/runs").then().body("items", hasSize(20));
        given().auth().oauth2(admin).queryParam("address", "github.globex.work." + tool).queryParam("scope", "org:globex")
                .get("/api/runs").then().body("items", hasSize(5));
        given().auth().oauth2(admin).queryParam("address", address).queryParam("principal", "subject-1").queryParam("limit", 100)
                .get("/api/runs").then().body("items", hasSize(10));
        given().auth().oauth2(admin).queryParam("address", address).queryParam("from", "2025-01-01T00:00:05Z")
                .queryParam("to", "2025-01-01T00:00:10Z").get("/api/runs").then().body("items", hasSize(5));
        given().auth().oauth2(admin).queryParam("source", "gitlab").queryParam("address", address)
                .get("/api/runs").then().body("items", hasSize(0)).body("nextCursor", nullValue());
    }

    @Test
    void refusesBadFiltersAndForeignCursorsWithAProblem() {
        awaitReady();
        String admin = OidcStubResource.tokens().admin();
        given().auth().oauth2(admin).queryParam("status", "sleeping").get("/api/runs").then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("reason", equalTo("INVALID_ARGUMENTS"));
        given().auth().oauth2(admin).queryParam("from", "yesterday").get("/api/runs").then().statusCode(400);
        given().auth().oauth2(admin).queryParam("cursor", "forged").get("/api/runs").then().statusCode(400);
    }

    @Test
    void anApproverSeesOnlyRunsInTheirScopesAndAnAdminSeesAll() {
        // Given runs in acme and globex
        awaitReady();
        String tool = "t" + UUID.randomUUID().toString().substring(0, 8);
        seed(tool);

        // When / Then
        given().auth().oauth2(OidcStubResource.tokens().approver()).queryParam("source", "github").queryParam("limit", 500)
                .get("/api/runs").then().statusCode(200).body("items.scope", everyItem(equalTo("acme")));
        given().auth().oauth2(OidcStubResource.tokens().admin()).queryParam("address", "github.globex.work." + tool)
                .get("/api/runs").then().statusCode(200).body("items", hasSize(5));
        given().auth().oauth2(OidcStubResource.tokens().agent()).get("/api/runs").then().statusCode(403);
        given().auth().oauth2(OidcStubResource.tokens().viewer()).get("/api/runs").then().statusCode(403);
    }

    @Test
    void showsOneRunWithItsTimelineInSequenceOrderAndHidesForeignRuns() {
        // Given a run ingested from events that arrived in reverse
        awaitReady();
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", Instant.now());
        publish(envelopes(run.lifecycle().reversed()));
        awaitStatus(run.runId, "succeeded");
        RunEvents foreign = new RunEvents("bob", "github.globex.work.issues_create", Instant.now());
        publish(envelopes(List.of(foreign.requested())));
        awaitStatus(foreign.runId, "requested");

        // When / Then
        given().auth().oauth2(OidcStubResource.tokens().approver()).get("/api/runs/" + run.runId).then().statusCode(200)
                .body("status", equalTo("succeeded")).body("output.number", equalTo(1347))
                .body("timeline.sequence", equalTo(List.of(1, 2, 3, 4)))
                .body("timeline.type", equalTo(List.of("RunRequested", "RunAdmitted", "RunStarted", "RunSucceeded")))
                .body("principalChain[0].subject", equalTo("alice"));
        given().auth().oauth2(OidcStubResource.tokens().approver()).get("/api/runs/" + foreign.runId).then().statusCode(404)
                .body("reason", equalTo("RUN_NOT_FOUND"));
        given().auth().oauth2(OidcStubResource.tokens().approver()).get("/api/runs/123").then().statusCode(404);
    }

    @Test
    void exportsVisibleRunsAsNdjsonOldestFirst() {
        // Given
        awaitReady();
        String tool = "t" + UUID.randomUUID().toString().substring(0, 8);
        String address = seed(tool);

        // When
        String body = given().auth().oauth2(OidcStubResource.tokens().admin()).queryParam("address", address)
                .get("/api/runs/export").then().statusCode(200).contentType(startsWith("application/x-ndjson"))
                .extract().asString();

        // Then one JSON object per line, all 20 acme runs, oldest first
        List<String> lines = body.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(20, lines.size());
        List<String> times = lines.stream().map(l -> JsonPath.from(l).getString("requestedAt")).toList();
        List<String> sorted = new ArrayList<>(times);
        sorted.sort(null);
        assertEquals(sorted, times);
        assertTrue(lines.stream().allMatch(l -> l.startsWith("{") && l.endsWith("}")));
    }

    @Test
    void servesAStoredOutputByHandleOnlyToWhoeverCanReadItsRun() {
        // Given a succeeded run whose output is stored, in acme, and one in globex
        awaitReady();
        String handle = "out-" + UUID.randomUUID();
        RunEvents run = new RunEvents("alice", "github.acme.work.big_report", Instant.now());
        publish(envelopes(List.of(run.requested(), run.succeededStored(handle))));
        awaitStatus(run.runId, "succeeded");
        LedgerFixture.execute("INSERT INTO ledger.run_output (handle, run_id, content) VALUES ('" + handle + "', '"
                + run.runId + "', convert_to('{\"rows\":[1,2,3]}', 'UTF8'))");
        String globexApprover = OidcStubResource.stub().mint("gina", "executor-cli", List.of("executor-approver"), "globex", List.of());

        // When / Then
        given().auth().oauth2(OidcStubResource.tokens().approver()).get("/api/outputs/" + handle).then().statusCode(200)
                .header("X-Output-Total-Size", "16").body("rows", equalTo(List.of(1, 2, 3)));
        given().auth().oauth2(OidcStubResource.tokens().approver()).queryParam("offset", 9).queryParam("length", 5)
                .get("/api/outputs/" + handle).then().statusCode(200).body(equalTo("1,2,3"));
        given().auth().oauth2(globexApprover).get("/api/outputs/" + handle).then().statusCode(404);
        given().auth().oauth2(OidcStubResource.tokens().approver()).get("/api/runs/" + run.runId).then()
                .body("outputHandle", equalTo(handle));
    }
}
