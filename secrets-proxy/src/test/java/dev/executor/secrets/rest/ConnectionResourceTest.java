package dev.executor.secrets.rest;

import static dev.executor.secrets.support.Fixtures.awaitReady;
import static dev.executor.secrets.support.Fixtures.create;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.executor.secrets.support.Fixtures;
import dev.executor.secrets.support.SecretsProxyTestConfig;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** REST {@code /api/connections} with real Keycloak tokens (DESIGN.md §3 rules 1 and 3). */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "secrets"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(SecretsProxyTestConfig.class)
class ConnectionResourceTest {

    @BeforeEach
    void ready() {
        awaitReady();
    }

    private static Map<String, Object> bearer(String scope, String name, String value) {
        return Map.of("scope", scope, "source", "github", "name", name,
                "auth", Map.of("kind", "bearer"),
                "secretValues", Map.of("token", value),
                "hosts", List.of("api.github.com"));
    }

    @Test
    void createsAConnectionForAnAdminAndNeverReturnsTheSecretValue() {
        // Given
        String admin = KeycloakResource.tokens().admin();
        String value = "ghp_" + UUID.randomUUID();

        // When
        var created = given().auth().oauth2(admin).contentType("application/json").body(bearer("org:acme", "work-" + UUID.randomUUID(), value))
                .post("/api/connections")
                .then().statusCode(201)
                .header("Location", containsString("/api/connections/"))
                .body("credentials[0].name", equalTo("token"))
                .body("credentials[0].provider", equalTo("stored"))
                .body("status", equalTo("ACTIVE"))
                .extract();

        // Then: neither the value nor the stored:// ref is ever shown
        String id = created.path("id");
        assertThat(created.asString(), not(containsString(value)));
        assertThat(created.asString(), not(containsString("stored://")));
        String one = given().auth().oauth2(admin).get("/api/connections/" + id).then().statusCode(200).extract().asString();
        String all = given().auth().oauth2(admin).get("/api/connections").then().statusCode(200).extract().asString();
        assertThat(one + all, not(containsString(value)));
        assertThat(one + all, not(containsString("stored://")));
    }

    @Test
    void onlyAConnectionWithoutCredentialMayDeclareNoHost() {
        // Given an admin, and a source that declares no host (a stdio MCP server the invoker runs)
        String admin = KeycloakResource.tokens().admin();

        // When / Then: a credential-free connection is accepted without hosts
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("scope", "org:acme", "source", "everything",
                "name", "local-" + UUID.randomUUID(), "auth", Map.of("kind", "none"), "hosts", List.of()))
                .post("/api/connections").then().statusCode(201).body("hosts", org.hamcrest.Matchers.empty());
        // and one carrying a credential is refused, so a secret always has somewhere it may go and nowhere else
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("scope", "org:acme", "source", "everything",
                "name", "tok-" + UUID.randomUUID(), "auth", Map.of("kind", "bearer"), "secretValues", Map.of("token", "t-1"),
                "hosts", List.of()))
                .post("/api/connections").then().statusCode(400).body("reason", equalTo("INVALID_ARGUMENTS"))
                .body("detail", containsString("hosts is required"));
    }

    @Test
    void authorityOnlyNarrowsAnAgentCannotAddListOrDeleteConnections() {
        // Given
        String agent = KeycloakResource.tokens().agent();

        // When / Then
        given().auth().oauth2(agent).contentType("application/json").body(bearer("org:acme", "agent-made", "x"))
                .post("/api/connections")
                .then().statusCode(403)
                .contentType(startsWith("application/problem+json"))
                .body("reason", equalTo("PERMISSION_DENIED"));
        given().auth().oauth2(agent).get("/api/connections").then().statusCode(403);
        given().auth().oauth2(agent).contentType("application/json").body(bearer("user:service-account-executor-agent", "own", "x"))
                .post("/api/connections")
                .then().statusCode(403);
    }

    @Test
    void letsAPersonCreateConnectionsOnlyInTheirOwnUserScope() {
        // Given user "viewer" without any executor role
        String viewer = KeycloakResource.tokens().viewer();

        // When / Then
        create(viewer, bearer("user:viewer", "personal-" + UUID.randomUUID(), "v-1"));
        given().auth().oauth2(viewer).contentType("application/json").body(bearer("org:acme", "sneaky", "v-2"))
                .post("/api/connections").then().statusCode(403).body("reason", equalTo("PERMISSION_DENIED"))
                .body("detail", containsString("user:viewer"));
        given().auth().oauth2(viewer).contentType("application/json").body(bearer("user:dev", "sneaky", "v-3"))
                .post("/api/connections").then().statusCode(403);
        given().auth().oauth2(viewer).get("/api/connections")
                .then().statusCode(200).body("scope", everyItem(equalTo("user:viewer")));
    }

    @Test
    void refusesEgressRulesAndPlatformSecretRefsFromANonAdmin() {
        // Given
        String viewer = KeycloakResource.tokens().viewer();
        var withRule = Map.of("scope", "user:viewer", "source", "github", "name", "rule",
                "auth", Map.of("kind", "bearer"), "secretValues", Map.of("token", "x"),
                "hosts", List.of("api.github.com"), "egress", List.of(Map.of("host", "10.0.0.0/8")));
        var withEnvRef = Map.of("scope", "user:viewer", "source", "github", "name", "envref",
                "auth", Map.of("kind", "bearer"), "secretRefs", Map.of("token", "env://EXECUTOR_SECRET_ORG_TOKEN"),
                "hosts", List.of("api.github.com"));

        // When / Then
        given().auth().oauth2(viewer).contentType("application/json").body(withRule)
                .post("/api/connections").then().statusCode(403).body("detail", containsString("egress"));
        given().auth().oauth2(viewer).contentType("application/json").body(withEnvRef)
                .post("/api/connections").then().statusCode(403).body("detail", containsString("env://"));
    }

    @Test
    void requiresANameAndTheTemplatesSlotsWithAnActionableProblem() {
        // Given
        String admin = KeycloakResource.tokens().admin();

        // When / Then
        given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("scope", "org:acme", "source", "github", "auth", Map.of("kind", "bearer"),
                        "secretValues", Map.of("token", "x"), "hosts", List.of("api.github.com")))
                .post("/api/connections").then().statusCode(400)
                .body("reason", equalTo("INVALID_ARGUMENTS")).body("detail", containsString("name is required"));
        given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("scope", "org:acme", "source", "github", "name", "noslot", "auth", Map.of("kind", "bearer"),
                        "hosts", List.of("api.github.com")))
                .post("/api/connections").then().statusCode(400).body("detail", containsString("slot 'token'"));
        given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("scope", "org:acme", "source", "github", "name", "stolen", "auth", Map.of("kind", "bearer"),
                        "secretRefs", Map.of("token", "stored://" + UUID.randomUUID()), "hosts", List.of("api.github.com")))
                .post("/api/connections").then().statusCode(400).body("detail", containsString("stored:// refs cannot be given"));
        given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("scope", "org:acme", "source", "github", "name", "outside", "auth", Map.of("kind", "bearer"),
                        "secretRefs", Map.of("token", "file:///etc/shadow"), "hosts", List.of("api.github.com")))
                .post("/api/connections").then().statusCode(400).body("detail", containsString("file:// refs must point under"));
    }

    @Test
    void keepsManyConnectionsPerSourceButRefusesADuplicateAddress() {
        // Given
        String admin = KeycloakResource.tokens().admin();
        String name = "prod-" + UUID.randomUUID();
        create(admin, bearer("org:acme", name, "a"));
        create(admin, bearer("org:acme", name + "-2", "b"));

        // When / Then
        given().auth().oauth2(admin).contentType("application/json").body(bearer("org:acme", name, "c"))
                .post("/api/connections").then().statusCode(409).body("reason", equalTo("CONFLICT"));
    }

    @Test
    void deletesAConnectionAndHidesOthersConnectionsFromNonAdmins() {
        // Given
        String admin = KeycloakResource.tokens().admin();
        String viewer = KeycloakResource.tokens().viewer();
        String orgConnection = create(admin, bearer("org:acme", "gone-" + UUID.randomUUID(), "d"));

        // When / Then: a person cannot see or delete it
        given().auth().oauth2(viewer).get("/api/connections/" + orgConnection).then().statusCode(404);
        given().auth().oauth2(viewer).delete("/api/connections/" + orgConnection).then().statusCode(404);
        // the admin can
        given().auth().oauth2(admin).delete("/api/connections/" + orgConnection).then().statusCode(204);
        given().auth().oauth2(admin).get("/api/connections/" + orgConnection).then().statusCode(404)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void rotatesStoredSecretsToTheActiveKey() throws Exception {
        // Given a stored secret whose row claims the old key k1
        String admin = KeycloakResource.tokens().admin();
        String id = create(admin, bearer("org:acme", "rotate-" + UUID.randomUUID(), "rot-1"));
        try (var c = Fixtures.jdbc()) {
            var cipher = new dev.executor.secrets.provider.stored.StoredSecretCipher(
                    java.util.Optional.of(List.of("k1=file:" + SecretsProxyTestConfig.dir().resolve("k1"))),
                    java.util.Optional.empty(), System::getenv);
            var rs = c.createStatement().executeQuery("SELECT id FROM secrets.stored_secret WHERE connection_id = '" + id + "'");
            rs.next();
            UUID secretId = rs.getObject(1, UUID.class);
            var sealed = cipher.seal("rot-1".getBytes(java.nio.charset.StandardCharsets.UTF_8), "stored_secret:" + secretId);
            var ps = c.prepareStatement("UPDATE secrets.stored_secret SET key_id = ?, nonce = ?, ciphertext = ? WHERE id = ?");
            ps.setString(1, sealed.keyId());
            ps.setBytes(2, sealed.nonce());
            ps.setBytes(3, sealed.ciphertext());
            ps.setObject(4, secretId);
            ps.executeUpdate();
        }

        // When
        given().auth().oauth2(admin).post("/api/connections/stored-secrets/rotate")
                .then().statusCode(200).body("storedSecrets", greaterThanOrEqualTo(1));

        // Then every stored secret is sealed under k2, and the agent cannot rotate
        try (var c = Fixtures.jdbc(); var rs = c.createStatement().executeQuery("SELECT DISTINCT key_id FROM secrets.stored_secret")) {
            rs.next();
            assertThat(rs.getString(1), equalTo("k2"));
            assertThat(rs.next(), equalTo(false));
        }
        given().auth().oauth2(KeycloakResource.tokens().agent()).post("/api/connections/stored-secrets/rotate").then().statusCode(403);
        assertThat(id, notNullValue());
    }

    @Test
    void documentsTheApiInOpenApi() {
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/connections"))
                .body(not(containsString("secretRefs\":{\"token\":\"stored")));
        assertThat(List.of("x"), hasItem("x"));
    }
}
