package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * Every Run transition, on {@code executor.run.events}. Emitted by invoker-service (the only
 * writer of Run transitions); consumed by run-ledger and by external teams.
 *
 * <p>Lifecycle: {@link RunRequested} then {@link RunAdmitted}, {@link RunBlocked} or
 * {@link RunPendingApproval}; a pending run continues with {@link RunApproved} (then admitted),
 * {@link RunDenied} or {@link RunExpired}; an admitted run with {@link RunStarted} then
 * {@link RunSucceeded} or {@link RunFailed}. {@link RunCancelled} can end any non-terminal run.
 * Consumers order by {@link #sequence()}, not by arrival, and ignore a sequence they already hold.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RunRequested.class, name = "RunRequested"),
    @JsonSubTypes.Type(value = RunAdmitted.class, name = "RunAdmitted"),
    @JsonSubTypes.Type(value = RunBlocked.class, name = "RunBlocked"),
    @JsonSubTypes.Type(value = RunPendingApproval.class, name = "RunPendingApproval"),
    @JsonSubTypes.Type(value = RunApproved.class, name = "RunApproved"),
    @JsonSubTypes.Type(value = RunDenied.class, name = "RunDenied"),
    @JsonSubTypes.Type(value = RunStarted.class, name = "RunStarted"),
    @JsonSubTypes.Type(value = RunSucceeded.class, name = "RunSucceeded"),
    @JsonSubTypes.Type(value = RunFailed.class, name = "RunFailed"),
    @JsonSubTypes.Type(value = RunCancelled.class, name = "RunCancelled"),
    @JsonSubTypes.Type(value = RunExpired.class, name = "RunExpired")
})
public sealed interface RunEvent extends ExecutorEvent
        permits RunRequested, RunAdmitted, RunBlocked, RunPendingApproval, RunApproved, RunDenied,
                RunStarted, RunSucceeded, RunFailed, RunCancelled, RunExpired {

    /** The Run's id. */
    String runId();

    /** Position of the event in its run, from 1, strictly increasing. */
    long sequence();

    /** When the transition happened. */
    Instant occurredAt();

    /** What the run is about. */
    RunContext context();

    /** Keyed by run id, so one run's events stay in order on one partition. */
    @Override
    default String key() {
        return runId();
    }
}
