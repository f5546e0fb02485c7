package dev.executor.ledger.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.events.RunEvent;
import dev.executor.ledger.Run;
import dev.executor.ledger.config.LedgerConfig;
import dev.executor.ledger.persistence.RunRepository;
import dev.executor.ledger.persistence.RunRepository.TimelineEntry;
import io.smallrye.mutiny.Uni;

/**
 * Applies run events to the ledger. One call is one database transaction that marks the events
 * processed (table {@code processed_event}), folds them into their Runs and appends them to the
 * timeline: an event is either fully applied once or not at all, so a redelivered event (same
 * CloudEvent id) changes nothing.
 */
@ApplicationScoped
public class IngestService {

    /** A run event with its CloudEvent id. */
    public record Incoming(String eventId, RunEvent event) {
    }

    private final RunRepository runs;
    private final RunFold fold;
    private final ObjectMapper json;

    public IngestService(RunRepository runs, ObjectMapper json, LedgerConfig config) {
        this.runs = runs;
        this.json = json;
        this.fold = new RunFold(json, config.approval().ttl());
    }

    /** Applies {@code events} in one transaction; completes with the number of events that were new. */
    public Uni<Integer> apply(List<Incoming> events) {
        Map<String, Incoming> byId = new LinkedHashMap<>();
        events.forEach(e -> byId.putIfAbsent(e.eventId(), e));
        if (byId.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return runs.pool().withTransaction(tx -> runs.claimEvents(tx, byId.keySet())
                .flatMap(fresh -> {
                    List<Incoming> todo = byId.values().stream().filter(e -> fresh.contains(e.eventId()))
                            .sorted(Comparator.comparing((Incoming e) -> e.event().runId())
                                    .thenComparingLong(e -> e.event().sequence()))
                            .toList();
                    if (todo.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    Set<UUID> ids = new java.util.TreeSet<>();
                    todo.forEach(e -> ids.add(UUID.fromString(e.event().runId())));
                    return runs.lock(tx, ids).flatMap(current -> {
                        Map<UUID, Run> folded = new LinkedHashMap<>(current);
                        List<TimelineEntry> timeline = new ArrayList<>(todo.size());
                        for (Incoming in : todo) {
                            UUID id = UUID.fromString(in.event().runId());
                            folded.put(id, fold.apply(folded.get(id), in.event()));
                            timeline.add(new TimelineEntry(in.eventId(), id, in.event().sequence(), in.event().type(),
                                    in.event().occurredAt(), RunFold.statusOf(in.event()), write(in.event())));
                        }
                        List<Run> changed = ids.stream().map(folded::get).toList();
                        return runs.upsert(tx, changed)
                                .chain(() -> runs.appendTimeline(tx, timeline))
                                .replaceWith(todo.size());
                    });
                }));
    }

    private String write(RunEvent event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot write the event as JSON", e);
        }
    }
}
