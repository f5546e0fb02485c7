package dev.executor.ledger.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.executor.ledger.persistence.RunRepository;
import io.smallrye.mutiny.Uni;

/**
 * The approvals inbox: runs waiting for a human decision. Only approvers see it; an agent's token
 * never does (approving is a human action).
 */
@Path("/api/approvals")
@RolesAllowed("executor-approver")
@Produces(MediaType.APPLICATION_JSON)
public class ApprovalResource {

    private final RunRepository runs;

    public ApprovalResource(RunRepository runs) {
        this.runs = runs;
    }

    @GET
    public Uni<List<RunView>> pending() {
        return runs.listPendingApproval().map(list -> list.stream().map(RunView::of).toList());
    }
}
