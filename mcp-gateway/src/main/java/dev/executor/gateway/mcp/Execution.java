package dev.executor.gateway.mcp;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.google.protobuf.util.Durations;

import dev.executor.common.v1.RunStatus;
import dev.executor.common.v1.Surface;
import dev.executor.contracts.ErrorReasons;
import dev.executor.gateway.Caller;
import dev.executor.gateway.RunOutcome;
import dev.executor.gateway.client.CatalogClient;
import dev.executor.gateway.client.DownstreamError;
import dev.executor.gateway.client.InvokerClient;
import dev.executor.gateway.client.LedgerApprovalClient;
import dev.executor.gateway.client.PolicyClient;
import dev.executor.gateway.config.GatewayConfig;
import dev.executor.gateway.service.RunWaiter;
import dev.executor.gateway.service.TtlCache;
import dev.executor.gateway.service.Visibility;
import dev.executor.invoker.v1.InvokeRequest;
import dev.executor.policy.v1.ApprovalMode;
import dev.executor.policy.v1.ToolFacts;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.quarkiverse.mcp.server.Elicitation;
import io.quarkiverse.mcp.server.ElicitationRequest;
import io.quarkiverse.mcp.server.ElicitationResponse;
import io.quarkiverse.mcp.server.ToolResponse;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One tool call through the invoker (the single enforcement point) and what the agent gets back:
 * the output (inline, structured when the tool declares an output schema, or a resource link when
 * large), a refusal it can act on, or a pending approval.
 *
 * <p>Approval through elicitation: offered only when the client declared the elicitation
 * capability, the token is a <em>person's</em> with {@code executor-approver} (never an agent or
 * a client/service account), and the policy's approval mode for the call is {@code ANY}
 * ({@code PolicyService.Decide}; any doubt means no elicitation). The person's answer is recorded
 * by run-ledger's REST API called with that person's own token, so the ledger decides and records
 * it as theirs; the gateway never approves with its own credentials.
 */
@ApplicationScoped
public class Execution {

    private static final Logger LOG = Logger.getLogger(Execution.class);

    /** What the result mapping needs to know about a tool: whether it declares an output schema, its source kind. */
    record ToolFact(boolean outputSchema, String sourceKind) {
        static final ToolFact UNKNOWN = new ToolFact(false, "");
    }

    private final InvokerClient invoker;
    private final CatalogClient catalog;
    private final PolicyClient policy;
    private final LedgerApprovalClient approvals;
    private final RunWaiter runs;
    private final GatewayConfig config;
    private final Visibility visibility;
    private final TtlCache<ToolFact> toolFacts = new TtlCache<>(50_000);

    public Execution(InvokerClient invoker, CatalogClient catalog, PolicyClient policy, LedgerApprovalClient approvals,
            RunWaiter runs, GatewayConfig config, Visibility visibility) {
        this.visibility = visibility;
        this.invoker = invoker;
        this.catalog = catalog;
        this.policy = policy;
        this.approvals = approvals;
        this.runs = runs;
        this.config = config;
    }

    public Uni<ToolResponse> execute(Caller caller, String address, Object arguments, Elicitation elicitation) {
        if (address == null || address.isBlank()) {
            return Uni.createFrom().item(Results.error(ErrorReasons.INVALID_ARGUMENTS,
                    "'tool' is required: the address <source>.<scope>.<connection>.<tool> of the tool to run (from search)."));
        }
        String argumentsJson;
        if (arguments == null) {
            argumentsJson = "{}";
        } else {
            Object value = arguments instanceof String s ? decode(s) : arguments;
            if (!(value instanceof Map<?, ?>) && !(value instanceof JsonObject)) {
                return Uni.createFrom().item(Results.error(ErrorReasons.INVALID_ARGUMENTS,
                        "'arguments' must be a JSON object matching the tool's input schema (call describe for it)."));
            }
            argumentsJson = Json.encode(value);
        }
        InvokeRequest.Builder request = InvokeRequest.newBuilder().setPrincipal(caller.principal())
                .setToolkit(caller.toolkit()).setAddress(address).setArgumentsJson(argumentsJson)
                .setSurface(Surface.MCP).setWait(Durations.fromMillis(config.execute().maxWait().toMillis()));
        String traceParent = traceParent();
        if (traceParent != null) {
            request.setTraceParent(traceParent);
        }
        return invoker.invoke(request.build())
                .chain(r -> outcome(caller, RunOutcome.of(r, address), elicitation))
                .onFailure(DownstreamError.class).recoverWithUni(e -> visibility
                        .narrowSuggestions(caller, ((DownstreamError) e).detail()).map(d -> Results.error(d, null)));
    }

    /** The tool result for a Run in whatever state it is in. */
    public Uni<ToolResponse> outcome(Caller caller, RunOutcome run, Elicitation elicitation) {
        RunOutcome withUrl = run.approvalUrl() == null ? run.withApprovalUrl(approvalUrl(run.runId())) : run;
        return switch (run.status()) {
            case SUCCEEDED -> succeeded(caller, withUrl);
            case PENDING_APPROVAL -> pending(caller, withUrl, elicitation);
            case FAILED -> withUrl.outputJson() != null ? failedWithOutput(caller, withUrl) : Uni.createFrom().item(Results.ended(withUrl));
            case BLOCKED, DENIED, CANCELLED, EXPIRED -> Uni.createFrom().item(Results.ended(withUrl));
            default -> Uni.createFrom().item(Results.inProgress(withUrl));
        };
    }

    private Uni<ToolResponse> succeeded(Caller caller, RunOutcome run) {
        return toolFact(caller, run.address()).map(fact -> {
            if ("mcp".equals(fact.sourceKind()) && run.outputJson() != null
                    && run.outputJson().length() <= config.execute().inlineLimitBytes()) {
                ToolResponse passthrough = McpContents.fromCallToolResult(decode(run.outputJson()));
                if (passthrough != null) {
                    return passthrough;
                }
            }
            return Results.succeeded(run, fact.outputSchema(), config.execute().inlineLimitBytes());
        });
    }

    /**
     * A Run that failed with an output: the tool itself reported an error (an upstream MCP
     * {@code CallToolResult} with {@code isError: true}). A tool of an {@code mcp} source gets the
     * upstream's content items unchanged, as an error; any other tool gets the refusal JSON.
     */
    private Uni<ToolResponse> failedWithOutput(Caller caller, RunOutcome run) {
        return toolFact(caller, run.address()).map(fact -> {
            if ("mcp".equals(fact.sourceKind()) && run.outputJson().length() <= config.execute().inlineLimitBytes()) {
                ToolResponse passthrough = McpContents.fromCallToolResult(decode(run.outputJson()));
                if (passthrough != null) {
                    return new ToolResponse(true, passthrough.content(), passthrough.structuredContent(), null);
                }
            }
            return Results.ended(run);
        });
    }

    /**
     * Facts about the tool at {@code address} (remembered briefly, forgotten on every catalog
     * event; unknown = no output schema, kind unknown).
     */
    Uni<ToolFact> toolFact(Caller caller, String address) {
        if (address == null || address.isEmpty()) {
            return Uni.createFrom().item(ToolFact.UNKNOWN);
        }
        return toolFacts.get(address, config.catalog().toolFactsTtl(), a -> catalog.describe(caller.principal(), caller.toolkit(), a)
                .map(d -> new ToolFact(!d.getTool().getOutputSchemaJson().isBlank(), d.getSourceKind())))
                .onFailure().recoverWithItem(ToolFact.UNKNOWN);
    }

    /** Forgets every remembered tool fact (the catalog changed). */
    public void invalidateToolFacts() {
        toolFacts.invalidateAll();
    }

    private Uni<ToolResponse> pending(Caller caller, RunOutcome run, Elicitation elicitation) {
        if (!config.approval().elicitation()) {
            return Uni.createFrom().item(Results.pending(run, null));
        }
        if (elicitation == null || !elicitation.isSupported()) {
            return Uni.createFrom().item(Results.pending(run, null));
        }
        if (!caller.humanApprover()) {
            return Uni.createFrom().item(Results.pending(run,
                    "You are authenticated as an agent or without the approver role, so the approval cannot be asked here."));
        }
        return approvalMode(caller, run.address()).chain(mode -> {
            if (mode != ApprovalMode.ANY) {
                return Uni.createFrom().item(Results.pending(run,
                        "This tool's policy requires the decision to be made in the run ledger, not through the MCP client."));
            }
            return elicit(caller, run, elicitation);
        });
    }

    /** The approval mode the policy gives this call; LEDGER_ONLY whenever it cannot be established. */
    private Uni<ApprovalMode> approvalMode(Caller caller, String address) {
        return catalog.describe(caller.principal(), caller.toolkit(), address)
                .chain(d -> policy.decide(caller.principal(), caller.toolkit(), address, ToolFacts.newBuilder()
                        .setSideEffect(d.getTool().getSideEffect()).setReviewState(d.getTool().getReviewState())
                        .setSourceId(d.getTool().getSourceId()).putAllLabels(d.getTool().getLabelsMap()).build()))
                .map(r -> r.getApprovalMode() == ApprovalMode.ANY ? ApprovalMode.ANY : ApprovalMode.LEDGER_ONLY)
                .onFailure().recoverWithItem(e -> {
                    LOG.debugf("Approval mode of %s unknown (%s); not offering elicitation", address, e.getMessage());
                    return ApprovalMode.LEDGER_ONLY;
                });
    }

    private Uni<ToolResponse> elicit(Caller caller, RunOutcome run, Elicitation elicitation) {
        String who = caller.principal().getUsername().isEmpty() ? caller.principal().getSubject() : caller.principal().getUsername();
        ElicitationRequest request = elicitation.requestBuilder()
                .setMessage("Executor: approve running " + run.address() + " (run " + run.runId() + ") for " + who
                        + "? Your answer is recorded as your decision in the run ledger.")
                .addSchemaProperty("approve", new ElicitationRequest.BooleanSchema("Approve",
                        "true to approve and run the call now, false to deny it", null, true))
                .addSchemaProperty("comment", new ElicitationRequest.StringSchema("Comment",
                        "Optional note kept with your decision", 2000, null, null, false))
                .setTimeout(config.approval().elicitationTimeout())
                .build();
        return request.send()
                .chain(answer -> decided(caller, run, answer, elicitation))
                .onFailure().recoverWithItem(e -> {
                    LOG.debugf("Elicitation for run %s got no answer: %s", run.runId(), e.getClass().getSimpleName());
                    return Results.pending(run, "No answer came back from your MCP client; the run is still waiting.");
                });
    }

    private Uni<ToolResponse> decided(Caller caller, RunOutcome run, ElicitationResponse answer, Elicitation elicitation) {
        if (answer.action() != ElicitationResponse.Action.ACCEPT || answer.content() == null
                || answer.content().getBoolean("approve") == null) {
            return Uni.createFrom().item(Results.pending(run, "You did not decide; the run is still waiting."));
        }
        boolean approve = answer.content().getBoolean("approve");
        String comment = answer.content().getString("comment");
        return approvals.decide(caller.bearer(), run.runId(), approve, comment == null ? "decided through MCP elicitation" : comment)
                .chain(recorded -> {
                    if (!recorded.recorded()) {
                        return Uni.createFrom().item(Results.pending(run, "Your decision could not be recorded: " + recorded.problem()));
                    }
                    Duration wait = config.execute().maxWait();
                    return runs.await(caller.principal(), run.runId(), wait)
                            .chain(after -> after.status() == RunStatus.PENDING_APPROVAL
                                    ? Uni.createFrom().item(Results.inProgress(after))
                                    : outcome(caller, after.address().isEmpty() ? withAddress(after, run.address()) : after, null))
                            .onFailure(DownstreamError.class).recoverWithItem(e -> Results.error(((DownstreamError) e).detail(), run.runId()));
                });
    }

    private static RunOutcome withAddress(RunOutcome r, String address) {
        return new RunOutcome(r.runId(), address, r.status(), r.outputJson(), r.outputHandle(), r.outputSizeBytes(), r.error(),
                r.approvalUrl(), r.approvalExpiresAt());
    }

    String approvalUrl(String runId) {
        String base = config.approval().ledgerUrl();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/approvals/" + runId + "/approve";
    }

    private static Object decode(String s) {
        try {
            return Json.decodeValue(s);
        } catch (RuntimeException e) {
            return s;
        }
    }

    private static String traceParent() {
        SpanContext span = Span.current().getSpanContext();
        if (!span.isValid()) {
            return null;
        }
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
    }
}
