package dev.executor.gateway.rest;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.executor.gateway.config.GatewayConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Public URLs of this gateway: {@code gateway.public-url} when set, else the request's scheme and
 * {@code Host} (only ever used after {@link McpGuard} validated the Host, or on the metadata
 * documents, which carry nothing secret).
 */
@ApplicationScoped
public class PublicUrls {

    static final String METADATA_PATH = "/.well-known/oauth-protected-resource";

    private final GatewayConfig config;
    private final String issuer;

    public PublicUrls(GatewayConfig config, @ConfigProperty(name = "quarkus.oidc.auth-server-url") String issuer) {
        this.config = config;
        this.issuer = issuer;
    }

    String base(RoutingContext ctx) {
        if (config.publicUrl().isPresent()) {
            String u = config.publicUrl().get();
            return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
        }
        String host = ctx.request().getHeader(HttpHeaders.HOST);
        return ctx.request().scheme() + "://" + (host == null ? "localhost" : host);
    }

    /** RFC 9728 metadata URL for the MCP endpoint at {@code mcpPath} (the path-suffixed well-known form). */
    String resourceMetadataUrl(RoutingContext ctx, String mcpPath) {
        return base(ctx) + METADATA_PATH + (mcpPath == null || mcpPath.isEmpty() ? "/mcp" : mcpPath);
    }

    String authorizationServer() {
        String s = config.authorizationServer().orElse(issuer);
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
