package dev.executor.invoker.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;

import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.RunStatus;
import dev.executor.common.v1.SideEffect;
import dev.executor.common.v1.Surface;
import dev.executor.common.v1.Verdict;
import dev.executor.common.v1.Violation;
import dev.executor.contracts.ErrorReasons;
import dev.executor.contracts.events.ErrorInfo;
import dev.executor.contracts.events.OutputRef;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.contracts.events.RunAdmitted;
import dev.executor.contracts.events.RunApproved;
import dev.executor.contracts.events.RunBlocked;
import dev.executor.contracts.events.RunCancelled;
import dev.executor.contracts.events.RunContext;
import dev.executor.contracts.events.RunDenied;
import dev.executor.contracts.events.RunEvent;
import dev.executor.contracts.events.RunExpired;
import dev.executor.contracts.events.RunFailed;
import dev.executor.contracts.events.RunPendingApproval;
import dev.executor.contracts.events.RunRequested;
import dev.executor.contracts.events.RunStarted;
import dev.executor.contracts.events.RunSucceeded;
import dev.executor.invoker.config.InvokerConfig;
import dev.executor.invoker.lane.Lane;
import dev.executor.invoker.lane.LaneCall;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.LaneResult;
import dev.executor.invoker.lane.Lanes;
import dev.executor.invoker.messaging.RunEventPublisher;
import dev.executor.invoker.persistence.RunStore;
import dev.executor.invoker.persistence.RunStore.NewRun;
import dev.executor.invoker.persistence.RunStore.OutboxRow;
import dev.executor.invoker.persistence.RunStore.StoredRun;
import dev.executor.invoker.v1.ApprovalRequest;
import dev.executor.invoker.v1.InvokeResponse;
import dev.executor.policy.v1.ApprovalMode;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.policy.v1.Rule;
import io.opentelemetry.api.trace.Span;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * The enforcement point: every call from every surface (gRPC from the gateway, Kafka requests,
 * resumed approvals) goes through here. The order never changes: resolve the tool, validate the
 * arguments, ask policy, record the Run (and its events, in the same statement), and only then
 * execute through the lane; then record the outcome.
 *
 * <p>A call refused before it becomes a Run (unknown tool, invalid arguments, overload) fails with
 * an {@link InvokerException}; from then on the caller gets a Run id and the Run's status. Execution
 * is detached from the caller: a caller that stops waiting (or disconnects) does not stop the Run,
 * which always ends terminal and recorded (DESIGN §3 rule 5).
 */
@ApplicationScoped
public class Invocations {

    private static final Logger LOG = Logger.getLogger(Invocations.class);
    private static final List<String> LIVE = List.of("PENDING_APPROVAL", "ADMITTED", "RUNNING");
    private static final Duration POLL = Duration.ofMillis(100);

    /** One call, from whatever surface it arrived on. */
    public record Call(Principal principal, String toolkit, String address, ObjectNode arguments, String idempotencyKey,
            Surface surface, String parentRunId, Duration waitFor, String traceParent, String replySubject,
            List<PrincipalRef> actors) {
    }

    private record Exec(UUID runId, Principal principal, ResolveToolResponse tool, ObjectNode arguments, RunContext context,
            long sequence, boolean safe, Duration timeout, String traceParent) {
    }

    private static final class InFlight {
        final CompletableFuture<InvokeResponse> done = new CompletableFuture<>();
        volatile Cancellable subscription;
    }

    private final ToolResolver resolver;
    private final ArgumentValidator validator;
    private final PolicyGate policy;
    private final Lanes lanes;
    private final RunStore store;
    private final RunEventPublisher events;
    private final OutputStore outputs;
    private final CircuitBreakers breakers;
    private final InvokerConfig config;
    private final ObjectMapper json;
    private final String instance;
    private final Map<UUID, InFlight> running = new ConcurrentHashMap<>();

    public Invocations(ToolResolver resolver, ArgumentValidator validator, PolicyGate policy, Lanes lanes, RunStore store,
            RunEventPublisher events, OutputStore outputs, CircuitBreakers breakers, InvokerConfig config, ObjectMapper json) {
        this.resolver = resolver;
        this.validator = validator;
        this.policy = policy;
        this.lanes = lanes;
        this.store = store;
        this.events = events;
        this.outputs = outputs;
        this.breakers = breakers;
        this.config = config;
        this.json = json;
        this.instance = config.instanceId().orElse("invoker-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** This instance's name, as written in {@code run.owner}. */
    public String instance() {
        return instance;
    }

    /** Runs executing in this instance right now. */
    public int executing() {
        return running.size();
    }

    // ---- invoke ----------------------------------------------------------------------------

    /** Parses {@code argumentsJson}: a JSON object, or an {@code INVALID_ARGUMENTS} refusal. */
    public ObjectNode arguments(String argumentsJson) {
        if (argumentsJson == null || argumentsJson.isBlank()) {
            return json.createObjectNode();
        }
        try {
            JsonNode node = json.readTree(argumentsJson);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (JsonProcessingException e) {
            throw InvokerException.of(ErrorReasons.INVALID_ARGUMENTS, "arguments_json is not valid JSON: "
                    + e.getOriginalMessage(), List.of(), List.of(Violation.newBuilder().setPath("").setKeyword("type")
                            .setMessage("must be a JSON object").build()), Map.of());
        }
        throw InvokerException.of(ErrorReasons.INVALID_ARGUMENTS, "Arguments must be a JSON object.", List.of(),
                List.of(Violation.newBuilder().setPath("").setKeyword("type").setMessage("must be a JSON object").build()), Map.of());
    }

    public Uni<InvokeResponse> invoke(Call call) {
        if (running.size() >= config.call().maxInFlight()) {
            return Uni.createFrom().failure(InvokerException.of(ErrorReasons.RATE_LIMITED, "This invoker is running "
                    + running.size() + " calls already; retry shortly.", List.of(), List.of(), Map.of("retry_after_ms", "200")));
        }
        if (call.address() == null || call.address().split("\\.", -1).length != 4) {
            return Uni.createFrom().failure(new InvokerException(ErrorReasons.TOOL_NOT_FOUND, "'" + call.address()
                    + "' is not a tool address: expected <source>.<scope>.<connection>.<tool>, e.g. github.acme.work.issues_create."));
        }
        if (call.principal().getScopeChainCount() == 0) {
            return policy.withScopes(call.principal()).chain(principal -> invoke(new Call(principal, call.toolkit(), call.address(),
                    call.arguments(), call.idempotencyKey(), call.surface(), call.parentRunId(), call.waitFor(), call.traceParent(),
                    call.replySubject(), call.actors())));
        }
        return resolver.resolve(call.address(), call.principal()).chain(tool -> {
            List<Violation> violations = validator.validate(tool.getTool().getInputSchemaJson(), call.arguments());
            if (!violations.isEmpty()) {
                return Uni.createFrom().failure(invalid(call.address(), violations));
            }
            return policy.decide(call.principal(), call.toolkit(), call.address(), tool)
                    .chain(decision -> admit(call, tool, decision));
        });
    }

    private static InvokerException invalid(String address, List<Violation> violations) {
        StringBuilder message = new StringBuilder("The arguments do not match the input schema of ").append(address).append(": ");
        for (int i = 0; i < violations.size() && i < 5; i++) {
            Violation v = violations.get(i);
            message.append(i == 0 ? "" : "; ").append(v.getPath().isEmpty() ? "(root)" : v.getPath()).append(" ").append(v.getMessage());
        }
        if (violations.size() > 5) {
            message.append("; and ").append(violations.size() - 5).append(" more");
        }
        return InvokerException.of(ErrorReasons.INVALID_ARGUMENTS, message.append('.').toString(), List.of(), violations,
                Map.of("address", address));
    }

    private Uni<InvokeResponse> admit(Call call, ResolveToolResponse tool, DecideResponse decision) {
        UUID runId = UUID.randomUUID();
        Instant now = Instant.now();
        RunContext context = context(call, tool, decision);
        List<RunEvent> first = new ArrayList<>();
        first.add(new RunRequested(runId.toString(), 1, now, context));
        boolean blocked = decision.getVerdict() == Verdict.BLOCK || !decision.getVisible()
                || decision.getVerdict() == Verdict.VERDICT_UNSPECIFIED;
        InvokeResponse.Builder response = InvokeResponse.newBuilder().setRunId(runId.toString()).setVerdict(decision.getVerdict())
                .setPolicyVersion(decision.getPolicyVersion());
        String status;
        Instant lease = null;
        if (blocked) {
            ErrorDetail error = blockedError(call.address(), decision);
            first.add(new RunBlocked(runId.toString(), 2, now, context, new ErrorInfo(error.getReason(), error.getMessage())));
            response.setStatus(RunStatus.BLOCKED).setError(error).setVerdict(Verdict.BLOCK);
            status = "BLOCKED";
        } else if (decision.getVerdict() == Verdict.REQUIRE_APPROVAL) {
            Instant expires = now.plus(config.approval().ttl());
            String url = config.approval().url().replace("{runId}", runId.toString());
            first.add(new RunPendingApproval(runId.toString(), 2, now, context, call.arguments(), expires, url));
            ErrorDetail.Builder why = ErrorDetail.newBuilder().setReason(ErrorReasons.APPROVAL_REQUIRED)
                    .setMessage(approvalMessage(call.address(), decision, url))
                    .putMetadata("approval_mode", decision.getApprovalMode() == ApprovalMode.LEDGER_ONLY ? "ledger_only" : "any");
            response.setStatus(RunStatus.PENDING_APPROVAL).setError(why)
                    .setApproval(ApprovalRequest.newBuilder().setUrl(url).setExpiresAt(ts(expires)));
            status = "PENDING_APPROVAL";
        } else {
            first.add(new RunAdmitted(runId.toString(), 2, now, context));
            first.add(new RunStarted(runId.toString(), 3, now, context, 1));
            response.setStatus(RunStatus.RUNNING);
            status = "RUNNING";
            lease = now.plus(config.call().timeout()).plus(config.call().leaseMargin());
        }
        InvokeResponse answer = response.build();
        List<OutboxRow> rows = first.stream().map(events::row).toList();
        NewRun run = new NewRun(runId, status, call.address(), call.principal().toByteArray(), call.principal().getSubject(),
                blankToNull(call.toolkit()), write(context), sideEffect(tool.getTool().getSideEffect()), first.size(), result(answer),
                lease == null ? null : instance, lease);
        return store.create(run, call.idempotencyKey(), rows).chain(created -> {
            if (!created.created()) {
                return existing(created.runId(), wait(call));
            }
            events.relay(rows);
            if (!"RUNNING".equals(status)) {
                return Uni.createFrom().item(answer);
            }
            boolean safe = tool.getTool().getSideEffect() == SideEffect.READ
                    || (call.idempotencyKey() != null && !call.idempotencyKey().isEmpty());
            Exec exec = new Exec(runId, call.principal(), tool, call.arguments(), context, first.size(), safe, config.call().timeout(),
                    call.traceParent());
            return await(start(exec), answer, wait(call));
        });
    }

    private Duration wait(Call call) {
        Duration wait = call.waitFor() == null ? Duration.ZERO : call.waitFor();
        return wait.compareTo(config.call().maxWait()) > 0 ? config.call().maxWait() : wait;
    }

    /** The caller's answer: the Run's terminal response if it comes within {@code wait}, else {@code pending}. */
    private static Uni<InvokeResponse> await(CompletableFuture<InvokeResponse> done, InvokeResponse pending, Duration wait) {
        if (wait.isZero() || wait.isNegative()) {
            return Uni.createFrom().item(pending);
        }
        return Uni.createFrom().completionStage(done.copy()).ifNoItem().after(wait).recoverWithItem(pending);
    }

    // ---- execution -------------------------------------------------------------------------

    /** Starts {@code exec} detached from any caller; the future completes with its terminal response. */
    private CompletableFuture<InvokeResponse> start(Exec exec) {
        InFlight flight = new InFlight();
        running.put(exec.runId(), flight);
        flight.subscription = execute(exec)
                .onTermination().invoke(() -> running.remove(exec.runId(), flight))
                .subscribe().with(flight.done::complete, failure -> {
                    LOG.errorf("Run %s could not be recorded as finished: %s", exec.runId(), failure.toString());
                    flight.done.completeExceptionally(failure);
                });
        return flight.done;
    }

    private Uni<InvokeResponse> execute(Exec exec) {
        long started = System.nanoTime();
        AtomicInteger attempts = new AtomicInteger();
        String sourceId = exec.tool().getSource().getId();
        Uni<LaneResult> upstream = Uni.createFrom().deferred(() -> {
            Lane lane = lanes.get(exec.tool().getLane().getLane());
            if (lane == null) {
                throw new LaneException(ErrorReasons.UNAVAILABLE, "This invoker has no '" + exec.tool().getLane().getLane()
                        + "' lane for " + exec.context().address() + ".");
            }
            breakers.admit(sourceId, exec.tool().getSource().getName());
            attempts.incrementAndGet();
            LaneCall call = new LaneCall(exec.runId().toString(), exec.tool(), exec.arguments(), exec.principal(), exec.timeout(),
                    exec.traceParent());
            return lane.execute(call);
        }).onItem().invoke(r -> breakers.succeeded(sourceId))
                .onFailure().invoke(e -> breakers.failed(sourceId, e));
        if (exec.safe() && config.retry().maxAttempts() > 1) {
            upstream = upstream.onFailure(e -> e instanceof LaneException l && l.retryable())
                    .retry().withBackOff(config.retry().backoff()).atMost(config.retry().maxAttempts() - 1);
        }
        Duration timeout = exec.timeout();
        return upstream.ifNoItem().after(timeout).failWith(() -> new LaneException(ErrorReasons.UPSTREAM_TIMEOUT,
                exec.context().address() + " did not answer within " + timeout.toMillis() + " ms."))
                .chain(result -> succeeded(exec, result, attempts.get(), started))
                .onFailure().recoverWithUni(e -> failed(exec, e, Math.max(1, attempts.get()), started));
    }

    private Uni<InvokeResponse> succeeded(Exec exec, LaneResult result, int attempts, long started) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(result.output());
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new LaneException(ErrorReasons.UPSTREAM_ERROR, "The upstream's answer is not valid JSON."));
        }
        if (bytes.length > config.output().maxSize()) {
            return Uni.createFrom().failure(new LaneException(ErrorReasons.UPSTREAM_ERROR, "The output is " + bytes.length
                    + " bytes, above this invoker's limit of " + config.output().maxSize() + " bytes."));
        }
        checkOutputSchema(exec, result);
        Uni<OutputRef> ref = bytes.length > config.output().inlineLimit()
                ? outputs.store(exec.runId().toString(), bytes).map(handle -> OutputRef.stored(handle, bytes.length))
                : Uni.createFrom().item(OutputRef.inline(result.output(), bytes.length));
        return ref.chain(output -> {
            long duration = (System.nanoTime() - started) / 1_000_000;
            InvokeResponse.Builder response = InvokeResponse.newBuilder().setRunId(exec.runId().toString())
                    .setVerdict(exec.context().verdict() == null ? Verdict.ALLOW : verdict(exec.context().verdict()))
                    .setPolicyVersion(exec.context().policyVersion() == null ? 0 : exec.context().policyVersion())
                    .setOutputSizeBytes(bytes.length);
            if (output.handle() != null) {
                response.setOutputHandle(output.handle());
            } else {
                response.setOutputJson(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            }
            RunEvent event;
            if (result.toolError()) {
                ErrorDetail error = ErrorDetail.newBuilder().setReason(ErrorReasons.UPSTREAM_ERROR)
                        .setMessage(exec.context().address() + " reported an error; see the output for what it said.").build();
                response.setStatus(RunStatus.FAILED).setError(error);
                event = new RunFailed(exec.runId().toString(), exec.sequence() + 1, Instant.now(), exec.context(),
                        new ErrorInfo(error.getReason(), error.getMessage()), attempts, duration);
            } else {
                response.setStatus(RunStatus.SUCCEEDED);
                event = new RunSucceeded(exec.runId().toString(), exec.sequence() + 1, Instant.now(), exec.context(), output, attempts,
                        duration);
            }
            return finish(exec, response.build(), event);
        });
    }

    private Uni<InvokeResponse> failed(Exec exec, Throwable failure, int attempts, long started) {
        ErrorDetail error = errorOf(exec.runId(), exec.context().address(), failure);
        InvokeResponse response = InvokeResponse.newBuilder().setRunId(exec.runId().toString()).setStatus(RunStatus.FAILED)
                .setVerdict(exec.context().verdict() == null ? Verdict.ALLOW : verdict(exec.context().verdict()))
                .setPolicyVersion(exec.context().policyVersion() == null ? 0 : exec.context().policyVersion()).setError(error).build();
        RunFailed event = new RunFailed(exec.runId().toString(), exec.sequence() + 1, Instant.now(), exec.context(),
                new ErrorInfo(error.getReason(), error.getMessage()), attempts, (System.nanoTime() - started) / 1_000_000);
        return finish(exec, response, event);
    }

    /** Records the terminal transition; when a cancel got there first, answers with what was recorded. */
    private Uni<InvokeResponse> finish(Exec exec, InvokeResponse response, RunEvent event) {
        List<OutboxRow> rows = List.of(events.row(event));
        return store.transition(exec.runId(), List.of("RUNNING"), response.getStatus().name(), exec.sequence() + 1, null,
                result(response), null, null, rows)
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2)).atMost(5)
                .chain(won -> {
                    if (won) {
                        events.relay(rows);
                        return Uni.createFrom().item(response);
                    }
                    return store.find(exec.runId()).map(this::responseOf);
                });
    }

    private void checkOutputSchema(Exec exec, LaneResult result) {
        String schema = exec.tool().getTool().getOutputSchemaJson();
        if (result.toolError() || schema.isBlank()) {
            return;
        }
        try {
            List<Violation> violations = validator.validate(schema, result.output());
            if (!violations.isEmpty()) {
                // The upstream does not answer as its description says: worth an operator's look, not a failed Run.
                LOG.warnf("Output of %s does not match its output schema (%d violations, first at '%s'); the source's document "
                        + "may be out of date", exec.context().address(), violations.size(), violations.get(0).getPath());
            }
        } catch (InvokerException e) {
            LOG.debugf("Output schema of %s cannot be compiled", exec.context().address());
        }
    }

    static ErrorDetail errorOf(UUID runId, String address, Throwable failure) {
        if (failure instanceof LaneException e) {
            ErrorDetail.Builder b = ErrorDetail.newBuilder().setReason(e.reason()).setMessage(e.getMessage()).putMetadata("address", address);
            if (e.detail() != null) {
                e.detail().fields().forEachRemaining(f -> b.putMetadata(f.getKey(), f.getValue().isTextual() ? f.getValue().asText()
                        : f.getValue().toString()));
            }
            return b.build();
        }
        if (failure instanceof InvokerException e) {
            return e.detail();
        }
        LOG.errorf("Run %s failed inside the invoker: %s", runId, failure.toString());
        return ErrorDetail.newBuilder().setReason(ErrorReasons.INTERNAL)
                .setMessage("The call failed inside Executor; quote run " + runId + " to an operator.").putMetadata("run_id", runId.toString())
                .build();
    }

    // ---- repeats, cancel, approvals, recovery ----------------------------------------------

    /** The answer for a Run an earlier call with the same idempotency key created. */
    private Uni<InvokeResponse> existing(UUID runId, Duration wait) {
        InFlight flight = running.get(runId);
        return store.find(runId).chain(run -> {
            if (run == null) {
                return Uni.createFrom().failure(new InvokerException(ErrorReasons.CONFLICT,
                        "An earlier call with this idempotency key is still being recorded; retry shortly."));
            }
            InvokeResponse now = responseOf(run);
            if (run.terminal() || wait.isZero() || "PENDING_APPROVAL".equals(run.status())) {
                return Uni.createFrom().item(now);
            }
            if (flight != null) {
                return await(flight.done, now, wait);
            }
            return poll(runId, now, System.nanoTime() + wait.toNanos());
        });
    }

    private Uni<InvokeResponse> poll(UUID runId, InvokeResponse last, long deadline) {
        if (System.nanoTime() - deadline >= 0) {
            return Uni.createFrom().item(last);
        }
        return Uni.createFrom().voidItem().onItem().delayIt().by(POLL).chain(() -> store.find(runId)).chain(run -> {
            InvokeResponse now = responseOf(run);
            return run.terminal() ? Uni.createFrom().item(now) : poll(runId, now, deadline);
        });
    }

    /** Cancels a Run that is not terminal yet; only its own principal or an admin may. */
    public Uni<RunStatus> cancel(String runIdText, Principal principal, String reason) {
        UUID runId;
        try {
            runId = UUID.fromString(runIdText);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new InvokerException(ErrorReasons.RUN_NOT_FOUND, "No Run '" + runIdText + "'."));
        }
        return store.find(runId).chain(run -> {
            if (run == null || !(run.subject().equals(principal.getSubject()) || principal.getRolesList().contains("executor-admin"))) {
                return Uni.createFrom().failure(new InvokerException(ErrorReasons.RUN_NOT_FOUND, "No Run '" + runIdText
                        + "' that you may cancel."));
            }
            if (run.terminal()) {
                return Uni.createFrom().item(RunStatus.valueOf(run.status()));
            }
            RunContext context = read(run.contextJson());
            String why = reason == null || reason.isBlank() ? "cancelled by " + name(principal) : reason;
            InvokeResponse cancelled = InvokeResponse.newBuilder().setRunId(runIdText).setStatus(RunStatus.CANCELLED)
                    .setError(ErrorDetail.newBuilder().setReason("CANCELLED").setMessage(why)).build();
            List<OutboxRow> rows = List.of(events.row(new RunCancelled(runIdText, run.sequence() + 1, Instant.now(), context,
                    ref(principal), why)));
            return store.transition(runId, LIVE, "CANCELLED", run.sequence() + 1, null, result(cancelled), null, null, rows)
                    .chain(won -> {
                        if (!won) {
                            return store.find(runId).map(r -> RunStatus.valueOf(r.status()));
                        }
                        events.relay(rows);
                        InFlight flight = running.remove(runId);
                        if (flight != null) {
                            if (flight.subscription != null) {
                                flight.subscription.cancel();
                            }
                            flight.done.complete(cancelled);
                        }
                        return Uni.createFrom().item(RunStatus.CANCELLED);
                    });
        });
    }

    /** A human approved a pending Run: policy is asked again at its current version before anything runs. */
    public Uni<Void> approved(String runIdText, PrincipalRef approver, String comment, JsonNode approvedArguments) {
        return pending(runIdText).chain(run -> {
            if (run == null) {
                return Uni.createFrom().voidItem();
            }
            Principal principal = principal(run);
            RunContext context = read(run.contextJson());
            ObjectNode arguments = approvedArguments instanceof ObjectNode o ? o : json.createObjectNode();
            Instant now = Instant.now();
            RunApproved approval = new RunApproved(runIdText, run.sequence() + 1, now, context, approver, comment);
            return resolver.resolve(run.address(), principal).chain(tool -> {
                List<Violation> violations = validator.validate(tool.getTool().getInputSchemaJson(), arguments);
                if (!violations.isEmpty()) {
                    throw invalid(run.address(), violations);
                }
                return policy.decide(principal, run.toolkit(), run.address(), tool).chain(decision -> {
                    RunContext decided = withDecision(context, decision);
                    if (decision.getVerdict() == Verdict.BLOCK || !decision.getVisible()) {
                        ErrorDetail error = blockedError(run.address(), decision);
                        InvokeResponse blocked = InvokeResponse.newBuilder().setRunId(runIdText).setStatus(RunStatus.BLOCKED)
                                .setVerdict(Verdict.BLOCK).setPolicyVersion(decision.getPolicyVersion()).setError(error).build();
                        return terminal(run, "BLOCKED", blocked, approval, new RunBlocked(runIdText, run.sequence() + 2, now, decided,
                                new ErrorInfo(error.getReason(), error.getMessage())));
                    }
                    Instant lease = now.plus(config.call().timeout()).plus(config.call().leaseMargin());
                    List<OutboxRow> rows = List.of(events.row(approval),
                            events.row(new RunAdmitted(runIdText, run.sequence() + 2, now, decided)),
                            events.row(new RunStarted(runIdText, run.sequence() + 3, now, decided, 1)));
                    InvokeResponse runningNow = InvokeResponse.newBuilder().setRunId(runIdText).setStatus(RunStatus.RUNNING)
                            .setVerdict(decision.getVerdict()).setPolicyVersion(decision.getPolicyVersion()).build();
                    return store.transition(run.id(), List.of("PENDING_APPROVAL"), "RUNNING", run.sequence() + 3, write(decided),
                            result(runningNow), lease, instance, rows).invoke(won -> {
                                if (won) {
                                    events.relay(rows);
                                    start(new Exec(run.id(), principal, tool, arguments, decided, run.sequence() + 3,
                                            tool.getTool().getSideEffect() == SideEffect.READ, config.call().timeout(), null));
                                }
                            }).replaceWithVoid();
                });
            }).onFailure(e -> !(e instanceof io.grpc.StatusRuntimeException)).recoverWithUni(e -> {
                ErrorDetail error = errorOf(run.id(), run.address(), e);
                if (ErrorReasons.UNAVAILABLE.equals(error.getReason())) {
                    // A dependency is down: leave the Run pending so the decision is redelivered and retried.
                    return Uni.createFrom().failure(e);
                }
                InvokeResponse failedNow = InvokeResponse.newBuilder().setRunId(runIdText).setStatus(RunStatus.FAILED).setError(error)
                        .build();
                return terminal(run, "FAILED", failedNow, approval, new RunFailed(runIdText, run.sequence() + 2, now, context,
                        new ErrorInfo(error.getReason(), error.getMessage()), 0, 0));
            });
        });
    }

    public Uni<Void> denied(String runIdText, PrincipalRef approver, String comment) {
        return pending(runIdText).chain(run -> {
            if (run == null) {
                return Uni.createFrom().voidItem();
            }
            String why = comment == null || comment.isBlank() ? "An approver denied the call." : "An approver denied the call: " + comment;
            InvokeResponse denied = InvokeResponse.newBuilder().setRunId(runIdText).setStatus(RunStatus.DENIED)
                    .setError(ErrorDetail.newBuilder().setReason("DENIED").setMessage(why)).build();
            return terminal(run, "DENIED", denied, new RunDenied(runIdText, run.sequence() + 1, Instant.now(), read(run.contextJson()),
                    approver, comment));
        });
    }

    public Uni<Void> expired(String runIdText, String reason) {
        return pending(runIdText).chain(run -> {
            if (run == null) {
                return Uni.createFrom().voidItem();
            }
            String why = reason == null || reason.isBlank() ? "Nobody decided on the approval in time." : reason;
            InvokeResponse expired = InvokeResponse.newBuilder().setRunId(runIdText).setStatus(RunStatus.EXPIRED)
                    .setError(ErrorDetail.newBuilder().setReason("EXPIRED").setMessage(why)).build();
            return terminal(run, "EXPIRED", expired, new RunExpired(runIdText, run.sequence() + 1, Instant.now(), read(run.contextJson()),
                    why));
        });
    }

    private Uni<StoredRun> pending(String runIdText) {
        UUID runId;
        try {
            runId = UUID.fromString(runIdText);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().nullItem();
        }
        return store.find(runId).map(run -> run != null && "PENDING_APPROVAL".equals(run.status()) ? run : null);
    }

    private Uni<Void> terminal(StoredRun run, String status, InvokeResponse response, RunEvent... transition) {
        List<OutboxRow> rows = java.util.Arrays.stream(transition).map(events::row).toList();
        return store.transition(run.id(), List.of(run.status()), status, run.sequence() + transition.length, null, result(response), null,
                null, rows).invoke(won -> {
                    if (won) {
                        events.relay(rows);
                    }
                }).replaceWithVoid();
    }

    /**
     * Fails Runs whose invoker stopped before finishing them (its claim lapsed). They are not
     * retried: the call may have reached the upstream, and running it twice could do twice what
     * the caller asked once.
     */
    public Uni<Integer> recoverLapsed() {
        return store.lapsed(100).chain(runs -> {
            List<Uni<Boolean>> work = new ArrayList<>();
            for (StoredRun run : runs) {
                if (running.containsKey(run.id())) {
                    continue;
                }
                RunContext context = read(run.contextJson());
                String message = "The invoker running this call (" + run.owner() + ") stopped before it finished. It was not retried "
                        + "because it may already have reached the upstream; check there before calling again.";
                InvokeResponse failedNow = InvokeResponse.newBuilder().setRunId(run.id().toString()).setStatus(RunStatus.FAILED)
                        .setError(ErrorDetail.newBuilder().setReason(ErrorReasons.UNAVAILABLE).setMessage(message)).build();
                List<OutboxRow> rows = List.of(events.row(new RunFailed(run.id().toString(), run.sequence() + 1, Instant.now(), context,
                        new ErrorInfo(ErrorReasons.UNAVAILABLE, message), 1, 0)));
                work.add(store.transition(run.id(), List.of("ADMITTED", "RUNNING"), "FAILED", run.sequence() + 1, null,
                        result(failedNow), null, null, rows).invoke(won -> {
                            if (won) {
                                LOG.warnf("Run %s failed: its invoker %s stopped before finishing it", run.id(), run.owner());
                                events.relay(rows);
                            }
                        }));
            }
            if (work.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return Uni.join().all(work).andCollectFailures().map(List::size);
        });
    }

    /**
     * Records a request that was refused before it became a Run (Kafka path: bad token, unknown
     * tool, invalid arguments), as one terminal event, so the requester watching run events learns why.
     */
    public Uni<String> rejected(String address, String idempotencyKey, String toolkit, String replySubject, List<PrincipalRef> chain,
            ObjectNode arguments, Surface surface, ErrorDetail error) {
        String runId = UUID.randomUUID().toString();
        RunContext context = new RunContext(address, null, chain, blankToNull(toolkit), surface(surface), blankToNull(idempotencyKey),
                arguments == null ? null : Canonical.hash(arguments), null, null, traceId(null), null, blankToNull(replySubject));
        List<OutboxRow> rows = List.of(events.row(new RunFailed(runId, 1, Instant.now(), context,
                new ErrorInfo(error.getReason(), error.getMessage()), 0, 0)));
        return store.events(rows).invoke(() -> events.relay(rows)).replaceWith(runId);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private RunContext context(Call call, ResolveToolResponse tool, DecideResponse decision) {
        List<PrincipalRef> chain = new ArrayList<>();
        chain.add(ref(call.principal()));
        if (call.actors() != null) {
            chain.addAll(call.actors());
        }
        return new RunContext(call.address(), tool.getManifestVersion(), chain, blankToNull(call.toolkit()), surface(call.surface()),
                blankToNull(call.idempotencyKey()), Canonical.hash(call.arguments()), decision.getPolicyVersion(),
                verdict(decision), traceId(call.traceParent()), blankToNull(call.parentRunId()), blankToNull(call.replySubject()));
    }

    private static RunContext withDecision(RunContext c, DecideResponse decision) {
        return new RunContext(c.address(), c.manifestVersion(), c.principalChain(), c.toolkit(), c.surface(), c.idempotencyKey(),
                c.inputHash(), decision.getPolicyVersion(), verdict(decision), c.traceId(), c.parentRunId(), c.replySubject());
    }

    private static dev.executor.contracts.events.Verdict verdict(DecideResponse decision) {
        if (!decision.getVisible()) {
            return dev.executor.contracts.events.Verdict.BLOCK;
        }
        return switch (decision.getVerdict()) {
            case ALLOW -> dev.executor.contracts.events.Verdict.ALLOW;
            case REQUIRE_APPROVAL -> dev.executor.contracts.events.Verdict.REQUIRE_APPROVAL;
            default -> dev.executor.contracts.events.Verdict.BLOCK;
        };
    }

    private static Verdict verdict(dev.executor.contracts.events.Verdict v) {
        return switch (v) {
            case ALLOW -> Verdict.ALLOW;
            case REQUIRE_APPROVAL -> Verdict.REQUIRE_APPROVAL;
            case BLOCK -> Verdict.BLOCK;
        };
    }

    private static dev.executor.contracts.events.Surface surface(Surface s) {
        return switch (s == null ? Surface.SURFACE_UNSPECIFIED : s) {
            case MCP -> dev.executor.contracts.events.Surface.MCP;
            case KAFKA -> dev.executor.contracts.events.Surface.KAFKA;
            case CODE -> dev.executor.contracts.events.Surface.CODE;
            default -> dev.executor.contracts.events.Surface.REST;
        };
    }

    private static ErrorDetail blockedError(String address, DecideResponse decision) {
        String reason = decision.getReason().isEmpty() ? (decision.getVisible() ? ErrorReasons.POLICY_BLOCKED : ErrorReasons.NOT_VISIBLE)
                : decision.getReason();
        StringBuilder message = new StringBuilder();
        ErrorDetail.Builder b = ErrorDetail.newBuilder().setReason(reason).putMetadata("address", address)
                .putMetadata("policy_version", String.valueOf(decision.getPolicyVersion()));
        if (!decision.getVisible()) {
            message.append("You cannot use ").append(address).append(": it is outside your scopes or the toolkit in force.");
        } else {
            message.append(address).append(" is blocked by policy");
            for (Rule rule : decision.getMatchedRulesList()) {
                if (rule.getVerdict() == Verdict.BLOCK) {
                    message.append(": ").append(rule.getExplanation()).append(" (").append(rule.getRecordKind().name().toLowerCase())
                            .append(' ').append(rule.getRecordId()).append(" in ").append(rule.getScope().getKind()).append(':')
                            .append(rule.getScope().getId()).append(')');
                    b.putMetadata("policy_record", rule.getRecordId());
                    if (!rule.getRuleId().isEmpty()) {
                        b.putMetadata("policy_rule", rule.getRuleId());
                    }
                    break;
                }
            }
            message.append('.');
        }
        return b.setMessage(message.toString()).build();
    }

    private static String approvalMessage(String address, DecideResponse decision, String url) {
        String why = decision.getMatchedRulesList().stream().filter(r -> r.getVerdict() == Verdict.REQUIRE_APPROVAL)
                .map(Rule::getExplanation).findFirst().orElse("policy requires a human approval");
        return address + " needs a human approval (" + why + "). An approver decides at " + url + ".";
    }

    private static PrincipalRef ref(Principal p) {
        return new PrincipalRef(p.getSubject(), blankToNull(p.getUsername()), blankToNull(p.getClientId()), p.getAgent());
    }

    private static String name(Principal p) {
        return p.getUsername().isEmpty() ? p.getSubject() : p.getUsername();
    }

    private static String traceId(String traceParent) {
        if (traceParent != null && traceParent.length() >= 55 && traceParent.charAt(2) == '-') {
            return traceParent.substring(3, 35);
        }
        var span = Span.current().getSpanContext();
        return span.isValid() ? span.getTraceId() : null;
    }

    private static String sideEffect(SideEffect s) {
        return switch (s) {
            case READ -> "read";
            case DESTRUCTIVE -> "destructive";
            default -> "write";
        };
    }

    private static Timestamp ts(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private String write(RunContext context) {
        try {
            return json.writeValueAsString(context);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private RunContext read(String contextJson) {
        try {
            return json.readValue(contextJson, RunContext.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable run context", e);
        }
    }

    private static String result(InvokeResponse response) {
        return "{\"response\":\"" + Base64.getEncoder().encodeToString(response.toByteArray()) + "\"}";
    }

    /** The response recorded for {@code run}. */
    InvokeResponse responseOf(StoredRun run) {
        try {
            JsonNode result = run.resultJson() == null ? null : json.readTree(run.resultJson());
            if (result != null && result.hasNonNull("response")) {
                InvokeResponse recorded = InvokeResponse.parseFrom(Base64.getDecoder().decode(result.get("response").asText()));
                return recorded.getStatus().name().equals(run.status()) ? recorded
                        : recorded.toBuilder().setStatus(RunStatus.valueOf(run.status())).build();
            }
        } catch (JsonProcessingException | InvalidProtocolBufferException e) {
            LOG.warnf("Run %s has an unreadable result", run.id());
        }
        return InvokeResponse.newBuilder().setRunId(run.id().toString()).setStatus(RunStatus.valueOf(run.status())).build();
    }

    private static Principal principal(StoredRun run) {
        try {
            return Principal.parseFrom(run.principal());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("Unreadable principal of run " + run.id(), e);
        }
    }
}
