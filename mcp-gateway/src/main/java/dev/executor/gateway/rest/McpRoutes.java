package dev.executor.gateway.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.executor.gateway.config.GatewayConfig;
import dev.executor.gateway.mcp.DirectTools;
import dev.executor.gateway.mcp.McpRequests;
import dev.executor.gateway.mcp.MetaTools;
import dev.executor.gateway.service.Callers;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.impl.RoutingContextInternal;

/**
 * The gateway's routes in front of the Quarkus MCP Streamable HTTP endpoint at {@code /mcp}. They
 * run after authentication and authorization (route order above -100) and before the MCP handler.
 * <ul>
 * <li>{@code /mcp/toolkits/{toolkit}[?mode=direct]}: records the toolkit (and direct mode) as
 * routing-context data, which only server code can set, then re-routes the request to {@code /mcp}:
 * the one MCP endpoint serves every toolkit, and each request is narrowed by the URL it was sent
 * to, not by session state.</li>
 * <li>A token carrying the {@code executor_toolkit} claim is narrowed to that toolkit on
 * {@code /mcp}, and refused (403) on another toolkit's endpoint.</li>
 * <li>{@code tools/list} is answered here, per request, so descriptions name what this caller's
 * search can reach (and direct mode lists the toolkit's tools); a direct-mode {@code tools/call}
 * of a tool address becomes {@code execute} of that address.</li>
 * <li>The legacy HTTP+SSE transport ({@code /mcp/sse}, {@code /mcp/messages/*}) is not offered:
 * its sessions live in one replica's memory.</li>
 * </ul>
 */
@ApplicationScoped
public class McpRoutes {

    private static final Logger LOG = Logger.getLogger(McpRoutes.class);
    /** After authorization (-100), before the MCP endpoint's own routes. */
    static final int ORDER = -50;
    private static final String TOOLKIT_NAME = "[a-z0-9][a-z0-9_-]{0,63}";

    private final McpRequests requests;
    private final MetaTools metaTools;
    private final DirectTools directTools;
    private final GatewayConfig config;

    public McpRoutes(McpRequests requests, MetaTools metaTools, DirectTools directTools, GatewayConfig config) {
        this.requests = requests;
        this.metaTools = metaTools;
        this.directTools = directTools;
        this.config = config;
    }

    void install(@Observes Router router) {
        router.route("/mcp/sse").order(ORDER).handler(ctx -> ctx.response().setStatusCode(404).end());
        router.route("/mcp/messages/*").order(ORDER).handler(ctx -> ctx.response().setStatusCode(404).end());
        router.route("/mcp/toolkits/:toolkit").order(ORDER).handler(this::toolkit);
        router.route(HttpMethod.POST, "/mcp").order(ORDER).handler(BodyHandler.create().setBodyLimit(4L << 20));
        router.route(HttpMethod.POST, "/mcp").order(ORDER).handler(this::intercept);
        router.route("/mcp").order(ORDER).handler(this::narrow);
    }

    private void toolkit(RoutingContext ctx) {
        String toolkit = ctx.pathParam("toolkit");
        if (toolkit == null || !toolkit.matches(TOOLKIT_NAME)) {
            ctx.response().setStatusCode(404).end();
            return;
        }
        ctx.put(McpRequests.TOOLKIT, toolkit);
        ctx.put(McpRequests.DIRECT, "direct".equals(ctx.queryParams().get("mode")));
        ctx.reroute("/mcp");
    }

    /** GET/DELETE on /mcp: only the token's toolkit narrowing applies. */
    private void narrow(RoutingContext ctx) {
        if (narrowToToken(ctx)) {
            ctx.next();
        }
    }

    private boolean narrowToToken(RoutingContext ctx) {
        SecurityIdentity identity = ctx.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        String claim = identity == null || identity.isAnonymous() ? null : Callers.tokenToolkit(identity);
        if (claim == null || claim.isBlank()) {
            return true;
        }
        String toolkit = ctx.get(McpRequests.TOOLKIT);
        if (toolkit == null) {
            ctx.put(McpRequests.TOOLKIT, claim);
            return true;
        }
        if (toolkit.equals(claim)) {
            return true;
        }
        ctx.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(error(null, -32600, "This token is limited to toolkit '" + claim + "'; use /mcp/toolkits/" + claim + ".").encode());
        return false;
    }

    private void intercept(RoutingContext ctx) {
        if (!narrowToToken(ctx)) {
            return;
        }
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        if (body == null || body.length() == 0 || body.getByte(0) != '{') {
            ctx.next();
            return;
        }
        JsonObject message;
        try {
            message = new JsonObject(body);
        } catch (RuntimeException malformed) {
            ctx.next();
            return;
        }
        String method = message.getString("method");
        Object id = message.getValue("id");
        boolean direct = Boolean.TRUE.equals(ctx.get(McpRequests.DIRECT));
        if ("tools/list".equals(method) && id != null) {
            listTools(ctx, id, direct);
            return;
        }
        if (direct && "tools/call".equals(method) && message.getValue("params") instanceof JsonObject params
                && params.getValue("name") instanceof String name && !MetaTools.RUN_STATUS.equals(name)) {
            requests.caller(ctx).chain(caller -> directTools.address(caller, name)).subscribe().with(address -> {
                if (address != null) {
                    Object arguments = params.getValue("arguments");
                    JsonObject rewritten = message.copy();
                    rewritten.getJsonObject("params").put("name", MetaTools.EXECUTE)
                            .put("arguments", new JsonObject().put("tool", address)
                                    .put("arguments", arguments == null ? new JsonObject() : arguments));
                    ((RoutingContextInternal) ctx).setBody(Buffer.buffer(rewritten.encode()));
                }
                ctx.next();
            }, failure -> {
                LOG.warnf("Direct-mode tool lookup failed: %s", failure.getClass().getSimpleName());
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(error(id, -32603, "Executor could not look up this tool right now; retry shortly.").encode());
            });
            return;
        }
        ctx.next();
    }

    private void listTools(RoutingContext ctx, Object id, boolean direct) {
        requests.caller(ctx)
                .chain(caller -> direct ? directTools.list(caller) : metaTools.list(caller))
                .subscribe().with(
                        tools -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                                .end(new JsonObject().put("jsonrpc", "2.0").put("id", id)
                                        .put("result", new JsonObject().put("tools", tools)).encode()),
                        failure -> {
                            LOG.warnf("tools/list failed: %s", failure.getClass().getSimpleName());
                            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                                    .end(error(id, -32603, "Executor could not list its tools right now; retry shortly.").encode());
                        });
    }

    private static JsonObject error(Object id, int code, String message) {
        return new JsonObject().put("jsonrpc", "2.0").put("id", id)
                .put("error", new JsonObject().put("code", code).put("message", message));
    }
}
