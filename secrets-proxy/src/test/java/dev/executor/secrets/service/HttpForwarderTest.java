package dev.executor.secrets.service;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.executor.contracts.ErrorReasons;
import dev.executor.secrets.EgressRule;
import dev.executor.secrets.service.HttpForwarder.Incoming;
import dev.executor.secrets.service.HttpForwarder.Outgoing;
import dev.executor.secrets.support.LoopbackUpstream;
import dev.executor.secrets.support.LoopbackUpstream.Answer;
import io.vertx.core.Vertx;

/** The credential-redirect rules at the HTTP layer, against real loopback servers (DESIGN.md §3 rule 2). */
class HttpForwarderTest {

    private static Vertx vertx;
    private static HttpForwarder forwarder;
    private final List<LoopbackUpstream> upstreams = new ArrayList<>();

    /** Adds the credential on every hop, as Forward does. */
    private static final Function<Outgoing, Outgoing> INJECT = hop -> {
        List<Map.Entry<String, String>> headers = new ArrayList<>(hop.headers());
        headers.add(Map.entry("Authorization", "Bearer canary-credential"));
        return new Outgoing(hop.method(), hop.url(), headers, hop.body());
    };

    @BeforeAll
    static void startClient() {
        vertx = Vertx.vertx();
        forwarder = new HttpForwarder(vertx, new EgressGuard(),
                new HttpForwarder.Limits(Duration.ofSeconds(5), Duration.ofSeconds(2), 1024, 3, 8, Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stopClient() {
        forwarder.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @AfterEach
    void stopUpstreams() {
        upstreams.forEach(LoopbackUpstream::close);
    }

    @Test
    void doesNotFollowARedirectToAnotherHostWithTheCredential() {
        // Given source A's host redirects to host B, which A did not declare
        LoopbackUpstream b = upstream("127.0.0.2", r -> Answer.of(200, "stolen"));
        LoopbackUpstream a = upstream("127.0.0.1", r -> Answer.redirect(302, b.url() + "/steal"));

        // When
        Incoming response = send(get(a.url() + "/start"), List.of(a.host() + ":" + a.port()), loopback(a));

        // Then the 3xx comes back unfollowed and B never saw a request
        assertEquals(302, response.status());
        assertFalse(response.redirected());
        assertThat(b.received(), empty());
        assertThat(a.received().get(0).header("Authorization"), equalTo("Bearer canary-credential"));
    }

    @Test
    void doesNotFollowARedirectToAnotherPortOfTheSameAddress() {
        // Given
        LoopbackUpstream other = upstream("127.0.0.1", r -> Answer.of(200, "other"));
        LoopbackUpstream a = upstream("127.0.0.1", r -> Answer.redirect(307, other.url() + "/x"));

        // When: even an egress rule for the other port does not make it a same-host redirect
        Incoming response = send(get(a.url() + "/"), List.of(a.host() + ":" + a.port()),
                List.of(new EgressRule("127.0.0.1", a.port()), new EgressRule("127.0.0.1", other.port())));

        // Then
        assertEquals(307, response.status());
        assertThat(other.received(), empty());
    }

    @Test
    void followsASameHostRedirectReCheckedAndWithTheCredentialInjectedAgain() {
        // Given
        LoopbackUpstream a = upstream("127.0.0.1", r -> r.pathAndQuery().equals("/old")
                ? Answer.redirect(301, "/new")
                : Answer.of(200, "moved here"));

        // When
        Incoming response = send(get(a.url() + "/old"), List.of(a.host() + ":" + a.port()), loopback(a));

        // Then
        assertEquals(200, response.status());
        assertTrue(response.redirected());
        assertThat(a.received(), hasSize(2));
        assertThat(a.received().get(1).header("Authorization"), equalTo("Bearer canary-credential"));
    }

    @Test
    void stopsFollowingSameHostRedirectsAtTheLimit() {
        // Given an endless same-host redirect loop
        LoopbackUpstream a = upstream("127.0.0.1", r -> Answer.redirect(302, "/again"));

        // When
        Incoming response = send(get(a.url() + "/"), List.of(a.host() + ":" + a.port()), loopback(a));

        // Then: the first request plus 3 followed, then the 3xx is returned
        assertEquals(302, response.status());
        assertThat(a.received(), hasSize(4));
    }

    @Test
    void refusesLoopbackDestinationsByDefaultEvenWhenDeclared() {
        // Given a declared loopback host and no egress rule
        LoopbackUpstream a = upstream("127.0.0.1", r -> Answer.of(200, "internal"));

        // When
        ProxyException e = assertThrows(ProxyException.class,
                () -> send(get(a.url() + "/"), List.of(a.host() + ":" + a.port()), List.of()));

        // Then
        assertEquals(ErrorReasons.EGRESS_DENIED, e.reason());
        assertThat(a.received(), empty());
    }

    @Test
    void cutsTheResponseBodyAtTheSizeLimit() {
        // Given
        LoopbackUpstream a = upstream("127.0.0.1", r -> Answer.of(200, "x".repeat(5000)));

        // When
        Incoming response = send(get(a.url() + "/big"), List.of(a.host() + ":" + a.port()), loopback(a));

        // Then
        assertTrue(response.truncated());
        assertEquals(1024, response.body().length);
    }

    @Test
    void reportsAnUnreachableUpstreamAsUpstreamError() {
        // Given a port nothing listens on
        LoopbackUpstream a = upstream("127.0.0.1", r -> Answer.of(200, ""));
        int port = a.port();
        a.close();

        // When
        ProxyException e = assertThrows(ProxyException.class,
                () -> send(get("http://127.0.0.1:" + port + "/"), List.of("127.0.0.1:" + port), List.of(new EgressRule("127.0.0.1", port))));

        // Then
        assertEquals(ErrorReasons.UPSTREAM_ERROR, e.reason());
    }

    private Incoming send(Outgoing request, List<String> hosts, List<EgressRule> rules) {
        return forwarder.send(request, INJECT, hosts, rules, "org:acme/a/work", null).await().atMost(Duration.ofSeconds(10));
    }

    private static Outgoing get(String url) {
        return new Outgoing("GET", URI.create(url), List.of(), new byte[0]);
    }

    private static List<EgressRule> loopback(LoopbackUpstream u) {
        return List.of(new EgressRule(u.host(), u.port()));
    }

    private LoopbackUpstream upstream(String address, Function<LoopbackUpstream.Received, Answer> script) {
        LoopbackUpstream u = LoopbackUpstream.start(address, script);
        upstreams.add(u);
        return u;
    }
}
