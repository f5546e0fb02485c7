package dev.executor.policy.rest;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.executor.policy.persistence.ToolkitEntity;
import dev.executor.policy.persistence.ToolkitRepository;
import io.smallrye.mutiny.Uni;

/** Admin view of the toolkits. */
@Path("/api/toolkits")
@RolesAllowed("executor-admin")
@Produces(MediaType.APPLICATION_JSON)
public class ToolkitResource {

    private final ToolkitRepository toolkits;

    public ToolkitResource(ToolkitRepository toolkits) {
        this.toolkits = toolkits;
    }

    /** One toolkit as the admin API shows it; the predicate is passed through as JSON. */
    public record ToolkitView(UUID id, String scope, String name, @JsonRawValue String predicate, String createdBy,
            OffsetDateTime createdAt, OffsetDateTime updatedAt) {

        static ToolkitView of(ToolkitEntity e) {
            return new ToolkitView(e.id, e.scope, e.name, e.predicate, e.createdBy, e.createdAt, e.updatedAt);
        }
    }

    @GET
    public Uni<List<ToolkitView>> list() {
        return toolkits.listByScopeAndName().map(list -> list.stream().map(ToolkitView::of).toList());
    }
}
