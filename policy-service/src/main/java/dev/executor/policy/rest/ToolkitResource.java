package dev.executor.policy.rest;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.executor.policy.Scope;
import dev.executor.policy.persistence.PolicyStateRepository;
import dev.executor.policy.persistence.ToolkitEntity;
import dev.executor.policy.persistence.ToolkitRepository;
import dev.executor.policy.service.Glob;
import dev.executor.policy.service.PolicyAdminService;
import dev.executor.policy.service.PolicyAdminService.ToolkitInput;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Admin API of the toolkits ({@code executor-admin} only). A toolkit is a named list of address
 * globs placed in a scope; it only ever narrows visibility. Every change bumps the policy version
 * and emits {@code ToolkitChanged} after the commit.
 */
@Path("/api/toolkits")
@RolesAllowed("executor-admin")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ToolkitResource {

    private final ToolkitRepository toolkits;
    private final PolicyStateRepository state;
    private final PolicyAdminService admin;
    private final JsonWebToken jwt;
    private final SecurityIdentity identity;

    public ToolkitResource(ToolkitRepository toolkits, PolicyStateRepository state, PolicyAdminService admin,
            JsonWebToken jwt,
            SecurityIdentity identity) {
        this.toolkits = toolkits;
        this.state = state;
        this.admin = admin;
        this.jwt = jwt;
        this.identity = identity;
    }

    /**
     * A toolkit as an admin writes it.
     *
     * @param scope     where it is placed, e.g. {@code org:acme}
     * @param name      as in {@code /mcp/toolkits/{name}}; unique per scope
     * @param addresses address globs {@code <source>.<scope>.<connection>.<tool>}, e.g. {@code github.*.*.issues_*}
     */
    public record ToolkitRequest(
            @NotNull(message = "is required, e.g. 'org:acme'")
            @Pattern(regexp = PolicyResource.SCOPE_PATTERN, message = "must look like 'org:acme', 'workspace:payments' or 'user:alice'")
            String scope,
            @NotNull(message = "is required, e.g. 'triage'")
            @Pattern(regexp = "[A-Za-z0-9_-]{1,64}", message = "must be 1-64 letters, digits, '-' or '_'")
            String name,
            @NotEmpty(message = "must list at least one address glob, e.g. 'github.*.*.issues_*'")
            @Size(max = 500, message = "must list at most 500 globs")
            List<@NotNull(message = "must not be null") String> addresses) {

        ToolkitInput toInput() {
            List<Map<String, String>> violations = new ArrayList<>();
            for (int i = 0; i < addresses.size(); i++) {
                try {
                    Glob.address(addresses.get(i));
                } catch (IllegalArgumentException e) {
                    violations.add(Map.of("path", "addresses[" + i + "]", "message", e.getMessage()));
                }
            }
            if (!violations.isEmpty()) {
                throw new InvalidRequestException(violations);
            }
            return new ToolkitInput(Scope.parse(scope), name, List.copyOf(addresses));
        }
    }

    /** One toolkit as the admin API shows it; {@code version} is the policy version of its last change. */
    public record ToolkitView(UUID id, String scope, String name, List<String> addresses, String createdBy,
            OffsetDateTime createdAt, OffsetDateTime updatedAt, long version) {
    }

    private ToolkitView view(ToolkitEntity e) {
        return new ToolkitView(e.id, e.scope, e.name, state.addresses(e.predicate), e.createdBy, e.createdAt, e.updatedAt,
                e.version);
    }

    @GET
    public Uni<List<ToolkitView>> list() {
        return toolkits.listByScopeAndName().map(list -> list.stream().map(this::view).toList());
    }

    @GET
    @Path("{id}")
    public Uni<ToolkitView> get(@PathParam("id") UUID id) {
        return admin.findToolkit(id).map(this::view);
    }

    @POST
    public Uni<Response> create(@Valid @NotNull(message = "a JSON body is required") ToolkitRequest body) {
        ToolkitInput input = body.toInput();
        return admin.createToolkit(input, AdminPrincipal.of(jwt, identity))
                .map(e -> Response.created(URI.create("/api/toolkits/" + e.id)).entity(view(e)).build());
    }

    @PUT
    @Path("{id}")
    public Uni<ToolkitView> update(@PathParam("id") UUID id,
            @Valid @NotNull(message = "a JSON body is required") ToolkitRequest body) {
        ToolkitInput input = body.toInput();
        return admin.updateToolkit(id, input, AdminPrincipal.of(jwt, identity)).map(this::view);
    }

    @DELETE
    @Path("{id}")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return admin.deleteToolkit(id, AdminPrincipal.of(jwt, identity)).map(v -> Response.noContent().build());
    }
}
