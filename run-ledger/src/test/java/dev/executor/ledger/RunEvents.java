package dev.executor.ledger;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.ErrorInfo;
import dev.executor.contracts.events.OutputRef;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.contracts.events.RunAdmitted;
import dev.executor.contracts.events.RunContext;
import dev.executor.contracts.events.RunEvent;
import dev.executor.contracts.events.RunFailed;
import dev.executor.contracts.events.RunPendingApproval;
import dev.executor.contracts.events.RunRequested;
import dev.executor.contracts.events.RunStarted;
import dev.executor.contracts.events.RunSucceeded;
import dev.executor.contracts.events.Surface;
import dev.executor.contracts.events.Verdict;

/** Test fixtures: the run events an invoker emits for one run, and their CloudEvent JSON. */
public final class RunEvents {

    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    public final String runId;
    public final Instant t0;
    public final RunContext context;

    public RunEvents(String subject, String address, Instant t0) {
        this(UUID.randomUUID().toString(), subject, address, t0);
    }

    public RunEvents(String runId, String subject, String address, Instant t0) {
        this.runId = runId;
        this.t0 = t0;
        this.context = new RunContext(address, "sha256:9f86d08",
                List.of(new PrincipalRef(subject, subject, "claude-desktop", true)), null, Surface.MCP, null,
                "sha256:abab", 17L, Verdict.ALLOW, "4bf92f3577b34da6a3ce929d0e0e4736", null, null);
    }

    public RunRequested requested() {
        return new RunRequested(runId, 1, t0, context);
    }

    public RunAdmitted admitted() {
        return new RunAdmitted(runId, 2, t0.plusMillis(10), context);
    }

    public RunPendingApproval pending(Instant expiresAt) {
        return new RunPendingApproval(runId, 2, t0.plusMillis(10), context,
                JsonNodeFactory.instance.objectNode().put("title", "Refund job stuck"), expiresAt, null);
    }

    public RunStarted started() {
        return new RunStarted(runId, 3, t0.plusMillis(20), context, 1);
    }

    public RunSucceeded succeeded() {
        return new RunSucceeded(runId, 4, t0.plusMillis(30), context,
                OutputRef.inline(JsonNodeFactory.instance.objectNode().put("number", 1347), 15), 1, 10);
    }

    public RunSucceeded succeededStored(String handle) {
        return new RunSucceeded(runId, 4, t0.plusMillis(30), context, OutputRef.stored(handle, 5), 1, 10);
    }

    public RunFailed failed() {
        return new RunFailed(runId, 4, t0.plusMillis(30), context, new ErrorInfo("UPSTREAM_ERROR", "boom"), 2, 10);
    }

    /** The happy path: requested, admitted, started, succeeded. */
    public List<RunEvent> lifecycle() {
        return List.of(requested(), admitted(), started(), succeeded());
    }

    public static CloudEvent<RunEvent> envelope(RunEvent event) {
        return CloudEvent.of("/executor/invoker-service", "run/" + event.runId(), event);
    }

    public static String json(CloudEvent<RunEvent> envelope) {
        try {
            return JSON.writeValueAsString(envelope);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
