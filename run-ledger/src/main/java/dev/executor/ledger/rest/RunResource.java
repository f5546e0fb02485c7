package dev.executor.ledger.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.executor.ledger.persistence.RunRepository;
import io.smallrye.mutiny.Uni;

/** Run history for humans who approve or administer. */
@Path("/api/runs")
@RolesAllowed({ "executor-approver", "executor-admin" })
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    static final int PAGE_SIZE = 100;

    private final RunRepository runs;

    public RunResource(RunRepository runs) {
        this.runs = runs;
    }

    /** The 100 most recent runs, newest first. */
    @GET
    public Uni<List<RunView>> list() {
        return runs.listNewest(PAGE_SIZE).map(list -> list.stream().map(RunView::of).toList());
    }
}
