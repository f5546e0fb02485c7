package dev.executor.catalog.rest;

import java.util.List;
import java.util.Locale;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.executor.catalog.CatalogException;
import dev.executor.catalog.SideEffect;
import dev.executor.catalog.config.CatalogConfig;
import dev.executor.catalog.service.CatalogService;
import dev.executor.contracts.ErrorReasons;
import io.smallrye.mutiny.Uni;

/** Admin browsing of the tool index: ranked search and full descriptions. */
@Path("/api/tools")
@RolesAllowed("executor-admin")
@Produces(MediaType.APPLICATION_JSON)
public class ToolResource {

    private final CatalogService catalog;
    private final CatalogConfig config;

    public ToolResource(CatalogService catalog, CatalogConfig config) {
        this.catalog = catalog;
        this.config = config;
    }

    public record Hit(String source, String name, String description, String sideEffect, String signature, double score) {
    }

    public record Page(List<Hit> tools, int total, int offset, int limit) {
    }

    /** A tool in full: both schemas as JSON, its binding and review state. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Description(String address, String source, String sourceKind, String name, String description, String signature,
            String sideEffect, String reviewState, String manifestVersion, @JsonRawValue String inputSchema,
            @JsonRawValue String outputSchema, @JsonRawValue String auth, @JsonRawValue String labels, @JsonRawValue String binding) {
    }

    @GET
    public Uni<Page> search(@QueryParam("q") @DefaultValue("") String q, @QueryParam("source") String source,
            @QueryParam("sideEffect") String sideEffect, @QueryParam("offset") @DefaultValue("0") int offset,
            @QueryParam("limit") Integer limit) {
        int size = limit == null ? config.search().defaultPageSize() : Math.max(1, Math.min(limit, config.search().maxPageSize()));
        SideEffect effect = null;
        if (sideEffect != null && !sideEffect.isBlank()) {
            try {
                effect = SideEffect.fromWire(sideEffect.trim().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CatalogException(ErrorReasons.INVALID_ARGUMENTS, "sideEffect must be read, write or destructive.");
            }
        }
        int from = Math.max(0, offset);
        return catalog.search(q, source, effect, e -> true, from, size)
                .map(r -> new Page(r.hits().stream().map(h -> new Hit(h.entry().sourceName(), h.entry().name(), h.entry().description(),
                        h.entry().sideEffect().wire(), h.entry().signature(), Math.round(h.score() * 1000) / 1000.0)).toList(), r.total(), from, size));
    }

    @GET
    @Path("{address}")
    public Uni<Description> describe(@PathParam("address") String address) {
        return catalog.describe(address).map(v -> new Description(address, v.source().name(), v.source().kind(), v.tool().name(),
                v.tool().description(), v.tool().signature(), v.tool().sideEffect(), v.tool().reviewState(), v.tool().manifestVersion(),
                v.tool().inputSchemaJson(), v.tool().outputSchemaJson(), v.tool().authJson(), v.tool().labelsJson(), v.tool().bindingJson()));
    }
}
