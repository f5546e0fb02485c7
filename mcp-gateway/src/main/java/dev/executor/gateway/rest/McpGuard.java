package dev.executor.gateway.rest;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.executor.gateway.config.GatewayConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs first on {@code /mcp} and everything below it, before CORS and authentication:
 * <ul>
 * <li>{@code Host} must be one of {@code gateway.allowed-hosts} (default: loopback names with the
 * port the request arrived on) and {@code Origin}, when present, one of
 * {@code gateway.allowed-origins} (default: loopback origins) — against DNS rebinding; a refused
 * request gets 403 and a JSON-RPC error, before any token is looked at;</li>
 * <li>a 401 challenge gets the RFC 9728 {@code resource_metadata} parameter pointing at this
 * endpoint's protected resource metadata, so an MCP client can discover the authorization server.</li>
 * </ul>
 */
@ApplicationScoped
public class McpGuard {

    private static final Logger LOG = Logger.getLogger(McpGuard.class);
    /** Before CORS (-300), authentication (-200) and authorization (-100). */
    static final int ORDER = -400;
    private static final String WWW_AUTHENTICATE = "WWW-Authenticate";
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");

    private final GatewayConfig config;
    private final PublicUrls urls;

    public McpGuard(GatewayConfig config, PublicUrls urls) {
        this.config = config;
        this.urls = urls;
    }

    void install(@Observes Router router) {
        router.routeWithRegex("^/mcp(/.*)?$").order(ORDER).handler(this::guard);
    }

    void guard(RoutingContext ctx) {
        // HTTP/1.1 sends Host; HTTP/2 (h2c upgrade, or h2) sends :authority instead, which Vert.x exposes as authority()
        String host = ctx.request().getHeader(HttpHeaders.HOST);
        if (host == null && ctx.request().authority() != null) {
            host = ctx.request().authority().toString();
        }
        if (!hostAllowed(host, ctx.request().localAddress() == null ? -1 : ctx.request().localAddress().port())) {
            LOG.debugf("Refused MCP request with Host %s", host);
            refuse(ctx, "Host header not allowed");
            return;
        }
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        if (origin != null && !originAllowed(origin)) {
            LOG.debugf("Refused MCP request from Origin %s", origin);
            refuse(ctx, "Origin not allowed");
            return;
        }
        String path = ctx.normalizedPath();
        ctx.addHeadersEndHandler(v -> {
            if (ctx.response().getStatusCode() != 401) {
                return;
            }
            String challenge = ctx.response().headers().get(WWW_AUTHENTICATE);
            if (challenge != null && !challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
                return;
            }
            String params = challenge == null ? "" : challenge.substring(6).trim();
            if (params.contains("resource_metadata=")) {
                return;
            }
            String metadata = urls.resourceMetadataUrl(ctx, path);
            ctx.response().headers().set(WWW_AUTHENTICATE,
                    "Bearer resource_metadata=\"" + metadata + "\"" + (params.isEmpty() ? "" : ", " + params));
        });
        ctx.next();
    }

    private static void refuse(RoutingContext ctx, String message) {
        ctx.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("jsonrpc", "2.0").putNull("id")
                        .put("error", new JsonObject().put("code", -32600).put("message", message)).encode());
    }

    boolean hostAllowed(String host, int localPort) {
        if (host == null || host.isBlank()) {
            return false;
        }
        HostPort actual = HostPort.parse(host);
        if (actual == null) {
            return false;
        }
        List<String> allowed = config.allowedHosts().orElse(List.of());
        if (allowed.isEmpty()) {
            return LOOPBACK.contains(actual.host()) && (actual.port() == -1 || actual.port() == localPort);
        }
        for (String entry : allowed) {
            HostPort a = HostPort.parse(entry.trim());
            if (a != null && a.host().equals(actual.host()) && (a.port() == -1 || a.port() == actual.port())) {
                return true;
            }
        }
        return false;
    }

    boolean originAllowed(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        if (o.endsWith("/")) {
            o = o.substring(0, o.length() - 1);
        }
        List<String> allowed = config.allowedOrigins().orElse(List.of());
        if (!allowed.isEmpty()) {
            for (String a : allowed) {
                String x = a.trim().toLowerCase(Locale.ROOT);
                if (x.endsWith("/")) {
                    x = x.substring(0, x.length() - 1);
                }
                if (x.equals(o)) {
                    return true;
                }
            }
            return false;
        }
        try {
            URI uri = URI.create(o);
            String h = uri.getHost();
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && h != null
                    && (LOOPBACK.contains(h) || LOOPBACK.contains("[" + h + "]"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A Host header value or allow-list entry: lower-cased host ([v6] kept bracketed) and port (-1 for none). */
    record HostPort(String host, int port) {
        static HostPort parse(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.isEmpty()) {
                return null;
            }
            String host;
            String port = null;
            if (v.startsWith("[")) {
                int end = v.indexOf(']');
                if (end < 0) {
                    return null;
                }
                host = v.substring(0, end + 1);
                if (v.length() > end + 1) {
                    if (v.charAt(end + 1) != ':') {
                        return null;
                    }
                    port = v.substring(end + 2);
                }
            } else {
                int colon = v.lastIndexOf(':');
                if (colon >= 0 && v.indexOf(':') != colon) {
                    return null;
                }
                host = colon < 0 ? v : v.substring(0, colon);
                port = colon < 0 ? null : v.substring(colon + 1);
            }
            try {
                return new HostPort(host, port == null ? -1 : Integer.parseInt(port));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
