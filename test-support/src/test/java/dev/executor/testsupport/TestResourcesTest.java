package dev.executor.testsupport;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

import dev.executor.launcher.infra.KeycloakServer;

/** Each resource's start() returns config that points at a live server. */
class TestResourcesTest {

    @Test
    void kafkaResourcePointsAtALiveBroker() throws Exception {
        // When
        Map<String, String> config = new KafkaResource().start();

        // Then
        String bootstrap = config.get("kafka.bootstrap.servers");
        assertEquals(bootstrap, config.get("mp.messaging.connector.smallrye-kafka.bootstrap.servers"));
        assertTrue(bootstrap.startsWith("127.0.0.1:"), bootstrap);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
        }
    }

    @Test
    void postgresResourceCreatesTheDatabaseItsConfigConnectsTo() throws Exception {
        // Given
        PostgresResource resource = new PostgresResource();
        resource.init(Map.of("db", "policy"));

        // When
        Map<String, String> config = resource.start();

        // Then
        assertTrue(config.get("quarkus.datasource.reactive.url").startsWith("vertx-reactive:postgresql://127.0.0.1:"));
        assertEquals("policy", config.get("quarkus.datasource.username"));
        try (Connection c = DriverManager.getConnection(config.get("quarkus.datasource.jdbc.url"),
                config.get("quarkus.datasource.username"), config.get("quarkus.datasource.password"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select current_database(), current_user")) {
            assertTrue(rs.next());
            assertEquals("policy", rs.getString(1));
            assertEquals("policy", rs.getString(2));
        }
    }

    @Test
    void oidcStubServesDiscoveryAndTokensItsKeysVerify() throws Exception {
        // When
        String issuer = new OidcStubResource().start().get("quarkus.oidc.auth-server-url");
        String token = OidcStubResource.tokens().agent();

        // Then
        given().get(issuer + "/.well-known/openid-configuration").then().statusCode(200).body("issuer", equalTo(issuer));
        Map<String, Object> jwk = given().get(issuer + "/protocol/openid-connect/certs").then().statusCode(200)
                .extract().jsonPath().getMap("keys[0]");
        assertTrue(verifies(token, jwk));
        Map<String, Object> claims = KeycloakServer.claims(token);
        assertEquals(issuer, claims.get("iss"));
        assertEquals(List.of("executor-agent"), claims.get("roles"));
        assertEquals("acme", claims.get("executor_org"));
        assertEquals(List.of("payments"), claims.get("executor_workspaces"));
        List<?> adminRoles = (List<?>) KeycloakServer.claims(OidcStubResource.tokens().admin()).get("roles");
        assertTrue(adminRoles.containsAll(List.of("executor-admin", "executor-approver")));
        String fromEndpoint = given().formParam("grant_type", "password").formParam("client_id", "executor-cli")
                .formParam("username", "approver").formParam("password", "approver")
                .post(issuer + "/protocol/openid-connect/token").then().statusCode(200)
                .extract().path("access_token");
        assertEquals(List.of("executor-approver"), KeycloakServer.claims(fromEndpoint).get("roles"));
        given().formParam("grant_type", "password").formParam("client_id", "executor-cli")
                .formParam("username", "dev").formParam("password", "wrong")
                .post(issuer + "/protocol/openid-connect/token").then().statusCode(400);
    }

    @Test
    void keycloakResourcePointsAtTheRealmAndIssuesRealTokens() {
        // When
        String issuer = new KeycloakResource().start().get("quarkus.oidc.auth-server-url");

        // Then
        given().get(issuer + "/.well-known/openid-configuration").then().statusCode(200).body("issuer", equalTo(issuer));
        List<?> agentRoles = (List<?>) KeycloakServer.claims(KeycloakResource.tokens().agent()).get("roles");
        assertTrue(agentRoles.contains("executor-agent"));
        assertFalse(agentRoles.contains("executor-admin"));
        assertEquals(List.of("executor-service"),
                KeycloakServer.claims(KeycloakResource.tokens().service("invoker-service")).get("roles"));
        assertEquals(KeycloakResource.tokens().approver(), KeycloakResource.tokens().approver());
    }

    private static boolean verifies(String jwt, Map<String, Object> jwk) throws Exception {
        Base64.Decoder b64 = Base64.getUrlDecoder();
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, b64.decode((String) jwk.get("n"))), new BigInteger(1, b64.decode((String) jwk.get("e")))));
        String[] parts = jwt.split("\\.");
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(key);
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        return rs256.verify(b64.decode(parts[2]));
    }
}
