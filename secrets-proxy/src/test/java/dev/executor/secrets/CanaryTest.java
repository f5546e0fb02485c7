package dev.executor.secrets;

import static dev.executor.secrets.support.Fixtures.awaitReady;
import static dev.executor.secrets.support.Fixtures.dev;
import static dev.executor.secrets.support.Fixtures.ref;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import dev.executor.contracts.Topics;
import dev.executor.secrets.support.CountingTokenProxy;
import dev.executor.secrets.support.Fixtures;
import dev.executor.secrets.support.LoopbackUpstream;
import dev.executor.secrets.support.LoopbackUpstream.Answer;
import dev.executor.secrets.support.SecretsProxyTestConfig;
import dev.executor.secrets.v1.ForwardRequest;
import dev.executor.secrets.v1.Header;
import dev.executor.secrets.v1.HttpRequest;
import dev.executor.secrets.v1.SecretsProxyGrpc;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * DESIGN.md §3 rule 1, secrets never reach the agent: a unique canary value flows through every
 * path (create, list, forward with an upstream echoing it in several encodings, errors, a refused
 * OAuth2 refresh, malformed input) with all logging at DEBUG, and then appears in no response, no
 * log record, no Kafka event and no database row other than its ciphertext.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "secrets"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(SecretsProxyTestConfig.class)
class CanaryTest {

    /**
     * Loggers of the test's own clients (RestAssured's Apache client, the grpc-java client): they
     * run in this JVM on the caller's side and log what the caller sends, not what the service does.
     */
    private static final List<String> CLIENT_SIDE = List.of("org.apache.http", "io.grpc.netty.NettyClientHandler",
            "io.restassured");

    @Test
    void secretsNeverReachTheAgentTheCanaryAppearsOnlyAsCiphertext() throws Exception {
        // Given a unique canary, every log record captured at DEBUG, and an upstream that echoes credentials back
        awaitReady();
        String canary = "canary" + UUID.randomUUID().toString().replace("-", "");
        List<String> forms = forms(canary);
        List<String> logs = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (CLIENT_SIDE.stream().anyMatch(r.getLoggerName()::startsWith)) {
                    return;
                }
                String msg = r instanceof org.jboss.logmanager.ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage();
                StringBuilder all = new StringBuilder(r.getLoggerName()).append(' ').append(msg);
                for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                    all.append(" | ").append(t);
                }
                logs.add(all.toString());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        Level rootLevel = root.getLevel();
        Logger ours = Logger.getLogger("dev.executor");
        Level ourLevel = ours.getLevel();
        root.addHandler(capture);
        root.setLevel(org.jboss.logmanager.Level.DEBUG);
        ours.setLevel(org.jboss.logmanager.Level.DEBUG);

        List<String> responses = new ArrayList<>();
        String admin = KeycloakResource.tokens().admin();
        var channel = Fixtures.channel();
        SecretsProxyGrpc.SecretsProxyBlockingStub stub = Fixtures.stub(channel, KeycloakResource.tokens().service("invoker-service"));
        try (LoopbackUpstream echo = LoopbackUpstream.start("127.0.0.1", r -> {
            String auth = String.valueOf(r.header("Authorization"));
            String token = auth.startsWith("Bearer ") ? auth.substring(7) : auth;
            String body = "raw=" + token + " b64=" + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))
                    + " url=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + " path=" + r.pathAndQuery();
            return new Answer(200, Map.of("X-Echo", auth, "Set-Cookie", "session=" + token), body.getBytes(StandardCharsets.UTF_8));
        }); CountingTokenProxy keycloak = new CountingTokenProxy(KeycloakResource.server().baseUrl())) {
            String name = "canary-" + UUID.randomUUID().toString().substring(0, 8);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("scope", "org:acme");
            body.put("source", "echo");
            body.put("name", name);
            body.put("auth", Map.of("kind", "bearer"));
            body.put("secretValues", Map.of("token", canary));
            body.put("hosts", List.of("127.0.0.1:" + echo.port()));
            body.put("egress", List.of(Map.of("host", "127.0.0.1", "port", echo.port())));

            // When: create, duplicate, read
            var created = given().auth().oauth2(admin).contentType("application/json").body(body).post("/api/connections");
            responses.add(created.asString() + created.headers());
            String id = created.then().statusCode(201).extract().path("id");
            responses.add(given().auth().oauth2(admin).contentType("application/json").body(body).post("/api/connections").asString());
            responses.add(given().auth().oauth2(admin).get("/api/connections").asString());
            responses.add(given().auth().oauth2(admin).get("/api/connections/" + id).asString());
            // malformed JSON quoting the canary
            responses.add(given().auth().oauth2(admin).contentType("application/json")
                    .body("{\"secretValues\": {\"token\": " + canary + "}}").post("/api/connections").asString());

            // forward: the upstream echoes the credential raw, base64 and URL-encoded, in body and headers
            var ok = stub.forward(ForwardRequest.newBuilder().setConnectionRef(ref("org:acme", "echo", name)).setPrincipal(dev())
                    .setRunId("run-canary").setRequest(HttpRequest.newBuilder().setMethod("GET").setUrl(echo.url() + "/echo")).build());
            responses.add(ok.toString() + ok.getBody().toStringUtf8());
            assertThat(ok.getBody().toStringUtf8(), containsString("raw=[REDACTED] b64=[REDACTED] url=[REDACTED]"));

            // errors: a caller-set credential header carrying the canary, an undeclared host, an unreachable port
            responses.add(failure(() -> stub.forward(ForwardRequest.newBuilder().setConnectionRef(ref("org:acme", "echo", name))
                    .setPrincipal(dev()).setRequest(HttpRequest.newBuilder().setMethod("GET").setUrl(echo.url())
                            .addHeaders(Header.newBuilder().setName("Authorization").setValue("Bearer " + canary))).build())));
            responses.add(failure(() -> stub.forward(ForwardRequest.newBuilder().setConnectionRef(ref("org:acme", "echo", name))
                    .setPrincipal(dev()).setRequest(HttpRequest.newBuilder().setMethod("GET").setUrl("http://127.0.0.2:" + echo.port())).build())));
            responses.add(failure(() -> stub.forward(ForwardRequest.newBuilder().setConnectionRef(ref("org:acme", "echo", name))
                    .setPrincipal(dev()).setRequest(HttpRequest.newBuilder().setMethod("GET").setUrl("http://127.0.0.1:1/")).build())));

            // refresh: an OAuth2 connection whose client secret is the canary; Keycloak refuses it
            Map<String, Object> oauth = new LinkedHashMap<>(body);
            oauth.put("name", name + "-oauth");
            oauth.put("auth", Map.of("kind", "oauth2_client_credentials", "tokenUrl", keycloak.tokenUrl(), "clientId", "catalog-service"));
            oauth.put("secretValues", Map.of("client_secret", canary));
            oauth.put("hosts", List.of("127.0.0.1:" + echo.port(), "127.0.0.1:" + keycloak.port()));
            oauth.put("egress", List.of(Map.of("host", "127.0.0.1", "port", echo.port()), Map.of("host", "127.0.0.1", "port", keycloak.port())));
            responses.add(given().auth().oauth2(admin).contentType("application/json").body(oauth).post("/api/connections").asString());
            responses.add(failure(() -> stub.forward(ForwardRequest.newBuilder().setConnectionRef(ref("org:acme", "echo", name + "-oauth"))
                    .setPrincipal(dev()).setRequest(HttpRequest.newBuilder().setMethod("GET").setUrl(echo.url())).build())));
            assertThat(keycloak.requests(), org.hamcrest.Matchers.greaterThanOrEqualTo(1));
        } finally {
            root.removeHandler(capture);
            root.setLevel(rootLevel);
            ours.setLevel(ourLevel);
            channel.shutdownNow();
        }
        List<String> events = Fixtures.consumeAll(Topics.CONNECTION_EVENTS);
        List<String> rows = Fixtures.allRows();

        // Then
        assertThat(logs.size(), org.hamcrest.Matchers.greaterThan(0));
        assertThat(logs.stream().anyMatch(l -> l.contains("Forward run=run-canary")), org.hamcrest.Matchers.is(true));
        assertThat(events.stream().anyMatch(e -> e.contains("ConnectionNeedsReauth")), org.hamcrest.Matchers.is(true));
        for (String form : forms) {
            assertThat("responses", responses.stream().filter(r -> r.contains(form)).toList(), empty());
            assertThat("log records", logs.stream().filter(l -> l.contains(form)).toList(), empty());
            assertThat("kafka events", events.stream().filter(e -> e.contains(form)).toList(), empty());
            assertThat("database rows", rows.stream().filter(r -> r.contains(form)).toList(), empty());
        }
        // ... while its ciphertext is there: one sealed row per connection holding the canary
        assertThat(rows.stream().filter(r -> r.startsWith("stored_secret:")).toList(), not(hasSize(0)));
    }

    private static String failure(Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        return e.getStatus() + " " + e.getTrailers();
    }

    /** The canary as text, base64 (both alphabets, padded or not), URL-encoded and as PostgreSQL bytea hex. */
    private static List<String> forms(String canary) {
        byte[] raw = canary.getBytes(StandardCharsets.UTF_8);
        return List.of(canary,
                Base64.getEncoder().encodeToString(raw), Base64.getEncoder().withoutPadding().encodeToString(raw),
                Base64.getUrlEncoder().withoutPadding().encodeToString(raw),
                URLEncoder.encode(canary, StandardCharsets.UTF_8),
                HexFormat.of().formatHex(raw));
    }
}
