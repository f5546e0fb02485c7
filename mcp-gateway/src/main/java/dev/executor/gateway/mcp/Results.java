package dev.executor.gateway.mcp;

import java.util.List;

import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.RunStatus;
import dev.executor.contracts.ErrorReasons;
import dev.executor.gateway.RunOutcome;
import io.quarkiverse.mcp.server.Content;
import io.quarkiverse.mcp.server.ResourceLink;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * How Runs and refusals become MCP tool results. Every refusal is a tool result with
 * {@code isError: true} whose text is a JSON object a model can act on ({@code error} reason,
 * {@code message}, and where known {@code suggestions}, {@code violations}, {@code details},
 * {@code next_step}); nothing in it comes from anywhere but the downstream's public ErrorDetail.
 */
public final class Results {

    /** URI of the stored output of a Run, readable with {@code resources/read}. */
    public static final String OUTPUT_URI = "executor://runs/%s/output";

    private Results() {
    }

    public static String outputUri(String runId) {
        return OUTPUT_URI.formatted(runId);
    }

    /** A refusal before or instead of a Run. */
    public static ToolResponse error(ErrorDetail detail, String runId) {
        JsonObject body = errorJson(detail);
        if (runId != null && !runId.isEmpty()) {
            body.put("run_id", runId);
        }
        String hint = hint(detail.getReason());
        if (hint != null) {
            body.put("next_step", hint);
        }
        return new ToolResponse(true, List.of(new TextContent(body.encodePrettily())));
    }

    public static ToolResponse error(String reason, String message) {
        return error(ErrorDetail.newBuilder().setReason(reason).setMessage(message).build(), null);
    }

    static JsonObject errorJson(ErrorDetail detail) {
        JsonObject body = new JsonObject().put("error", detail.getReason()).put("message", detail.getMessage());
        if (detail.getSuggestionsCount() > 0) {
            body.put("suggestions", new JsonArray(List.copyOf(detail.getSuggestionsList())));
        }
        if (detail.getViolationsCount() > 0) {
            JsonArray violations = new JsonArray();
            detail.getViolationsList().forEach(v -> violations.add(new JsonObject().put("path", v.getPath())
                    .put("message", v.getMessage()).put("keyword", v.getKeyword())));
            body.put("violations", violations);
        }
        if (detail.getMetadataCount() > 0) {
            body.put("details", new JsonObject(new java.util.TreeMap<>(detail.getMetadataMap())));
        }
        return body;
    }

    private static String hint(String reason) {
        return switch (reason) {
            case ErrorReasons.TOOL_NOT_FOUND -> "Use one of the suggestions, or call search to find the tool's address.";
            case ErrorReasons.INVALID_ARGUMENTS -> "Fix each violation (paths are JSON Pointers into the arguments); call describe for the input schema.";
            case ErrorReasons.POLICY_BLOCKED, ErrorReasons.NOT_VISIBLE ->
                "This call is not allowed for you; do not retry it. An administrator can change the policy.";
            case ErrorReasons.TOOL_UNREVIEWED -> "An administrator must review this tool before it can run.";
            case ErrorReasons.NEEDS_REAUTHORIZATION -> "A person must re-authorize the connection; tell the user.";
            case ErrorReasons.UNAVAILABLE, ErrorReasons.UPSTREAM_ERROR, ErrorReasons.UPSTREAM_TIMEOUT, ErrorReasons.RATE_LIMITED ->
                "Retry later with backoff.";
            default -> null;
        };
    }

    /** A Run that succeeded, with its output inline (and structured when the tool declares an output schema) or linked. */
    public static ToolResponse succeeded(RunOutcome run, boolean structured, int inlineLimit) {
        String json = run.outputJson();
        boolean large = run.outputHandle() != null || run.outputSizeBytes() > inlineLimit
                || (json != null && json.length() > inlineLimit);
        if (large) {
            long size = run.outputSizeBytes() > 0 ? run.outputSizeBytes() : json == null ? -1 : json.length();
            JsonObject text = new JsonObject().put("run_id", run.runId()).put("status", "SUCCEEDED")
                    .put("output_size_bytes", size).put("output", outputUri(run.runId()))
                    .put("next_step", "The output is too large to inline; read it with resources/read on " + outputUri(run.runId()) + ".");
            ResourceLink link = new ResourceLink(outputUri(run.runId()), "run-" + run.runId() + "-output", "Output of run " + run.runId(),
                    "Stored output of " + run.address(), "application/json", size > Integer.MAX_VALUE || size < 0 ? null : (int) size,
                    null, null);
            return new ToolResponse(false, List.<Content>of(new TextContent(text.encode()), link));
        }
        String text = json == null || json.isEmpty() ? "null" : json;
        Object structuredContent = null;
        if (structured) {
            try {
                Object parsed = io.vertx.core.json.Json.decodeValue(text);
                structuredContent = parsed instanceof JsonObject o ? o : null;
            } catch (RuntimeException notJson) {
                structuredContent = null;
            }
        }
        return new ToolResponse(false, List.of(new TextContent(text)), structuredContent, null);
    }

    /** A Run that ended without output (failed, blocked, denied, cancelled, expired). */
    public static ToolResponse ended(RunOutcome run) {
        ErrorDetail detail = run.error() != null ? run.error()
                : ErrorDetail.newBuilder().setReason(run.status().name()).setMessage("Run " + run.runId() + " ended " + run.status()).build();
        if (run.status() == RunStatus.DENIED && detail.getReason().isEmpty()) {
            detail = detail.toBuilder().setReason("DENIED").build();
        }
        ToolResponse r = error(detail, run.runId());
        JsonObject body = new JsonObject(((TextContent) r.firstContent()).text()).put("status", run.status().name());
        return new ToolResponse(true, List.of(new TextContent(body.encodePrettily())));
    }

    /** A Run waiting for a human decision, with where to decide and how to wait. */
    public static ToolResponse pending(RunOutcome run, String note) {
        JsonObject body = new JsonObject().put("run_id", run.runId()).put("status", "PENDING_APPROVAL")
                .put("address", run.address())
                .put("waiting_for", "a human with the executor-approver role to approve or deny this call")
                .put("approve_at", run.approvalUrl());
        if (run.approvalExpiresAt() != null) {
            body.put("expires_at", run.approvalExpiresAt().toString());
        }
        if (note != null) {
            body.put("note", note);
        }
        body.put("next_step", "Tell the user the call needs their approval at approve_at, then call run_status with run_id to wait for the decision and the result. You cannot approve it yourself.");
        return new ToolResponse(false, List.of(new TextContent(body.encodePrettily())));
    }

    /** A Run that is admitted or running but not finished within the wait. */
    public static ToolResponse inProgress(RunOutcome run) {
        JsonObject body = new JsonObject().put("run_id", run.runId()).put("status", run.status().name())
                .put("address", run.address())
                .put("next_step", "The run has not finished yet; call run_status with run_id to wait for its result.");
        return new ToolResponse(false, List.of(new TextContent(body.encodePrettily())));
    }
}
