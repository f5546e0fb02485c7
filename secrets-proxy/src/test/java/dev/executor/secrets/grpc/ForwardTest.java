package dev.executor.secrets.grpc;

import static dev.executor.secrets.support.Fixtures.awaitReady;
import static dev.executor.secrets.support.Fixtures.create;
import static dev.executor.secrets.support.Fixtures.dev;
import static dev.executor.secrets.support.Fixtures.ref;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.google.protobuf.Duration;

import dev.executor.contracts.ErrorReasons;
import dev.executor.secrets.support.Fixtures;
import dev.executor.secrets.support.LoopbackUpstream;
import dev.executor.secrets.support.LoopbackUpstream.Answer;
import dev.executor.secrets.support.SecretsProxyTestConfig;
import dev.executor.secrets.v1.ForwardRequest;
import dev.executor.secrets.v1.ForwardResponse;
import dev.executor.secrets.v1.Header;
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

/**
 * {@code SecretsProxy.Forward} end to end over gRPC, against real loopback upstreams. A loopback
 * upstream is reachable only through an explicit egress rule, which is exactly what the rule is
 * for (DESIGN.md §3 rule 2).
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "secrets"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(SecretsProxyTestConfig.class)
class ForwardTest {

    static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);

    private static ManagedChannel channel;
    private static final CountDownLatch RELEASE = new CountDownLatch(1);
    /** Echoes what it received, credentials included, in the body and a header: the proxy must redact them. */
    private static LoopbackUpstream echo;
    private static LoopbackUpstream other;

    @jakarta.inject.Inject
    dev.executor.secrets.service.CachingTokenIdentityProvider tokenCache;

    @BeforeAll
    static void start() {
        echo = LoopbackUpstream.start("127.0.0.1", r -> {
            if (r.pathAndQuery().startsWith("/slow")) {
                try {
                    RELEASE.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (r.pathAndQuery().startsWith("/elsewhere")) {
                return Answer.redirect(302, other.url() + "/collect");
            }
            if (r.pathAndQuery().startsWith("/sse")) {
                String events = "event: message\ndata: {\"auth\":\"" + r.header("Authorization") + "\"}\n\n";
                return new Answer(200, Map.of("Content-Type", "text/event-stream"), events.getBytes(StandardCharsets.UTF_8));
            }
            String seen = "auth=" + r.header("Authorization") + " key=" + r.header("X-Api-Key") + " cookie=" + r.header("Cookie")
                    + " path=" + r.pathAndQuery();
            return new Answer(200, Map.of("X-Echo", seen), seen.getBytes(StandardCharsets.UTF_8));
        });
        other = LoopbackUpstream.start("127.0.0.2", r -> Answer.of(200, "collected"));
    }

    @AfterAll
    static void stop() {
        RELEASE.countDown();
        echo.close();
        other.close();
    }

    @BeforeEach
    void ready() {
        awaitReady();
        if (channel == null) {
            channel = Fixtures.channel();
        }
    }

    @AfterEach
    void forget() {
        echo.received().clear();
        other.received().clear();
    }

    /** An admin-made connection to the echo upstream, opened by an egress rule for its loopback port. */
    static String connection(String name, Map<String, Object> auth, Map<String, String> values, boolean withRule) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("scope", "org:acme");
        body.put("source", "echo");
        body.put("name", name);
        body.put("auth", auth);
        body.put("secretValues", values);
        body.put("hosts", List.of("127.0.0.1:" + echo.port()));
        if (withRule) {
            body.put("egress", List.of(Map.of("host", "127.0.0.1", "port", echo.port())));
        }
        return create(KeycloakResource.tokens().admin(), body);
    }

    static ForwardResponse forward(String name, String url, List<Header> headers) {
        return forward(name, HttpRequest.newBuilder().setMethod("GET").setUrl(url).addAllHeaders(headers).build());
    }

    static ForwardResponse forward(String name, HttpRequest request) {
        return Fixtures.stub(channel, KeycloakResource.tokens().service("invoker-service"))
                .forward(ForwardRequest.newBuilder().setConnectionRef(ref("org:acme", "echo", name)).setPrincipal(dev())
                        .setRunId(UUID.randomUUID().toString()).setRequest(request).build());
    }

    static Stream<Arguments> templates() {
        return Stream.of(
                Arguments.of("bearer", Map.of("kind", "bearer"), "token", "auth=Bearer %s"),
                Arguments.of("api key in a header", Map.of("kind", "api_key", "in", "header", "name", "X-Api-Key"), "key", "key=%s"),
                Arguments.of("api key in the query", Map.of("kind", "api_key", "in", "query", "name", "api_key"), "key", "api_key=%s"),
                Arguments.of("api key in a cookie", Map.of("kind", "api_key", "in", "cookie", "name", "sid"), "key", "cookie=sid=%s"),
                Arguments.of("basic", Map.of("kind", "basic", "username", "bot"), "password", "auth=Basic %s"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void injectsTheCredentialPerTemplateAndRedactsItFromTheResponse(String kind, Map<String, Object> auth, String slot, String seenFormat) {
        // Given
        String value = "val-" + UUID.randomUUID();
        String name = "t-" + UUID.randomUUID();
        connection(name, auth, Map.of(slot, value), true);
        String expectedOnTheWire = kind.equals("basic")
                ? Base64.getEncoder().encodeToString(("bot:" + value).getBytes(StandardCharsets.UTF_8))
                : value;

        // When
        ForwardResponse response = forward(name, echo.url() + "/things?x=1", List.of(Header.newBuilder().setName("Accept").setValue("*/*").build()));

        // Then the upstream got the credential, the caller gets it nowhere
        assertThat(echo.received(), hasSize(1));
        String seen = new String(response.getBody().toByteArray(), StandardCharsets.UTF_8);
        assertEquals(200, response.getStatus());
        assertThat(echo.received().get(0).pathAndQuery() + " " + echo.received().get(0).headers(),
                containsString(expectedOnTheWire));
        assertThat(seen, containsString(String.format(seenFormat, "[REDACTED]")));
        assertThat(seen + response.getHeadersList(), not(containsString(value)));
        assertThat(seen + response.getHeadersList(), not(containsString(expectedOnTheWire)));
    }

    @Test
    void credentialsAreBoundToTheirSourcesHostsAnUndeclaredHostIsRefused() {
        // Given a connection of source "echo" declaring only the echo upstream
        String name = "bound-" + UUID.randomUUID();
        connection(name, Map.of("kind", "bearer"), Map.of("token", "bound-secret"), true);

        // When: the request targets another host (127.0.0.2), which the source did not declare
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> forward(name, other.url() + "/collect", List.of()));

        // Then
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertEquals(ErrorReasons.EGRESS_DENIED, e.getTrailers().get(REASON));
        assertThat(other.received(), empty());
    }

    @Test
    void doesNotFollowARedirectFromTheSourcesHostToAnotherHostWithTheCredential() {
        // Given
        String name = "redirect-" + UUID.randomUUID();
        connection(name, Map.of("kind", "bearer"), Map.of("token", "redirect-secret"), true);

        // When
        ForwardResponse response = forward(name, echo.url() + "/elsewhere", List.of());

        // Then
        assertEquals(302, response.getStatus());
        assertThat(other.received(), empty());
    }

    @Test
    void refusesPrivateAndLoopbackDestinationsByDefault() {
        // Given a connection declaring the loopback upstream but without an egress rule
        String name = "private-" + UUID.randomUUID();
        connection(name, Map.of("kind", "bearer"), Map.of("token", "private-secret"), false);

        // When
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> forward(name, echo.url() + "/", List.of()));

        // Then
        assertEquals(ErrorReasons.EGRESS_DENIED, e.getTrailers().get(REASON));
        assertThat(e.getStatus().getDescription(), containsString("private, loopback"));
        assertThat(echo.received(), empty());
    }

    @Test
    void answersConnectionNotFoundForAnUnknownConnectionOrOneOutsideThePrincipalsScopes() {
        // Given a connection in user:someone-else
        String name = "mine-" + UUID.randomUUID();
        connection(name, Map.of("kind", "none"), Map.of(), true);

        // When / Then
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> forward("nope", echo.url(), List.of()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        assertEquals(ErrorReasons.CONNECTION_NOT_FOUND, unknown.getTrailers().get(REASON));
        var outsider = dev.executor.common.v1.Principal.newBuilder().setSubject("x").setUsername("mallory")
                .addScopeChain(dev.executor.common.v1.Scope.newBuilder().setKind("user").setId("mallory")).build();
        StatusRuntimeException invisible = assertThrows(StatusRuntimeException.class,
                () -> Fixtures.stub(channel, KeycloakResource.tokens().service("invoker-service")).forward(ForwardRequest.newBuilder()
                        .setConnectionRef(ref("org:acme", "echo", name)).setPrincipal(outsider)
                        .setRequest(HttpRequest.newBuilder().setMethod("GET").setUrl(echo.url())).build()));
        assertEquals(ErrorReasons.CONNECTION_NOT_FOUND, invisible.getTrailers().get(REASON));
    }

    @Test
    void refusesAHeaderTheAuthTemplateOwns() {
        // Given
        String name = "reserved-" + UUID.randomUUID();
        connection(name, Map.of("kind", "bearer"), Map.of("token", "reserved-secret"), true);

        // When
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> forward(name, echo.url() + "/",
                List.of(Header.newBuilder().setName("Authorization").setValue("Bearer caller-supplied").build())));

        // Then
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertThat(echo.received(), empty());
    }

    @Test
    void refusesForwardForAnAgentToken() {
        // When
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> Fixtures.stub(channel, KeycloakResource.tokens().agent()).forward(ForwardRequest.newBuilder()
                        .setConnectionRef(ref("org:acme", "echo", "x")).setPrincipal(dev())
                        .setRequest(HttpRequest.newBuilder().setMethod("GET").setUrl(echo.url())).build()));

        // Then
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertEquals(ErrorReasons.PERMISSION_DENIED, e.getTrailers().get(REASON));
    }

    @Test
    void aCachedServiceTokenNeverLendsItsRoleToAnotherToken() {
        // Given: a connection, and the service token already verified (and cached) by a Forward
        String name = "cache-" + UUID.randomUUID();
        connection(name, Map.of("kind", "none"), Map.of(), true);
        String service = KeycloakResource.tokens().service("invoker-service");
        assertEquals(200, forward(name, echo.url(), List.of()).getStatus());
        assertTrue(tokenCache.cache().size() > 0);
        String[] parts = service.split("\\.");
        String agentPayload = KeycloakResource.tokens().agent().split("\\.")[1];
        ForwardRequest request = ForwardRequest.newBuilder().setConnectionRef(ref("org:acme", "echo", name)).setPrincipal(dev())
                .setRequest(HttpRequest.newBuilder().setMethod("GET").setUrl(echo.url())).build();
        echo.received().clear();

        // When: the service token's signature over an agent's claims, its claims with a broken
        // signature, and a real agent token
        var forgedClaims = assertThrows(StatusRuntimeException.class,
                () -> Fixtures.stub(channel, parts[0] + "." + agentPayload + "." + parts[2]).forward(request));
        var forgedSignature = assertThrows(StatusRuntimeException.class,
                () -> Fixtures.stub(channel, parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse()).forward(request));
        var agent = assertThrows(StatusRuntimeException.class, () -> Fixtures.stub(channel, KeycloakResource.tokens().agent()).forward(request));

        // Then: each is verified on its own and refused, and nothing reached the upstream
        assertEquals(Status.Code.UNAUTHENTICATED, forgedClaims.getStatus().getCode());
        assertEquals(Status.Code.UNAUTHENTICATED, forgedSignature.getStatus().getCode());
        assertEquals(Status.Code.PERMISSION_DENIED, agent.getStatus().getCode());
        assertThat(echo.received(), empty());
    }

    @Test
    void answersUpstreamTimeoutWhenTheUpstreamIsTooSlow() {
        // Given
        String name = "slow-" + UUID.randomUUID();
        connection(name, Map.of("kind", "none"), Map.of(), true);

        // When
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> forward(name, HttpRequest.newBuilder()
                .setMethod("GET").setUrl(echo.url() + "/slow").setTimeout(Duration.newBuilder().setNanos(300_000_000)).build()));

        // Then
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        assertEquals(ErrorReasons.UPSTREAM_TIMEOUT, e.getTrailers().get(REASON));
    }

    @Test
    void resolvesFileRefsAtCallTimeSoARotatedMountedSecretIsUsedNextCall() throws Exception {
        // Given an admin connection whose token lives in a mounted file
        var file = SecretsProxyTestConfig.secretsRoot().resolve("echo-token-" + UUID.randomUUID());
        Files.writeString(file, "file-token-1\n");
        String name = "file-" + UUID.randomUUID();
        create(KeycloakResource.tokens().admin(), Map.of("scope", "org:acme", "source", "echo", "name", name,
                "auth", Map.of("kind", "bearer"), "secretRefs", Map.of("token", "file://" + file),
                "hosts", List.of("127.0.0.1:" + echo.port()),
                "egress", List.of(Map.of("host", "127.0.0.1", "port", echo.port()))));
        forward(name, echo.url() + "/one", List.of());

        // When the file changes
        Files.writeString(file, "file-token-2\n");
        forward(name, echo.url() + "/two", List.of());

        // Then
        assertThat(echo.received().get(0).header("Authorization"), equalTo("Bearer file-token-1"));
        assertThat(echo.received().get(1).header("Authorization"), equalTo("Bearer file-token-2"));
    }

    @Test
    void failsWithNeedsReauthorizationWhenTheSecretCannotBeRead() {
        // Given
        String name = "missing-" + UUID.randomUUID();
        create(KeycloakResource.tokens().admin(), Map.of("scope", "org:acme", "source", "echo", "name", name,
                "auth", Map.of("kind", "bearer"), "secretRefs", Map.of("token", "env://EXECUTOR_SECRET_NOT_SET_ANYWHERE"),
                "hosts", List.of("127.0.0.1:" + echo.port()),
                "egress", List.of(Map.of("host", "127.0.0.1", "port", echo.port()))));

        // When
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> forward(name, echo.url() + "/", List.of()));

        // Then: actionable, and the ref's location stays inside the service
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals(ErrorReasons.NEEDS_REAUTHORIZATION, e.getTrailers().get(REASON));
        assertThat(e.getStatus().getDescription(), containsString("needs re-authorization"));
        assertThat(e.getStatus().getDescription(), not(containsString("EXECUTOR_SECRET_NOT_SET_ANYWHERE")));
    }

    @Test
    void streamsAnEventStreamWithTheCredentialRedacted() {
        // Given
        String value = "stream-" + UUID.randomUUID();
        String name = "sse-" + UUID.randomUUID();
        connection(name, Map.of("kind", "bearer"), Map.of("token", value), true);

        // When
        var chunks = new java.util.ArrayList<dev.executor.secrets.v1.ForwardChunk>();
        Fixtures.stub(channel, KeycloakResource.tokens().service("invoker-service")).forwardStream(ForwardRequest.newBuilder()
                .setConnectionRef(ref("org:acme", "echo", name)).setPrincipal(dev())
                .setRequest(HttpRequest.newBuilder().setMethod("GET").setUrl(echo.url() + "/sse")).build())
                .forEachRemaining(chunks::add);

        // Then: head, data, end; the upstream got the credential, the stream carries none
        assertEquals(200, chunks.get(0).getHead().getStatus());
        assertThat(chunks.get(chunks.size() - 1).hasEnd(), equalTo(true));
        String data = chunks.stream().filter(dev.executor.secrets.v1.ForwardChunk::hasData)
                .map(c -> c.getData().toStringUtf8()).reduce("", String::concat);
        assertThat(data, containsString("\"auth\":\"Bearer [REDACTED]\""));
        assertThat(data + chunks.get(0), not(containsString(value)));
        assertThat(echo.received().get(0).header("Authorization"), equalTo("Bearer " + value));
    }
}
