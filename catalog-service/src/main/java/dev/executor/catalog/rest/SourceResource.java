package dev.executor.catalog.rest;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.executor.catalog.CatalogException;
import dev.executor.catalog.persistence.CatalogStore.ToolRow;
import dev.executor.catalog.service.CatalogService;
import dev.executor.catalog.service.CatalogService.AddCommand;
import dev.executor.catalog.service.CatalogService.RefreshResult;
import dev.executor.catalog.service.CatalogService.SourceView;
import dev.executor.catalog.source.SourceConfig;
import dev.executor.contracts.ErrorReasons;
import dev.executor.contracts.events.PrincipalRef;
import io.smallrye.mutiny.Uni;

/** Admin API over sources: register (import), list, refresh, remove, review tools. */
@Path("/api/sources")
@RolesAllowed("executor-admin")
@Produces(MediaType.APPLICATION_JSON)
public class SourceResource {

    private final CatalogService catalog;
    private final JsonWebToken token;

    public SourceResource(CatalogService catalog, JsonWebToken token) {
        this.catalog = catalog;
        this.token = token;
    }

    /**
     * What an admin sends to register a source: a name, a kind, a scope and either a URL or an
     * inline document; an MCP server adds its {@code transport} ("streamable_http", "sse" or
     * "stdio"; inferred when absent) and, for stdio, a {@code command} with {@code args}.
     */
    public record AddSourceRequest(String name, String kind, String scope, String url, String document, Boolean allowExternalRefs,
            String transport, String command, List<String> args) {
    }

    public record RefreshRequest(String document) {
    }

    public record AcceptRequest(List<String> tools) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ToolSummary(String name, String description, String sideEffect, String reviewState, String signature,
            String manifestVersion) {
        static ToolSummary of(ToolRow t) {
            return new ToolSummary(t.name(), t.description(), t.sideEffect(), t.reviewState(), t.signature(), t.manifestVersion());
        }
    }

    public record Accepted(List<String> accepted) {
    }

    @GET
    public Uni<List<SourceView>> list() {
        return catalog.list();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<SourceView>> add(AddSourceRequest request) {
        if (request == null) {
            throw new CatalogException(ErrorReasons.INVALID_ARGUMENTS, "The request needs a JSON body with name, kind, scope and url or document.");
        }
        boolean external = request.allowExternalRefs() != null && request.allowExternalRefs();
        if (external) {
            throw new CatalogException(ErrorReasons.INVALID_ARGUMENTS,
                    "allowExternalRefs is not supported yet: external $refs are never followed.");
        }
        if (request.url() != null && request.document() != null) {
            throw new CatalogException(ErrorReasons.INVALID_ARGUMENTS, "Give either 'url' or 'document', not both.");
        }
        SourceConfig config = new SourceConfig(request.url(), request.document(), request.transport(), request.command(),
                request.args(), false);
        return catalog.add(new AddCommand(request.name(), request.kind(), request.scope(), config), principal())
                .map(v -> RestResponse.ResponseBuilder.<SourceView>created(URI.create("/api/sources/" + v.id())).entity(v).build());
    }

    @GET
    @Path("{id}")
    public Uni<SourceView> get(@PathParam("id") String id) {
        return catalog.get(uuid(id));
    }

    @POST
    @Path("{id}/refresh")
    @Consumes({ MediaType.APPLICATION_JSON, MediaType.WILDCARD })
    public Uni<RefreshResult> refresh(@PathParam("id") String id, RefreshRequest request) {
        return catalog.refresh(uuid(id), request == null ? null : request.document());
    }

    @DELETE
    @Path("{id}")
    public Uni<Response> remove(@PathParam("id") String id) {
        return catalog.remove(uuid(id), principal()).map(v -> Response.noContent().build());
    }

    /** Every tool of the source, including unreviewed and retired ones. */
    @GET
    @Path("{id}/tools")
    public Uni<List<ToolSummary>> tools(@PathParam("id") String id) {
        return catalog.tools(uuid(id)).map(rows -> rows.stream().map(ToolSummary::of).toList());
    }

    /** Accepts one unreviewed tool: it becomes searchable and executable. */
    @POST
    @Path("{id}/tools/{name}/accept")
    public Uni<Accepted> accept(@PathParam("id") String id, @PathParam("name") String name) {
        return catalog.accept(uuid(id), List.of(name), principal()).map(Accepted::new);
    }

    /** Accepts several unreviewed tools at once. */
    @POST
    @Path("{id}/tools/accept")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Accepted> acceptMany(@PathParam("id") String id, AcceptRequest request) {
        if (request == null || request.tools() == null || request.tools().isEmpty()) {
            throw new CatalogException(ErrorReasons.INVALID_ARGUMENTS, "Name the tools to accept: {\"tools\": [\"...\"]}.");
        }
        return catalog.accept(uuid(id), request.tools(), principal()).map(Accepted::new);
    }

    private PrincipalRef principal() {
        String subject = token == null || token.getSubject() == null ? "unknown" : token.getSubject();
        String username = token == null ? null : token.getClaim("preferred_username");
        return PrincipalRef.human(subject, username);
    }

    static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw CatalogException.sourceNotFound(id);
        }
    }
}
