package dev.executor.secrets.rest;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.executor.secrets.persistence.ConnectionEntity;
import dev.executor.secrets.persistence.ConnectionRepository;
import io.smallrye.mutiny.Uni;

/** Admin view of the connections. Secret values are write-only and SecretRefs stay inside this service. */
@Path("/api/connections")
@RolesAllowed("executor-admin")
@Produces(MediaType.APPLICATION_JSON)
public class ConnectionResource {

    private final ConnectionRepository connections;

    public ConnectionResource(ConnectionRepository connections) {
        this.connections = connections;
    }

    /** One connection as the admin API shows it: placement, auth kind and hosts, no secret material. */
    public record ConnectionView(UUID id, String scope, String source, String name, String authKind, List<String> hosts,
            String createdBy, OffsetDateTime createdAt) {

        static ConnectionView of(ConnectionEntity e) {
            return new ConnectionView(e.id, e.scope, e.source, e.name, e.authKind,
                    e.hosts == null ? List.of() : List.of(e.hosts), e.createdBy, e.createdAt);
        }
    }

    @GET
    public Uni<List<ConnectionView>> list() {
        return connections.listByAddress().map(list -> list.stream().map(ConnectionView::of).toList());
    }
}
