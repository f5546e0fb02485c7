package dev.executor.secrets.service;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.ErrorReasons;
import dev.executor.secrets.AuthTemplate;
import dev.executor.secrets.Connection;
import dev.executor.secrets.SecretValue;
import dev.executor.secrets.config.SecretsProxyConfig;
import dev.executor.secrets.messaging.ConnectionEventPublisher;
import dev.executor.secrets.persistence.ConnectionRepository;
import dev.executor.secrets.persistence.OAuthTokenRepository;
import dev.executor.secrets.persistence.OAuthTokenRepository.StoredToken;
import dev.executor.secrets.provider.stored.StoredSecretCipher;
import dev.executor.secrets.service.HttpForwarder.Incoming;
import dev.executor.secrets.service.HttpForwarder.Outgoing;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * OAuth2 access tokens for connections ({@code oauth2_client_credentials}: client credentials grant;
 * {@code oauth2_authorization_code}: refresh token grant, keeping the latest rotated refresh token).
 *
 * <p>Tokens are cached in memory and in PostgreSQL (sealed like stored secrets). A refresh is
 * single-flight per connection: within a replica every caller shares one in-flight refresh; across
 * replicas the refresh runs under a transaction-scoped advisory lock on the connection, and a
 * replica that obtains the lock after another one refreshed reuses the stored token instead of
 * asking the token endpoint again. The token endpoint goes through the same egress checks as any
 * request of the connection.
 *
 * <p>When the token endpoint refuses the credentials (HTTP 400/401: {@code invalid_client},
 * {@code invalid_grant}, ...), the connection is marked {@code NEEDS_REAUTH}, a
 * {@code ConnectionNeedsReauth} event is emitted after the commit, and calls fail with
 * {@code NEEDS_REAUTHORIZATION} ("connection X needs re-authorization") until a human fixes it.
 */
@ApplicationScoped
public class OAuthTokenService {

    private static final Logger LOG = Logger.getLogger(OAuthTokenService.class);

    /** An access token (and the refresh token to renew it with, if any). */
    public record Token(SecretValue access, SecretValue refresh, Instant expiresAt, long generation) {
    }

    private record Outcome(Token token, String reauthReason, boolean firstToNotice) {
    }

    private final Map<UUID, Token> cache = new ConcurrentHashMap<>();
    private final Map<UUID, CompletableFuture<Token>> inflight = new ConcurrentHashMap<>();
    private final Pool pool;
    private final OAuthTokenRepository tokens;
    private final ConnectionRepository connections;
    private final StoredSecretCipher cipher;
    private final HttpForwarder forwarder;
    private final ConnectionEventPublisher events;
    private final ObjectMapper mapper;
    private final SecretsProxyConfig.OAuth config;

    public OAuthTokenService(Pool pool, OAuthTokenRepository tokens, ConnectionRepository connections, StoredSecretCipher cipher,
            HttpForwarder forwarder, ConnectionEventPublisher events, ObjectMapper mapper, SecretsProxyConfig config) {
        this.pool = pool;
        this.tokens = tokens;
        this.connections = connections;
        this.cipher = cipher;
        this.forwarder = forwarder;
        this.events = events;
        this.mapper = mapper;
        this.config = config.oauth();
    }

    /** A valid access token for {@code c}: cached, or refreshed (single-flight). */
    public Uni<Token> token(Connection c, Map<String, SecretValue> slots) {
        Token cached = cache.get(c.id());
        if (cached != null && fresh(cached)) {
            return Uni.createFrom().item(cached);
        }
        return refresh(c, slots, null);
    }

    /** The upstream refused {@code rejected}: get a newer token (or fail with NEEDS_REAUTHORIZATION). */
    public Uni<Token> renew(Connection c, Map<String, SecretValue> slots, Token rejected) {
        cache.remove(c.id(), rejected);
        return refresh(c, slots, rejected);
    }

    /** Drops the in-memory token of a deleted connection. */
    public void forget(UUID connectionId) {
        cache.remove(connectionId);
    }

    /** Refresh, shared by every concurrent caller in this replica. */
    Uni<Token> refresh(Connection c, Map<String, SecretValue> slots, Token stale) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Token> mine = new CompletableFuture<>();
            CompletableFuture<Token> running = inflight.putIfAbsent(c.id(), mine);
            if (running != null) {
                return Uni.createFrom().completionStage(running);
            }
            refreshAcrossReplicas(c, slots, stale).subscribe().with(token -> {
                cache.put(c.id(), token);
                inflight.remove(c.id(), mine);
                mine.complete(token);
            }, failure -> {
                inflight.remove(c.id(), mine);
                mine.completeExceptionally(failure);
            });
            return Uni.createFrom().completionStage(mine);
        });
    }

    /** Refresh under the connection's advisory lock; reuses a token another replica stored meanwhile. */
    Uni<Token> refreshAcrossReplicas(Connection c, Map<String, SecretValue> slots, Token stale) {
        return pool.withTransaction(tx -> tokens.lock(tx, c.id())
                .flatMap(v -> connections.status(tx, c.id()))
                .flatMap(status -> {
                    if (status == null) {
                        return Uni.createFrom().failure(ProxyException.notFound("connection " + c.label() + " no longer exists"));
                    }
                    if (Connection.NEEDS_REAUTH.equals(status)) {
                        return Uni.createFrom().item(new Outcome(null, "an earlier token refresh was refused", false));
                    }
                    return tokens.find(tx, c.id()).flatMap(stored -> {
                        Token current = stored == null ? null : open(stored);
                        if (current != null && fresh(current) && (stale == null || current.generation() > stale.generation())) {
                            LOG.debugf("Reusing the token another refresh stored for connection %s", c.id());
                            return Uni.createFrom().item(new Outcome(current, null, false));
                        }
                        SecretValue refreshToken = current != null && current.refresh() != null ? current.refresh() : slots.get("refresh_token");
                        long generation = stored == null ? 1 : stored.generation() + 1;
                        return fetch(c, slots, refreshToken, generation).flatMap(outcome -> {
                            if (outcome.token() != null) {
                                return tokens.upsert(tx, seal(c.id(), outcome.token())).replaceWith(outcome);
                            }
                            return connections.setStatus(tx, c.id(), Connection.NEEDS_REAUTH).replaceWith(outcome);
                        });
                    });
                }))
                .flatMap(outcome -> {
                    if (outcome.token() != null) {
                        return Uni.createFrom().item(outcome.token());
                    }
                    ProxyException failure = ProxyException.needsReauthorization(c.label(), outcome.reauthReason());
                    if (!outcome.firstToNotice()) {
                        return Uni.createFrom().failure(failure);
                    }
                    LOG.warnf("Connection %s needs re-authorization: %s", c.label(), outcome.reauthReason());
                    return events.publish(new dev.executor.contracts.events.ConnectionNeedsReauth(c.id().toString(),
                            ConnectionService.ref(c), outcome.reauthReason(), null, Instant.now()))
                            .ifNoItem().after(Duration.ofSeconds(5)).fail()
                            .onFailure().invoke(e -> LOG.warnf("ConnectionNeedsReauth for %s not published: %s", c.id(), e.getMessage()))
                            .onFailure().recoverWithNull()
                            .flatMap(v -> Uni.createFrom().failure(failure));
                });
    }

    private Uni<Outcome> fetch(Connection c, Map<String, SecretValue> slots, SecretValue refreshToken, long generation) {
        AuthTemplate auth = c.auth();
        SecretValue clientSecret = slots.get("client_secret");
        Map<String, String> form = new LinkedHashMap<>();
        List<SecretValue> secrets = new ArrayList<>();
        if (AuthTemplate.OAUTH2_AUTHORIZATION_CODE.equals(auth.kind())) {
            form.put("grant_type", "refresh_token");
            form.put("refresh_token", refreshToken.reveal());
            secrets.add(refreshToken);
        } else {
            form.put("grant_type", "client_credentials");
        }
        if (!auth.scopes().isEmpty()) {
            form.put("scope", String.join(" ", auth.scopes()));
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("Content-Type", "application/x-www-form-urlencoded"));
        headers.add(Map.entry("Accept", "application/json"));
        if (clientSecret != null) {
            secrets.add(clientSecret);
            if ("post".equals(auth.clientAuth())) {
                form.put("client_id", auth.clientId());
                form.put("client_secret", clientSecret.reveal());
            } else {
                String basic = urlEncode(auth.clientId()) + ":" + urlEncode(clientSecret.reveal());
                secrets.add(SecretValue.of(basic));
                headers.add(Map.entry("Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8))));
            }
        } else {
            form.put("client_id", auth.clientId());
        }
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(urlEncode(k)).append('=').append(urlEncode(v)));
        Redactor redactor = Redactor.of(secrets);
        Outgoing request = new Outgoing("POST", URI.create(auth.tokenUrl()), headers, body.toString().getBytes(StandardCharsets.UTF_8));
        return forwarder.send(request, r -> r, c.hosts(), c.egress(), c.label(), config.tokenTimeout())
                .onFailure(ProxyException.class).transform(e -> new ProxyException(((ProxyException) e).reason(),
                        "token endpoint of connection " + c.label() + ": " + redactor.redact(e.getMessage())))
                .map(response -> parse(c, response, redactor, generation, refreshToken));
    }

    private Outcome parse(Connection c, Incoming response, Redactor redactor, long generation, SecretValue previousRefresh) {
        JsonNode json;
        try {
            json = mapper.readTree(response.body());
        } catch (Exception e) {
            json = null;
        }
        if (response.status() == 200 && json != null && json.hasNonNull("access_token")) {
            long expiresIn = json.path("expires_in").asLong(config.defaultLifetime().toSeconds());
            SecretValue refresh = json.hasNonNull("refresh_token") ? SecretValue.of(json.get("refresh_token").asText()) : previousRefresh;
            LOG.debugf("Fetched a token for connection %s, valid %d s", c.id(), expiresIn);
            return new Outcome(new Token(SecretValue.of(json.get("access_token").asText()), refresh,
                    Instant.now().plusSeconds(expiresIn), generation), null, true);
        }
        if (response.status() == 400 || response.status() == 401 || response.status() == 403) {
            String error = json == null ? "" : json.path("error").asText("");
            String description = json == null ? "" : json.path("error_description").asText("");
            String why = "the token endpoint refused its credentials (HTTP " + response.status()
                    + (error.isEmpty() ? "" : ", " + error) + (description.isEmpty() ? "" : ": " + description) + ")";
            return new Outcome(null, truncate(redactor.redact(why)), true);
        }
        throw new ProxyException(ErrorReasons.UPSTREAM_ERROR, "token endpoint of connection " + c.label() + " answered HTTP "
                + response.status() + " without a token");
    }

    private boolean fresh(Token t) {
        return t.expiresAt().isAfter(Instant.now().plus(config.refreshSkew()));
    }

    private StoredToken seal(UUID connectionId, Token t) {
        var node = mapper.createObjectNode().put("access_token", t.access().reveal());
        if (t.refresh() != null) {
            node.put("refresh_token", t.refresh().reveal());
        }
        byte[] plain = node.toString().getBytes(StandardCharsets.UTF_8);
        return new StoredToken(connectionId, cipher.seal(plain, aad(connectionId)),
                OffsetDateTime.ofInstant(t.expiresAt(), ZoneOffset.UTC), t.generation());
    }

    private Token open(StoredToken stored) {
        try {
            JsonNode node = mapper.readTree(cipher.open(stored.sealed(), aad(stored.connectionId())));
            return new Token(SecretValue.of(node.get("access_token").asText()),
                    node.hasNonNull("refresh_token") ? SecretValue.of(node.get("refresh_token").asText()) : null,
                    stored.expiresAt().toInstant(), stored.generation());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored token of connection " + stored.connectionId() + " is unreadable");
        }
    }

    /** Re-seals stored tokens under the active key; returns how many. */
    public Uni<Integer> rotate() {
        if (!cipher.enabled()) {
            return Uni.createFrom().item(0);
        }
        return pool.withTransaction(tx -> tokens.lockStale(tx, cipher.activeKeyId())
                .onItem().transformToMulti(list -> io.smallrye.mutiny.Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(row -> {
                    byte[] plain = cipher.open(row.sealed(), aad(row.connectionId()));
                    return tokens.upsert(tx, new StoredToken(row.connectionId(), cipher.seal(plain, aad(row.connectionId())),
                            row.expiresAt(), row.generation())).replaceWith(row.connectionId());
                })
                .collect().asList().map(List::size));
    }

    static String aad(UUID connectionId) {
        return "oauth_token:" + connectionId;
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String truncate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** Used by the benchmark and tests to check the cache. */
    Duration skew() {
        return config.refreshSkew();
    }
}
