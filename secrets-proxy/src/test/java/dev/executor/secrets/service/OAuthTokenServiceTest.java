package dev.executor.secrets.service;

import static dev.executor.secrets.support.Fixtures.awaitReady;
import static dev.executor.secrets.support.Fixtures.create;
import static dev.executor.secrets.support.Fixtures.dev;
import static dev.executor.secrets.support.Fixtures.ref;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.executor.contracts.ErrorReasons;
import dev.executor.contracts.Topics;
import dev.executor.launcher.infra.KeycloakServer;
import dev.executor.secrets.SecretValue;
import dev.executor.secrets.support.CountingTokenProxy;
import dev.executor.secrets.support.Fixtures;
import dev.executor.secrets.support.LoopbackUpstream;
import dev.executor.secrets.support.LoopbackUpstream.Answer;
import dev.executor.secrets.support.SecretsProxyTestConfig;
import dev.executor.secrets.v1.ForwardRequest;
import dev.executor.secrets.v1.ForwardResponse;
import dev.executor.secrets.v1.HttpRequest;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** OAuth2 against the real Keycloak of test-support: client credentials, refresh tokens, single-flight refresh, reauth. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "secrets"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(SecretsProxyTestConfig.class)
class OAuthTokenServiceTest {

    private static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);

    @Inject
    OAuthTokenService oauth;

    @Inject
    ConnectionService connections;

    private static LoopbackUpstream api;
    private static CountingTokenProxy proxy;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        api = LoopbackUpstream.start("127.0.0.1", r -> Answer.of(200, "ok"));
        proxy = new CountingTokenProxy(KeycloakResource.server().baseUrl());
    }

    @AfterAll
    static void stop() {
        api.close();
        proxy.close();
    }

    @BeforeEach
    void ready() {
        awaitReady();
        if (channel == null) {
            channel = Fixtures.channel();
        }
    }

    private static String oauthConnection(String name, Map<String, Object> auth, Map<String, String> values) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("scope", "org:acme");
        body.put("source", "api");
        body.put("name", name);
        body.put("auth", auth);
        body.put("secretValues", values);
        body.put("hosts", List.of("127.0.0.1:" + api.port(), "127.0.0.1:" + proxy.port()));
        body.put("egress", List.of(Map.of("host", "127.0.0.1", "port", api.port()), Map.of("host", "127.0.0.1", "port", proxy.port())));
        return create(KeycloakResource.tokens().admin(), body);
    }

    private static Map<String, Object> clientCredentials() {
        return Map.of("kind", "oauth2_client_credentials", "tokenUrl", proxy.tokenUrl(), "clientId", "catalog-service");
    }

    private static ForwardResponse forward(String name) {
        return Fixtures.stub(channel, KeycloakResource.tokens().service("invoker-service")).forward(ForwardRequest.newBuilder()
                .setConnectionRef(ref("org:acme", "api", name)).setPrincipal(dev())
                .setRequest(HttpRequest.newBuilder().setMethod("GET").setUrl("http://127.0.0.1:" + api.port() + "/x")).build());
    }

    @Test
    void fetchesAClientCredentialsTokenFromKeycloakOnceAndReusesIt() {
        // Given
        String name = "cc-" + UUID.randomUUID();
        oauthConnection(name, clientCredentials(), Map.of("client_secret", "catalog-service-secret"));
        int before = proxy.requests();
        api.received().clear();

        // When
        forward(name);
        forward(name);

        // Then: one token request; the upstream saw a Keycloak token issued to catalog-service
        assertEquals(1, proxy.requests() - before);
        String auth = api.received().get(0).header("Authorization");
        assertThat(auth, startsWith("Bearer "));
        assertThat(KeycloakServer.claims(auth.substring(7)).get("azp"), equalTo("catalog-service"));
        assertThat(api.received().get(1).header("Authorization"), equalTo(auth));
    }

    @Test
    void twoConcurrentForwardsInOneReplicaShareOneTokenRequest() {
        // Given a connection without a token yet, and token requests held at the proxy
        String name = "sf-" + UUID.randomUUID();
        oauthConnection(name, clientCredentials(), Map.of("client_secret", "catalog-service-secret"));
        int before = proxy.requests();
        api.received().clear();
        proxy.hold();

        // When two forwards need a token at the same time
        var first = CompletableFuture.supplyAsync(() -> forward(name));
        var second = CompletableFuture.supplyAsync(() -> forward(name));
        await().atMost(Duration.ofSeconds(20)).until(() -> proxy.requests() - before >= 1);
        proxy.release();
        first.join();
        second.join();

        // Then
        assertEquals(1, proxy.requests() - before);
        assertEquals(api.received().get(0).header("Authorization"), api.received().get(1).header("Authorization"));
    }

    @Test
    void twoConcurrentRefreshesOnDifferentReplicasResolveToOneTokenRequest() throws Exception {
        // Given a connection and two refreshes that bypass the in-replica single-flight, as two replicas would
        String name = "xr-" + UUID.randomUUID();
        oauthConnection(name, clientCredentials(), Map.of("client_secret", "catalog-service-secret"));
        var connection = connections.lookup("org:acme", "api", name).await().indefinitely();
        var slots = Map.of("client_secret", SecretValue.of("catalog-service-secret"));
        int before = proxy.requests();
        proxy.hold();

        // When replica 1 is inside its refresh (token request held) and replica 2 waits on the lock
        var one = oauth.refreshAcrossReplicas(connection, slots, null).subscribeAsCompletionStage();
        await().atMost(Duration.ofSeconds(20)).until(() -> proxy.requests() - before == 1);
        var two = oauth.refreshAcrossReplicas(connection, slots, null).subscribeAsCompletionStage();
        await().atMost(Duration.ofSeconds(20)).until(OAuthTokenServiceTest::someoneWaitsForAnAdvisoryLock);
        proxy.release();

        // Then the second reuses the token the first stored
        var t1 = one.toCompletableFuture().get();
        var t2 = two.toCompletableFuture().get();
        assertEquals(1, proxy.requests() - before);
        assertEquals(t1.access().reveal(), t2.access().reveal());
        assertEquals(t1.generation(), t2.generation());
    }

    @Test
    void refreshesWithARefreshTokenFromTheAuthorizationCodeFlow() throws Exception {
        // Given a refresh token for user dev, as an authorization-code login would leave it
        String refreshToken = refreshTokenForDev();
        String name = "ac-" + UUID.randomUUID();
        oauthConnection(name, Map.of("kind", "oauth2_authorization_code", "tokenUrl", proxy.tokenUrl(), "clientId", "executor-cli"),
                Map.of("refresh_token", refreshToken));
        api.received().clear();

        // When
        forward(name);

        // Then
        String auth = api.received().get(0).header("Authorization");
        assertThat(KeycloakServer.claims(auth.substring(7)).get("preferred_username"), equalTo("dev"));
    }

    @Test
    void aRefusedRefreshSurfacesAsNeedsReauthorizationWithAnEvent() {
        // Given a connection whose client secret Keycloak refuses
        String name = "bad-" + UUID.randomUUID();
        String id = oauthConnection(name, clientCredentials(), Map.of("client_secret", "wrong-" + UUID.randomUUID()));

        // When
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> forward(name));
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class, () -> forward(name));

        // Then: actionable, remembered, announced
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals(ErrorReasons.NEEDS_REAUTHORIZATION, e.getTrailers().get(REASON));
        assertThat(e.getStatus().getDescription(), containsString("connection org:acme/api/" + name + " needs re-authorization"));
        assertThat(e.getStatus().getDescription(), containsString("the token endpoint refused its credentials"));
        assertEquals(ErrorReasons.NEEDS_REAUTHORIZATION, again.getTrailers().get(REASON));
        given().auth().oauth2(KeycloakResource.tokens().admin()).get("/api/connections/" + id)
                .then().statusCode(200).body("status", equalTo("NEEDS_REAUTH"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                Fixtures.consumeAll(Topics.CONNECTION_EVENTS).stream()
                        .filter(v -> v.contains("ConnectionNeedsReauth") && v.contains(id)).toList().size(), equalTo(1)));
        assertThat(Fixtures.consumeAll(Topics.CONNECTION_EVENTS), hasItem(containsString("\"type\":\"ConnectionCreated\"")));
    }

    private static boolean someoneWaitsForAnAdvisoryLock() throws Exception {
        try (var c = Fixtures.jdbc(); var rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    private static String refreshTokenForDev() throws Exception {
        var response = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(URI.create(KeycloakResource.server().tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(BodyPublishers.ofString("grant_type=password&client_id=executor-cli&username=dev&password=dev&scope=openid"))
                .build(), BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get("refresh_token").asText();
    }
}
