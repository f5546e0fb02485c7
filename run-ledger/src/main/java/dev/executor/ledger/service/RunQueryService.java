package dev.executor.ledger.service;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.ledger.Run;
import dev.executor.ledger.Visibility;
import dev.executor.ledger.config.LedgerConfig;
import dev.executor.ledger.persistence.RunQuery;
import dev.executor.ledger.persistence.RunQuery.Cursor;
import dev.executor.ledger.persistence.RunRepository;
import dev.executor.ledger.persistence.RunRepository.ApprovalRow;
import dev.executor.ledger.persistence.RunRepository.OutputSlice;
import dev.executor.ledger.persistence.RunRepository.TimelineEntry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Reads over Runs for REST and gRPC, always through the caller's {@link Visibility}. */
@ApplicationScoped
public class RunQueryService {

    /** Filters; each null (or empty) for "any". */
    public record Filter(String subject, String scope, String address, String source, List<String> statuses,
            Instant from, Instant to) {
    }

    public record Page(List<Run> runs, String nextPageToken) {
    }

    public record Detail(Run run, List<ApprovalRow> approvals, List<TimelineEntry> timeline) {
    }

    private static final int EXPORT_PAGE = 500;

    private final RunRepository runs;
    private final LedgerConfig config;

    public RunQueryService(RunRepository runs, LedgerConfig config) {
        this.runs = runs;
        this.config = config;
    }

    public Uni<Page> list(Visibility v, Filter f, int pageSize, String pageToken) {
        return page(v, f, pageSize, pageToken, false, false);
    }

    /** Undecided pending approvals visible to {@code v}, oldest first. */
    public Uni<Page> pending(Visibility v, String scope, int pageSize, String pageToken) {
        return page(v, new Filter(null, scope, null, null, List.of(), null, null), pageSize, pageToken, true, true);
    }

    private Uni<Page> page(Visibility v, Filter f, int pageSize, String pageToken, boolean ascending, boolean pending) {
        int size = pageSize <= 0 ? config.query().defaultPageSize() : Math.min(pageSize, config.query().maxPageSize());
        Cursor after;
        try {
            after = pageToken == null || pageToken.isBlank() ? null : Cursor.decode(pageToken);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(LedgerException.invalid(e.getMessage()));
        }
        return runs.query(query(v, f, after, ascending, pending, size + 1)).map(list -> {
            if (list.size() <= size) {
                return new Page(list, null);
            }
            List<Run> page = list.subList(0, size);
            return new Page(List.copyOf(page), Cursor.of(page.getLast()).encode());
        });
    }

    /** Every matching Run, oldest first, fetched page by page (constant memory). */
    public Multi<Run> export(Visibility v, Filter f) {
        AtomicReference<Cursor> after = new AtomicReference<>();
        return Multi.createBy().repeating()
                .uni(() -> runs.query(query(v, f, after.get(), true, false, EXPORT_PAGE)).invoke(list -> {
                    if (!list.isEmpty()) {
                        after.set(Cursor.of(list.getLast()));
                    }
                }))
                .until(List::isEmpty)
                .onItem().transformToIterable(list -> list);
    }

    public Uni<Detail> get(Visibility v, String id, boolean withTimeline) {
        UUID runId = parseId(id);
        return runs.find(runs.pool(), runId).flatMap(run -> {
            if (run == null || !v.canRead(run)) {
                return Uni.createFrom().failure(LedgerException.runNotFound(id));
            }
            Uni<List<TimelineEntry>> timeline = withTimeline ? runs.timeline(runId) : Uni.createFrom().item(List.of());
            return runs.approvals(runId).flatMap(a -> timeline.map(t -> new Detail(run, a, t)));
        });
    }

    /** A range of the stored output {@code handle}, if the caller can read its Run (else: not found). */
    public Uni<OutputSlice> readOutput(Visibility v, String handle, long offset, int maxBytes) {
        if (offset < 0) {
            return Uni.createFrom().failure(LedgerException.invalid("offset must be 0 or more"));
        }
        int max = maxBytes <= 0 ? 1 << 20 : Math.min(maxBytes, 4 << 20);
        return runs.findByOutputHandle(handle).flatMap(run -> {
            if (run == null || !v.canRead(run)) {
                return Uni.createFrom().failure(new LedgerException(LedgerException.Kind.NOT_FOUND, "OUTPUT_NOT_FOUND",
                        "No output " + handle + " is visible to you."));
            }
            return runs.readOutput(handle, offset, max).onItem().ifNull().failWith(() -> new LedgerException(
                    LedgerException.Kind.NOT_FOUND, "OUTPUT_NOT_FOUND", "Output " + handle + " is not stored (yet)."));
        });
    }

    public static UUID parseId(String id) {
        try {
            UUID u = UUID.fromString(id);
            if (u.toString().equalsIgnoreCase(id)) {
                return u;
            }
        } catch (RuntimeException e) {
            // fall through: not a run id, so no such run
        }
        throw LedgerException.runNotFound(id);
    }

    /** Accepts a status in any case, as "pending_approval" or the proto's "PENDING_APPROVAL". */
    public static String status(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (!Run.ALL.contains(v)) {
            throw LedgerException.invalid("Unknown status '" + s + "'; one of " + Run.ALL);
        }
        return v;
    }

    /** "org:acme", "workspace:payments" or a bare id: the id is what Runs are placed by. */
    public static String scopeId(String scope) {
        if (scope == null || scope.isBlank()) {
            return null;
        }
        int colon = scope.indexOf(':');
        return colon < 0 ? scope : scope.substring(colon + 1);
    }

    private static RunQuery query(Visibility v, Filter f, Cursor after, boolean ascending, boolean pending, int limit) {
        return new RunQuery(v, f.subject(), scopeId(f.scope()), f.address(), f.source(),
                f.statuses() == null ? List.of() : f.statuses(), f.from(), f.to(), after, ascending, pending, limit);
    }
}
