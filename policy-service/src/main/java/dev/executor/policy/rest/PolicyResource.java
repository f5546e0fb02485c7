package dev.executor.policy.rest;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
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

import dev.executor.policy.ApprovalMode;
import dev.executor.policy.Policy.AttachedKind;
import dev.executor.policy.Scope;
import dev.executor.policy.Verdict;
import dev.executor.policy.persistence.PolicyEntity;
import dev.executor.policy.persistence.PolicyRepository;
import dev.executor.policy.service.PolicyAdminService;
import dev.executor.policy.service.PolicyAdminService.PolicyInput;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Admin API of the policies ({@code executor-admin} only). Every change bumps the policy version
 * and emits {@code PolicyChanged} on {@code executor.policy.events} after the commit.
 */
@Path("/api/policies")
@RolesAllowed("executor-admin")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PolicyResource {

    static final String SCOPE_PATTERN = "(org|workspace|user):[^\\s.:]+";

    private final PolicyRepository policies;
    private final PolicyAdminService admin;
    private final JsonWebToken jwt;
    private final SecurityIdentity identity;

    public PolicyResource(PolicyRepository policies, PolicyAdminService admin, JsonWebToken jwt,
            SecurityIdentity identity) {
        this.policies = policies;
        this.admin = admin;
        this.jwt = jwt;
        this.identity = identity;
    }

    /**
     * A policy as an admin writes it.
     *
     * @param scope        where it is placed: {@code org:<id>}, {@code workspace:<id>} or {@code user:<id>}
     * @param attachedKind {@code source} or {@code connection}
     * @param attachedId   a source id or name; a connection id or {@code <source>.<scope>.<name>}
     * @param toolGlob     optional glob over tool names ({@code *}, {@code ?}); absent for every tool
     * @param verdict      {@code allow}, {@code require_approval} or {@code block}
     * @param approvalMode {@code any} (default) or {@code ledger_only}
     */
    public record PolicyRequest(
            @NotNull(message = "is required, e.g. 'org:acme'")
            @Pattern(regexp = SCOPE_PATTERN, message = "must look like 'org:acme', 'workspace:payments' or 'user:alice'")
            String scope,
            @NotNull(message = "is required: 'source' or 'connection'")
            @Pattern(regexp = "source|connection", message = "must be 'source' or 'connection'")
            String attachedKind,
            @NotBlank(message = "is required: the source's id or name, or the connection's id or <source>.<scope>.<name>")
            @Pattern(regexp = "\\S+", message = "must not contain spaces")
            @Size(max = 200, message = "must be at most 200 characters")
            String attachedId,
            @Pattern(regexp = "\\S+", message = "must be a glob over tool names without spaces, e.g. 'issues_*'")
            @Size(max = 200, message = "must be at most 200 characters")
            String toolGlob,
            @NotNull(message = "is required: 'allow', 'require_approval' or 'block'")
            @Pattern(regexp = "allow|require_approval|block", message = "must be 'allow', 'require_approval' or 'block'")
            String verdict,
            @Pattern(regexp = "any|ledger_only", message = "must be 'any' or 'ledger_only'")
            String approvalMode) {

        PolicyInput toInput() {
            return new PolicyInput(Scope.parse(scope), AttachedKind.fromWire(attachedKind), attachedId, toolGlob,
                    Verdict.fromWire(verdict), ApprovalMode.fromWire(approvalMode));
        }
    }

    /** One policy as the admin API shows it; {@code version} is the policy version of its last change. */
    public record PolicyView(UUID id, String scope, String attachedKind, String attachedId, String toolGlob,
            String verdict, String approvalMode, String createdBy, OffsetDateTime createdAt, OffsetDateTime updatedAt,
            long version) {

        static PolicyView of(PolicyEntity e) {
            return new PolicyView(e.id, e.scope, e.attachedKind, e.attachedId, e.toolGlob, e.verdict,
                    e.approvalMode == null ? ApprovalMode.ANY.wire() : e.approvalMode, e.createdBy, e.createdAt,
                    e.updatedAt, e.version);
        }
    }

    @GET
    public Uni<List<PolicyView>> list() {
        return policies.listByScope().map(list -> list.stream().map(PolicyView::of).toList());
    }

    @GET
    @Path("{id}")
    public Uni<PolicyView> get(@PathParam("id") UUID id) {
        return admin.findPolicy(id).map(PolicyView::of);
    }

    @POST
    public Uni<Response> create(@Valid @NotNull(message = "a JSON body is required") PolicyRequest body) {
        return admin.createPolicy(body.toInput(), AdminPrincipal.of(jwt, identity))
                .map(e -> Response.created(URI.create("/api/policies/" + e.id)).entity(PolicyView.of(e)).build());
    }

    @PUT
    @Path("{id}")
    public Uni<PolicyView> update(@PathParam("id") UUID id,
            @Valid @NotNull(message = "a JSON body is required") PolicyRequest body) {
        return admin.updatePolicy(id, body.toInput(), AdminPrincipal.of(jwt, identity)).map(PolicyView::of);
    }

    @DELETE
    @Path("{id}")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return admin.deletePolicy(id, AdminPrincipal.of(jwt, identity)).map(v -> Response.noContent().build());
    }
}
