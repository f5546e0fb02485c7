package dev.executor.gateway.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for the MCP endpoints, unauthenticated:
 * {@code /.well-known/oauth-protected-resource} and the path-suffixed forms
 * {@code /.well-known/oauth-protected-resource/mcp} (and {@code .../mcp/toolkits/{toolkit}}). Each
 * names the Keycloak realm as the authorization server; the resource is the MCP endpoint the suffix
 * names ({@code /mcp} for the bare form), so a client's resource check against its server URL holds.
 */
@ApplicationScoped
public class ProtectedResourceMetadata {

    private final PublicUrls urls;

    public ProtectedResourceMetadata(PublicUrls urls) {
        this.urls = urls;
    }

    void install(@Observes Router router) {
        router.route(HttpMethod.GET, PublicUrls.METADATA_PATH).handler(ctx -> answer(ctx, "/mcp"));
        router.route(HttpMethod.GET, PublicUrls.METADATA_PATH + "/*").handler(ctx -> {
            String suffix = ctx.normalizedPath().substring(PublicUrls.METADATA_PATH.length());
            if (!suffix.equals("/mcp") && !suffix.matches("/mcp/toolkits/[a-z0-9_-]{1,64}")) {
                ctx.response().setStatusCode(404).end();
                return;
            }
            answer(ctx, suffix);
        });
    }

    private void answer(RoutingContext ctx, String resourcePath) {
        JsonObject doc = new JsonObject()
                .put("resource", urls.base(ctx) + resourcePath)
                .put("authorization_servers", new JsonArray().add(urls.authorizationServer()))
                .put("bearer_methods_supported", new JsonArray().add("header"))
                .put("resource_name", "Executor MCP gateway");
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "max-age=300")
                .end(doc.encode());
    }
}
