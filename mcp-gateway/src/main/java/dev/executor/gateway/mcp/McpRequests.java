package dev.executor.gateway.mcp;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.gateway.Caller;
import dev.executor.gateway.service.Callers;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * The per-request facts the MCP routes attach to the Vert.x routing context before the Quarkus MCP
 * handler runs ({@link #TOOLKIT} and {@link #DIRECT} are context data, set only by the gateway's
 * own routes from the request path: a client cannot send them), and the {@link Caller} derived
 * from them and the verified token.
 */
@ApplicationScoped
public class McpRequests {

    /** Context key: toolkit in force for this request (String), absent for none. */
    public static final String TOOLKIT = "executor.toolkit";
    /** Context key: Boolean.TRUE when the request came through a toolkit endpoint in direct mode. */
    public static final String DIRECT = "executor.direct";

    private final CurrentVertxRequest current;
    private final Callers callers;

    public McpRequests(CurrentVertxRequest current, Callers callers) {
        this.current = current;
        this.callers = callers;
    }

    /** The caller of the MCP request being handled; fails closed when the request is unknown. */
    public Uni<Caller> caller() {
        RoutingContext ctx = current.getCurrent();
        if (ctx == null) {
            return Uni.createFrom().failure(new IllegalStateException("No current HTTP request"));
        }
        return caller(ctx);
    }

    public Uni<Caller> caller(RoutingContext ctx) {
        SecurityIdentity identity = ctx.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        if (identity == null || identity.isAnonymous()) {
            return Uni.createFrom().failure(new IllegalStateException("Unauthenticated MCP request"));
        }
        String toolkit = ctx.get(TOOLKIT);
        return callers.caller(identity, toolkit, Boolean.TRUE.equals(ctx.get(DIRECT)));
    }
}
