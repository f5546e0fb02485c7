package dev.executor.catalog.rest;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.executor.catalog.persistence.SourceEntity;
import dev.executor.catalog.persistence.SourceRepository;
import io.smallrye.mutiny.Uni;

/** Admin view of the registered sources. */
@Path("/api/sources")
@RolesAllowed("executor-admin")
@Produces(MediaType.APPLICATION_JSON)
public class SourceResource {

    private final SourceRepository sources;

    public SourceResource(SourceRepository sources) {
        this.sources = sources;
    }

    /** One registered source as the admin API shows it. */
    public record SourceView(UUID id, String name, String kind, String scope, String status, String statusMessage,
            OffsetDateTime createdAt, OffsetDateTime updatedAt) {

        static SourceView of(SourceEntity e) {
            return new SourceView(e.id, e.name, e.kind, e.scope, e.status, e.statusMessage, e.createdAt, e.updatedAt);
        }
    }

    @GET
    public Uni<List<SourceView>> list() {
        return sources.listByName().map(list -> list.stream().map(SourceView::of).toList());
    }
}
