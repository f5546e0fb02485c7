package dev.executor.ledger.rest;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestStreamElementType;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.executor.ledger.Caller;
import dev.executor.ledger.service.LedgerException;
import dev.executor.ledger.service.RunQueryService;
import dev.executor.ledger.service.RunQueryService.Filter;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Run history and audit for humans. Roles {@code executor-admin} (every Run) or
 * {@code executor-approver} (Runs placed in one of their scopes, plus Runs made for themselves);
 * a Run the caller cannot read answers 404, like one that does not exist.
 */
@Path("/api")
@RolesAllowed({ Caller.APPROVER, Caller.ADMIN })
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    /** A page of Runs, newest first; pass {@code nextCursor} as {@code cursor} for the next one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunPage(List<RunView> items, String nextCursor) {
    }

    private final RunQueryService queries;
    private final Callers callers;
    private final SecurityIdentity identity;

    public RunResource(RunQueryService queries, Callers callers, SecurityIdentity identity) {
        this.queries = queries;
        this.callers = callers;
        this.identity = identity;
    }

    @GET
    @Path("runs")
    @Operation(summary = "Runs visible to you, newest first, filtered and paginated (keyset cursor)")
    public Uni<RunPage> list(@QueryParam("principal") String principal, @QueryParam("scope") String scope,
            @QueryParam("address") String address, @QueryParam("tool") String tool, @QueryParam("source") String source,
            @QueryParam("status") List<String> status, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("limit") @DefaultValue("0") int limit, @QueryParam("cursor") String cursor) {
        Filter filter = filter(principal, scope, address, tool, source, status, from, to);
        return queries.list(caller().visibility(), filter, limit, cursor)
                .map(p -> new RunPage(p.runs().stream().map(RunView::of).toList(), p.nextPageToken()));
    }

    @GET
    @Path("runs/export")
    @Produces("application/x-ndjson")
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Audit export: every visible Run matching the filters, oldest first, one JSON object per line")
    public Multi<RunView> export(@QueryParam("principal") String principal, @QueryParam("scope") String scope,
            @QueryParam("address") String address, @QueryParam("tool") String tool, @QueryParam("source") String source,
            @QueryParam("status") List<String> status, @QueryParam("from") String from, @QueryParam("to") String to) {
        Filter filter = filter(principal, scope, address, tool, source, status, from, to);
        return queries.export(caller().visibility(), filter).map(RunView::of);
    }

    @GET
    @Path("runs/{id}")
    @Operation(summary = "One Run with its decisions and its event timeline (in sequence order)")
    public Uni<RunView> get(@PathParam("id") String id) {
        return queries.get(caller().visibility(), id, true).map(d -> RunView.of(d.run(), d.approvals(), d.timeline()));
    }

    @GET
    @Path("outputs/{handle}")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "A stored output by handle (bytes from offset), if you can read its Run")
    public Uni<Response> output(@PathParam("handle") String handle, @QueryParam("offset") @DefaultValue("0") long offset,
            @QueryParam("length") @DefaultValue("0") int length) {
        return queries.readOutput(caller().visibility(), handle, offset, length)
                .map(slice -> Response.ok(slice.data(), slice.contentType())
                        .header("X-Output-Total-Size", slice.totalSize()).build());
    }

    private Caller caller() {
        return callers.of(identity);
    }

    static Filter filter(String principal, String scope, String address, String tool, String source, List<String> status,
            String from, String to) {
        if (address != null && tool != null && !address.equals(tool)) {
            throw LedgerException.invalid("Give either address or tool (they are the same filter), not two different values.");
        }
        List<String> statuses = status == null ? List.of()
                : status.stream().flatMap(s -> List.of(s.split(",")).stream()).filter(s -> !s.isBlank())
                        .map(RunQueryService::status).toList();
        return new Filter(principal, scope, address != null ? address : tool, source, statuses, time("from", from),
                time("to", to));
    }

    private static Instant time(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw LedgerException.invalid(name + " must be an ISO-8601 UTC instant, e.g. 2025-06-01T10:15:30Z");
        }
    }
}
