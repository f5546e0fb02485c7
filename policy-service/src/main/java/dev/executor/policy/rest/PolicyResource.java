package dev.executor.policy.rest;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.executor.policy.persistence.PolicyEntity;
import dev.executor.policy.persistence.PolicyRepository;
import io.smallrye.mutiny.Uni;

/** Admin view of the policies. */
@Path("/api/policies")
@RolesAllowed("executor-admin")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {

    private final PolicyRepository policies;

    public PolicyResource(PolicyRepository policies) {
        this.policies = policies;
    }

    /** One policy as the admin API shows it. */
    public record PolicyView(UUID id, String scope, String attachedKind, String attachedId, String toolGlob,
            String verdict, String approvalMode, String createdBy, OffsetDateTime createdAt, OffsetDateTime updatedAt,
            long version) {

        static PolicyView of(PolicyEntity e) {
            return new PolicyView(e.id, e.scope, e.attachedKind, e.attachedId, e.toolGlob, e.verdict, e.approvalMode,
                    e.createdBy, e.createdAt, e.updatedAt, e.version);
        }
    }

    @GET
    public Uni<List<PolicyView>> list() {
        return policies.listByScope().map(list -> list.stream().map(PolicyView::of).toList());
    }
}
