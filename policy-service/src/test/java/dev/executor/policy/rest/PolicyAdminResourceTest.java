package dev.executor.policy.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.executor.contracts.Topics;
import dev.executor.policy.TestKafka;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.OidcStubResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The admin API of policies and toolkits, with real PostgreSQL and Kafka and OIDC-stub tokens. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "policy"))
@WithTestResource(KafkaResource.class)
@WithTestResource(OidcStubResource.class)
class PolicyAdminResourceTest {

    static String admin() {
        return OidcStubResource.tokens().admin();
    }

    @BeforeEach
    void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    static long version() {
        return given().auth().oauth2(admin()).get("/api/policies").then().statusCode(200).extract().jsonPath()
                .getList("version", Long.class).stream().mapToLong(Long::longValue).max().orElse(0);
    }

    @Test
    void createsReadsUpdatesAndDeletesAPolicyBumpingTheVersionEachTime() {
        // Given
        String body = """
                {"scope":"org:acme","attachedKind":"source","attachedId":"github","toolGlob":"repos_*","verdict":"block"}""";

        // When: created
        var created = given().auth().oauth2(admin()).contentType(ContentType.JSON).body(body)
                .post("/api/policies")
                .then().statusCode(201)
                .header("Location", containsString("/api/policies/"))
                .body("id", notNullValue())
                .body("scope", equalTo("org:acme"))
                .body("verdict", equalTo("block"))
                .body("approvalMode", equalTo("any"))
                .body("createdBy", notNullValue())
                .extract().jsonPath();
        String id = created.getString("id");
        long v1 = created.getLong("version");

        // Then: readable, listed
        given().auth().oauth2(admin()).get("/api/policies/" + id).then().statusCode(200).body("toolGlob", equalTo("repos_*"));
        given().auth().oauth2(admin()).get("/api/policies").then().statusCode(200).body("id", hasItem(id));

        // When: updated
        long v2 = given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(body.replace("\"block\"", "\"require_approval\"").replace("}", ",\"approvalMode\":\"ledger_only\"}"))
                .put("/api/policies/" + id)
                .then().statusCode(200)
                .body("verdict", equalTo("require_approval"))
                .body("approvalMode", equalTo("ledger_only"))
                .extract().jsonPath().getLong("version");

        // When: deleted
        given().auth().oauth2(admin()).delete("/api/policies/" + id).then().statusCode(204);

        // Then
        assertTrue(v2 > v1, "update bumps the version: " + v1 + " -> " + v2);
        given().auth().oauth2(admin()).get("/api/policies/" + id)
                .then().statusCode(404).contentType(startsWith("application/problem+json"));
        given().auth().oauth2(admin()).delete("/api/policies/" + id).then().statusCode(404);
    }

    @Test
    void createsUpdatesAndDeletesAToolkit() {
        // Given
        String name = "triage-" + System.nanoTime();

        // When
        String id = given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("scope", "workspace:payments", "name", name, "addresses", List.of("github.*.*.issues_*")))
                .post("/api/toolkits")
                .then().statusCode(201)
                .body("addresses", equalTo(List.of("github.*.*.issues_*")))
                .body("version", greaterThan(0))
                .extract().jsonPath().getString("id");
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("scope", "workspace:payments", "name", name,
                        "addresses", List.of("github.*.*.issues_*", "jira.*.*.search")))
                .put("/api/toolkits/" + id)
                .then().statusCode(200)
                .body("addresses", hasItems("github.*.*.issues_*", "jira.*.*.search"));

        // Then
        given().auth().oauth2(admin()).get("/api/toolkits/" + id).then().statusCode(200).body("name", equalTo(name));
        given().auth().oauth2(admin()).delete("/api/toolkits/" + id).then().statusCode(204);
        given().auth().oauth2(admin()).get("/api/toolkits/" + id).then().statusCode(404);
    }

    @Test
    void refusesASecondToolkitWithTheSameNameInTheSameScope() {
        // Given
        var body = Map.of("scope", "org:acme", "name", "dup-" + System.nanoTime(), "addresses", List.of("*.*.*.*"));
        given().auth().oauth2(admin()).contentType(ContentType.JSON).body(body).post("/api/toolkits").then().statusCode(201);

        // When / Then
        given().auth().oauth2(admin()).contentType(ContentType.JSON).body(body).post("/api/toolkits")
                .then().statusCode(409)
                .contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("CONFLICT"));
    }

    @Test
    void rejectsAnInvalidPolicyWithEveryViolation() {
        // Given
        String body = """
                {"scope":"team:x","attachedKind":"tool","verdict":"maybe","approvalMode":"whoever"}""";

        // When / Then
        given().auth().oauth2(admin()).contentType(ContentType.JSON).body(body)
                .post("/api/policies")
                .then().statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("INVALID_ARGUMENTS"))
                .body("violations.path", hasItems("scope", "attachedKind", "attachedId", "verdict", "approvalMode"));
    }

    @Test
    void rejectsAToolkitWithAMalformedAddressGlob() {
        // When / Then
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("scope", "org:acme", "name", "bad", "addresses", List.of("github.*.issues_*")))
                .post("/api/toolkits")
                .then().statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("violations.path", hasItem("addresses[0]"));
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("scope", "org:acme", "name", "no spaces please", "addresses", List.of()))
                .post("/api/toolkits")
                .then().statusCode(400)
                .body("violations.path", hasItems("name", "addresses"));
    }

    @Test
    void rejectsMalformedJsonAndAMissingBody() {
        given().auth().oauth2(admin()).contentType(ContentType.JSON).body("{not json")
                .post("/api/policies")
                .then().statusCode(400).contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("INVALID_ARGUMENTS"));
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .post("/api/policies")
                .then().statusCode(400).contentType(startsWith("application/problem+json"));
    }

    @Test
    void refusesEveryWriteByAnAgent() {
        // Given
        String agent = OidcStubResource.tokens().agent();
        String body = """
                {"scope":"org:acme","attachedKind":"source","attachedId":"github","verdict":"allow"}""";

        // When / Then
        given().auth().oauth2(agent).contentType(ContentType.JSON).body(body).post("/api/policies")
                .then().statusCode(403).body("reason", equalTo("PERMISSION_DENIED"));
        given().auth().oauth2(agent).contentType(ContentType.JSON).body(body)
                .put("/api/policies/00000000-0000-0000-0000-000000000001")
                .then().statusCode(403);
        given().auth().oauth2(agent).delete("/api/toolkits/00000000-0000-0000-0000-000000000001")
                .then().statusCode(403);
    }

    @Test
    void publishesPolicyChangedWithinOneSecondOfTheChange() throws Exception {
        // Given a consumer at the end of the policy topic, like an invoker's or gateway's cache
        try (var consumer = TestKafka.tail(Topics.POLICY_EVENTS)) {
            long before = version();

            // When
            String id = given().auth().oauth2(admin()).contentType(ContentType.JSON)
                    .body("""
                            {"scope":"workspace:payments","attachedKind":"connection","attachedId":"github.acme.work","verdict":"block"}""")
                    .post("/api/policies")
                    .then().statusCode(201).extract().jsonPath().getString("id");

            // Then: on the topic within 1 s, keyed by the policy id, carrying the new version
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> {
                consumer.poll(Duration.ofMillis(50)).forEach(seen::add);
                return seen.stream().anyMatch(r -> id.equals(r.key()));
            });
            ConsumerRecord<String, String> record = seen.stream().filter(r -> id.equals(r.key())).findFirst().orElseThrow();
            JsonNode event = TestKafka.JSON.readTree(record.value());
            assertEquals("dev.executor.policy.PolicyChanged.v1", event.get("type").asText());
            assertEquals("created", event.at("/data/change").asText());
            assertEquals("connection", event.at("/data/attachedTo").asText());
            assertEquals("dev", event.at("/data/changedBy/username").asText());
            assertTrue(event.at("/data/policyVersion").asLong() > before);
        }
    }

    @Test
    void publishesToolkitChangedOnDeletion() {
        // Given
        String id = given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("scope", "org:acme", "name", "gone-" + System.nanoTime(), "addresses", List.of("*.*.*.*")))
                .post("/api/toolkits").then().statusCode(201).extract().jsonPath().getString("id");
        try (var consumer = TestKafka.tail(Topics.POLICY_EVENTS)) {

            // When
            given().auth().oauth2(admin()).delete("/api/toolkits/" + id).then().statusCode(204);

            // Then
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> {
                consumer.poll(Duration.ofMillis(50)).forEach(seen::add);
                return seen.stream().anyMatch(r -> id.equals(r.key()) && r.value().contains("\"deleted\""));
            });
        }
    }
}
