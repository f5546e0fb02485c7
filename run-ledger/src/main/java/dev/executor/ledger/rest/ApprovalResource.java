package dev.executor.ledger.rest;


import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.executor.contracts.events.PrincipalRef;
import dev.executor.ledger.Caller;
import dev.executor.ledger.service.ApprovalService;
import dev.executor.ledger.service.ApprovalService.Outcome;
import dev.executor.ledger.service.RunQueryService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The approvals inbox and the only place a Run is approved or denied. Every path is open to any
 * authenticated caller on purpose: the role check happens here so that each refusal (an agent, a
 * client-credentials or service-account token, a caller without {@code executor-approver}) is
 * recorded in the audit log and logged with the subject before answering 403. A token carrying
 * {@code executor-agent} is refused even if it carries the approver role too.
 */
@Path("/api/approvals")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ApprovalResource {

    /** Optional comment of the approver. */
    public record DecisionRequest(@Size(max = 2000) String comment) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DecisionView(String runId, String outcome, PrincipalRef decidedBy, java.time.Instant decidedAt,
            String comment) {
    }

    private final ApprovalService approvals;
    private final RunQueryService queries;
    private final Callers callers;
    private final SecurityIdentity identity;

    public ApprovalResource(ApprovalService approvals, RunQueryService queries, Callers callers, SecurityIdentity identity) {
        this.approvals = approvals;
        this.queries = queries;
        this.callers = callers;
        this.identity = identity;
    }

    @GET
    @Operation(summary = "Undecided pending Runs placed in your scopes, oldest first")
    public Uni<RunResource.RunPage> pending(@QueryParam("scope") String scope,
            @QueryParam("limit") @DefaultValue("0") int limit, @QueryParam("cursor") String cursor) {
        Caller caller = callers.of(identity);
        String refusal = refusal(caller);
        if (refusal != null) {
            return approvals.refuse(caller, "list-approvals", null, refusal);
        }
        return queries.pending(caller.visibility(), scope, limit, cursor)
                .map(p -> new RunResource.RunPage(p.runs().stream().map(RunView::of).toList(), p.nextPageToken()));
    }

    @POST
    @Path("{runId}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Approve a pending Run (humans with executor-approver only)")
    public Uni<DecisionView> approve(@PathParam("runId") String runId, DecisionRequest body) {
        return decide(runId, Outcome.GRANTED, body);
    }

    @POST
    @Path("{runId}/deny")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Deny a pending Run (humans with executor-approver only)")
    public Uni<DecisionView> deny(@PathParam("runId") String runId, DecisionRequest body) {
        return decide(runId, Outcome.DENIED, body);
    }

    private Uni<DecisionView> decide(String runId, Outcome outcome, DecisionRequest body) {
        Caller caller = callers.of(identity);
        String action = outcome == Outcome.GRANTED ? "approve" : "deny";
        String refusal = refusal(caller);
        if (refusal != null) {
            return approvals.refuse(caller, action, runId, refusal);
        }
        String comment = body == null || body.comment() == null || body.comment().isBlank() ? null : body.comment();
        return approvals.decide(RunQueryService.parseId(runId), caller, outcome, comment)
                .map(d -> new DecisionView(d.runId().toString(), d.outcome(), d.decidedBy(), d.decidedAt(), d.comment()));
    }

    /** Why {@code caller} may not use the approvals API, or null when they may. */
    static String refusal(Caller caller) {
        if (caller.roles().contains(Caller.AGENT)) {
            return "the token carries executor-agent";
        }
        if (caller.machine()) {
            return "the token belongs to a service account or client, not a person";
        }
        if (!caller.isApprover()) {
            return "the token does not carry executor-approver";
        }
        return null;
    }

}
