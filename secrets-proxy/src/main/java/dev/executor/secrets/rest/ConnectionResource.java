package dev.executor.secrets.rest;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
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

import dev.executor.contracts.events.CredentialSlot;
import dev.executor.secrets.AuthTemplate;
import dev.executor.secrets.Caller;
import dev.executor.secrets.Connection;
import dev.executor.secrets.EgressRule;
import dev.executor.secrets.service.ConnectionService;
import dev.executor.secrets.service.ConnectionService.NewConnection;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * {@code /api/connections}: create, list, read and delete connections. An admin manages every
 * connection; any other person only those in their own scope {@code user:<preferred_username>};
 * an agent none. Secret values are write-only ({@code secretValues} on create) and SecretRefs never
 * leave the service: a connection is shown with its credential slots and their provider kinds.
 */
@Path("/api/connections")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ConnectionResource {

    private final ConnectionService connections;
    private final SecurityIdentity identity;
    private final JsonWebToken jwt;

    public ConnectionResource(ConnectionService connections, SecurityIdentity identity, JsonWebToken jwt) {
        this.connections = connections;
        this.identity = identity;
        this.jwt = jwt;
    }

    /** A connection as the API shows it: placement, auth fill, slots and hosts, never secret material. */
    public record ConnectionView(UUID id, String scope, String source, String sourceId, String name, String authKind,
            AuthTemplate auth, List<CredentialSlot> credentials, List<String> hosts, List<EgressRule> egress, String status,
            String createdBy, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

        static ConnectionView of(Connection c) {
            return new ConnectionView(c.id(), c.scope(), c.source(), c.sourceId(), c.name(), c.auth().kind(), c.auth(),
                    ConnectionService.slots(c), c.hosts(), c.egress(), c.status(), c.createdBy(), c.createdAt(), c.updatedAt());
        }
    }

    /**
     * A new connection. {@code secretRefs} map credential slots to SecretRefs ({@code env://},
     * {@code file://}; admins); {@code secretValues} map slots to values, which are sealed and kept as
     * {@code stored://} refs and never returned.
     */
    public record CreateConnection(String scope, String source, String sourceId, String name, AuthTemplate auth,
            Map<String, String> secretRefs, Map<String, String> secretValues, List<String> hosts, List<EgressRule> egress) {

        @Override
        public String toString() {
            return "CreateConnection[" + scope + "/" + source + "/" + name + "]";
        }
    }

    @GET
    public Uni<List<ConnectionView>> list() {
        return connections.list(caller()).map(list -> list.stream().map(ConnectionView::of).toList());
    }

    @GET
    @Path("{id}")
    public Uni<ConnectionView> get(@PathParam("id") UUID id) {
        return connections.get(id, caller()).map(ConnectionView::of);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(CreateConnection body) {
        if (body == null) {
            return Uni.createFrom().failure(dev.executor.secrets.service.ProxyException.invalid("a JSON body is required"));
        }
        NewConnection request = new NewConnection(body.scope(), body.source(), body.sourceId(), body.name(), body.auth(),
                body.secretRefs(), body.secretValues(), body.hosts(), body.egress());
        return connections.create(request, caller()).map(c -> Response.created(URI.create("/api/connections/" + c.id()))
                .entity(ConnectionView.of(c)).build());
    }

    @DELETE
    @Path("{id}")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return connections.delete(id, caller()).map(v -> Response.noContent().build());
    }

    /** Re-seals every stored secret and cached token under the active key of {@code secrets-proxy.stored}. */
    @POST
    @Path("stored-secrets/rotate")
    @RolesAllowed("executor-admin")
    public Uni<Map<String, Integer>> rotate() {
        return connections.rotate(caller());
    }

    private Caller caller() {
        String username = jwt.getClaim("preferred_username");
        return new Caller(jwt.getSubject(), username, identity.hasRole("executor-admin"), identity.hasRole("executor-agent"),
                identity.hasRole("executor-service"));
    }
}
