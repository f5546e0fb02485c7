package dev.executor.secrets.service;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.executor.contracts.ErrorReasons;
import dev.executor.secrets.AuthTemplate;
import dev.executor.secrets.Connection;
import dev.executor.secrets.SecretRef;
import dev.executor.secrets.SecretValue;
import dev.executor.secrets.config.SecretsProxyConfig;
import dev.executor.secrets.provider.SecretProviders;
import dev.executor.secrets.provider.SecretUnavailableException;
import dev.executor.secrets.service.HttpForwarder.Incoming;
import dev.executor.secrets.service.HttpForwarder.Outgoing;
import dev.executor.secrets.service.OAuthTokenService.Token;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Forward: one HTTP request through a connection (DESIGN.md §2 step 4). Looks the connection up,
 * checks the principal may see it, resolves its SecretRefs now, injects the credential per the auth
 * template, sends through the {@link HttpForwarder} (egress checks, redirects, limits), and redacts
 * every secret value used (and its encoded forms) from the response. Logs ids, method, host, status
 * and timing only, at any level.
 */
@ApplicationScoped
public class ForwardService {

    private static final Logger LOG = Logger.getLogger(ForwardService.class);
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /** What goes back to the caller: redacted. */
    public record Forwarded(int status, List<Map.Entry<String, String>> headers, byte[] body, boolean redirected, boolean truncated) {
    }

    /** The caller's request, without credentials. */
    public record Request(String method, String url, List<Map.Entry<String, String>> headers, byte[] body, Duration timeout) {
    }

    private final ConnectionService connections;
    private final SecretProviders providers;
    private final OAuthTokenService oauth;
    private final HttpForwarder forwarder;
    private final int maxRequestBytes;

    public ForwardService(ConnectionService connections, SecretProviders providers, OAuthTokenService oauth, HttpForwarder forwarder,
            SecretsProxyConfig config) {
        this.connections = connections;
        this.providers = providers;
        this.oauth = oauth;
        this.forwarder = forwarder;
        this.maxRequestBytes = config.forward().maxRequestBytes();
    }

    /**
     * @param visibleScopes the principal's scope chain as {@code kind:id}; the connection must be placed in one of them
     */
    public Uni<Forwarded> forward(String scope, String source, String name, List<String> visibleScopes, Request request, String runId) {
        long started = System.nanoTime();
        String label = scope + "/" + source + "/" + name;
        return connections.lookup(scope, source, name)
                .flatMap(c -> {
                    if (c == null || !visibleScopes.contains(c.scope())) {
                        return Uni.createFrom().failure(ProxyException.notFound("no connection " + label
                                + " visible to the caller; create it or check the address"));
                    }
                    if (Connection.NEEDS_REAUTH.equals(c.status())) {
                        return Uni.createFrom().failure(ProxyException.needsReauthorization(c.label(),
                                "its credential was refused earlier; an admin or its owner must update it"));
                    }
                    Outgoing outgoing = validate(c, request);
                    return resolve(c).flatMap(slots -> send(c, slots, outgoing, request.timeout()))
                            .onFailure(ProxyException.class).invoke(e -> {
                                if (ErrorReasons.NEEDS_REAUTHORIZATION.equals(((ProxyException) e).reason())) {
                                    connections.evict(c);
                                }
                            });
                })
                .invoke(r -> LOG.debugf("Forward run=%s connection=%s %s %s -> %d in %d us", runId, label, request.method(),
                        hostOf(request.url()), r.status(), (System.nanoTime() - started) / 1000))
                .onFailure().invoke(e -> LOG.debugf("Forward run=%s connection=%s %s %s failed: %s", runId, label, request.method(),
                        hostOf(request.url()), e instanceof ProxyException p ? p.reason() : e.getClass().getSimpleName()));
    }

    /**
     * As {@link #forward}, streamed (SSE, streamable HTTP): the head (headers redacted), body
     * chunks redacted across chunk boundaries, then the end. Redirects are not followed.
     */
    public Multi<HttpForwarder.Part> forwardStream(String scope, String source, String name, List<String> visibleScopes,
            Request request, String runId) {
        String label = scope + "/" + source + "/" + name;
        return connections.lookup(scope, source, name).onItem().transformToMulti(c -> {
            if (c == null || !visibleScopes.contains(c.scope())) {
                return Multi.createFrom().failure(ProxyException.notFound("no connection " + label
                        + " visible to the caller; create it or check the address"));
            }
            if (Connection.NEEDS_REAUTH.equals(c.status())) {
                return Multi.createFrom().failure(ProxyException.needsReauthorization(c.label(),
                        "its credential was refused earlier; an admin or its owner must update it"));
            }
            Outgoing outgoing = validate(c, request);
            return resolve(c)
                    .flatMap(slots -> c.auth().isOAuth2()
                            ? oauth.token(c, slots).map(t -> Map.entry(slots, java.util.Optional.of(t)))
                            : Uni.createFrom().item(Map.entry(slots, java.util.Optional.<Token>empty())))
                    .onItem().transformToMulti(prepared -> {
                        Token token = prepared.getValue().orElse(null);
                        Redactor redactor = Redactor.of(secretsOf(c.auth(), prepared.getKey(), token));
                        Redactor.Streaming body = redactor.streaming();
                        return forwarder.stream(outgoing, hop -> inject(c.auth(), prepared.getKey(), token, hop), c.hosts(), c.egress(),
                                c.label(), request.timeout())
                                .onItem().transformToIterable(part -> switch (part) {
                                    case HttpForwarder.Head h -> List.<HttpForwarder.Part>of(new HttpForwarder.Head(h.status(),
                                            h.headers().stream().map(e -> Map.entry(e.getKey(), redactor.redact(e.getValue()))).toList()));
                                    case HttpForwarder.Data d -> {
                                        byte[] out = body.push(d.bytes());
                                        yield out.length == 0 ? List.<HttpForwarder.Part>of() : List.<HttpForwarder.Part>of(new HttpForwarder.Data(out));
                                    }
                                    case HttpForwarder.End e -> {
                                        byte[] rest = body.finish();
                                        yield rest.length == 0 ? List.<HttpForwarder.Part>of(e)
                                                : List.<HttpForwarder.Part>of(new HttpForwarder.Data(rest), e);
                                    }
                                })
                                .onFailure(ProxyException.class).transform(e -> new ProxyException(((ProxyException) e).reason(),
                                        redactor.redact(e.getMessage())));
                    });
        }).onFailure().invoke(e -> LOG.debugf("ForwardStream run=%s connection=%s failed: %s", runId, label,
                e instanceof ProxyException p ? p.reason() : e.getClass().getSimpleName()));
    }

    private Uni<Forwarded> send(Connection c, Map<String, SecretValue> slots, Outgoing outgoing, Duration timeout) {
        if (!c.auth().isOAuth2()) {
            Redactor redactor = Redactor.of(secretsOf(c.auth(), slots, null));
            return exchange(c, slots, null, outgoing, timeout, redactor);
        }
        return oauth.token(c, slots).flatMap(token -> {
            Redactor redactor = Redactor.of(secretsOf(c.auth(), slots, token));
            return exchange(c, slots, token, outgoing, timeout, redactor).flatMap(first -> {
                if (first.status() != 401) {
                    return Uni.createFrom().item(first);
                }
                // The token may have been revoked early: renew once, then retry once.
                return oauth.renew(c, slots, token).flatMap(renewed -> exchange(c, slots, renewed, outgoing, timeout,
                        Redactor.of(secretsOf(c.auth(), slots, renewed)).with(secretsOf(c.auth(), slots, token))));
            });
        });
    }

    private Uni<Forwarded> exchange(Connection c, Map<String, SecretValue> slots, Token token, Outgoing outgoing, Duration timeout,
            Redactor redactor) {
        return forwarder.send(outgoing, hop -> inject(c.auth(), slots, token, hop), c.hosts(), c.egress(), c.label(), timeout)
                .map(in -> redact(in, redactor))
                .onFailure(ProxyException.class).transform(e -> new ProxyException(((ProxyException) e).reason(),
                        redactor.redact(e.getMessage())));
    }

    private Outgoing validate(Connection c, Request r) {
        String method = r.method() == null ? "" : r.method().toUpperCase(Locale.ROOT);
        if (!METHOD.matcher(method).matches()) {
            throw ProxyException.invalid("request.method must be an HTTP method such as GET or POST");
        }
        if (r.body() != null && r.body().length > maxRequestBytes) {
            throw ProxyException.invalid("request.body exceeds " + maxRequestBytes + " bytes");
        }
        URI uri;
        try {
            uri = URI.create(r.url() == null ? "" : r.url());
        } catch (IllegalArgumentException e) {
            throw ProxyException.invalid("request.url is not a valid absolute URL");
        }
        var reserved = c.auth().reservedHeaders();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, String> h : r.headers()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (!HEADER_NAME.matcher(h.getKey()).matches() || h.getValue().indexOf('\r') >= 0 || h.getValue().indexOf('\n') >= 0) {
                throw ProxyException.invalid("request header '" + h.getKey() + "' is malformed");
            }
            if (reserved.contains(lower)) {
                throw ProxyException.invalid("request header '" + h.getKey() + "' is set by the connection's auth template ("
                        + c.auth().kind() + "); remove it");
            }
            if (!HttpForwarder.HOP_BY_HOP.contains(lower)) {
                headers.add(Map.entry(h.getKey(), h.getValue()));
            }
        }
        if (AuthTemplate.API_KEY.equals(c.auth().kind()) && "query".equals(c.auth().in()) && uri.getRawQuery() != null
                && queryHas(uri.getRawQuery(), c.auth().name())) {
            throw ProxyException.invalid("query parameter '" + c.auth().name() + "' is set by the connection's auth template; remove it");
        }
        return new Outgoing(method, uri, headers, r.body() == null ? new byte[0] : r.body());
    }

    private Uni<Map<String, SecretValue>> resolve(Connection c) {
        if (c.secretRefs().isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Multi.createFrom().iterable(c.secretRefs().entrySet())
                .onItem().transformToUniAndConcatenate(e -> {
                    SecretRef ref = SecretRef.parse(e.getValue());
                    return providers.resolve(ref, c.id())
                            .onFailure(SecretUnavailableException.class).transform(ex -> {
                                LOG.warnf("Connection %s: credential '%s' unavailable: %s", c.label(), e.getKey(), ex.getMessage());
                                return ProxyException.needsReauthorization(c.label(), "its credential '" + e.getKey() + "' ("
                                        + ref.kind() + ") cannot be read; an admin must fix the secret or the connection");
                            })
                            .map(v -> Map.entry(e.getKey(), v));
                })
                .collect().asMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** Adds the credential to one hop of the request. */
    static Outgoing inject(AuthTemplate auth, Map<String, SecretValue> slots, Token token, Outgoing hop) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(hop.headers());
        URI url = hop.url();
        switch (auth.kind()) {
            case AuthTemplate.BEARER -> headers.add(Map.entry("Authorization", "Bearer " + slots.get("token").reveal()));
            case AuthTemplate.BASIC -> headers.add(Map.entry("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (auth.username() + ":" + slots.get("password").reveal()).getBytes(StandardCharsets.UTF_8))));
            case AuthTemplate.OAUTH2_CLIENT_CREDENTIALS, AuthTemplate.OAUTH2_AUTHORIZATION_CODE ->
                headers.add(Map.entry("Authorization", "Bearer " + token.access().reveal()));
            case AuthTemplate.API_KEY -> {
                String key = slots.get("key").reveal();
                switch (auth.in()) {
                    case "header" -> headers.add(Map.entry(auth.name(), key));
                    case "cookie" -> headers.add(Map.entry("Cookie", auth.name() + "=" + key));
                    default -> url = withQuery(url, auth.name(), key);
                }
            }
            default -> {
            }
        }
        return new Outgoing(hop.method(), url, headers, hop.body());
    }

    private static URI withQuery(URI url, String name, String value) {
        String param = URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
        String query = url.getRawQuery();
        StringBuilder kept = new StringBuilder();
        if (query != null) {
            for (String part : query.split("&")) {
                String key = part.contains("=") ? part.substring(0, part.indexOf('=')) : part;
                if (!key.equals(name) && !part.isEmpty()) {
                    kept.append(kept.isEmpty() ? "" : "&").append(part);
                }
            }
        }
        String full = kept.isEmpty() ? param : kept + "&" + param;
        String s = url.toString();
        int q = s.indexOf('?');
        int hash = s.indexOf('#');
        String base = q >= 0 ? s.substring(0, q) : (hash >= 0 ? s.substring(0, hash) : s);
        return URI.create(base + "?" + full);
    }

    private static boolean queryHas(String rawQuery, String name) {
        for (String part : rawQuery.split("&")) {
            String key = part.contains("=") ? part.substring(0, part.indexOf('=')) : part;
            if (java.net.URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Every value that must not come back: slot values, the access token, derived header values. */
    static List<SecretValue> secretsOf(AuthTemplate auth, Map<String, SecretValue> slots, Token token) {
        List<SecretValue> out = new ArrayList<>(slots.values());
        if (AuthTemplate.BASIC.equals(auth.kind()) && slots.containsKey("password")) {
            out.add(SecretValue.of(auth.username() + ":" + slots.get("password").reveal()));
        }
        if (token != null) {
            out.add(token.access());
            if (token.refresh() != null) {
                out.add(token.refresh());
            }
        }
        return out;
    }

    private static Forwarded redact(Incoming in, Redactor redactor) {
        if (redactor.isEmpty()) {
            return new Forwarded(in.status(), in.headers(), in.body(), in.redirected(), in.truncated());
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(in.headers().size());
        for (Map.Entry<String, String> h : in.headers()) {
            headers.add(Map.entry(h.getKey(), redactor.redact(h.getValue())));
        }
        return new Forwarded(in.status(), headers, redactor.redact(in.body()), in.redirected(), in.truncated());
    }

    private static String hostOf(String url) {
        try {
            return URI.create(url).getHost();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    static Map<String, SecretValue> copy(Map<String, SecretValue> m) {
        return new LinkedHashMap<>(m);
    }
}
