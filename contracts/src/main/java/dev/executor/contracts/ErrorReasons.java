package dev.executor.contracts;

import java.util.List;

/**
 * Machine-readable error reasons, shared by gRPC (status + trailers), REST problem+json
 * ({@code reason} member) and failed-Run events ({@code ErrorInfo.reason}).
 *
 * <p>A failed gRPC call carries a status code, a status description a person can act on, the
 * reason in the {@value #REASON_TRAILER} trailer and a serialized {@code executor.common.v1.ErrorDetail}
 * in the {@value #DETAIL_TRAILER} trailer. Clients branch on the reason, never on the text. Each
 * constant names the gRPC status code it goes with.
 */
public final class ErrorReasons {

    /** ASCII trailer holding the reason. */
    public static final String REASON_TRAILER = "executor-error-reason";
    /** Binary trailer holding a serialized {@code executor.common.v1.ErrorDetail}. */
    public static final String DETAIL_TRAILER = "executor-error-detail-bin";

    /** No tool at that address; the detail's suggestions hold close matches. gRPC: NOT_FOUND. */
    public static final String TOOL_NOT_FOUND = "TOOL_NOT_FOUND";
    /** No source with that id or name in the caller's scope chain. gRPC: NOT_FOUND. */
    public static final String SOURCE_NOT_FOUND = "SOURCE_NOT_FOUND";
    /** No connection (scope, source, name). gRPC: NOT_FOUND. */
    public static final String CONNECTION_NOT_FOUND = "CONNECTION_NOT_FOUND";
    /** No Run with that id visible to the caller. gRPC: NOT_FOUND. */
    public static final String RUN_NOT_FOUND = "RUN_NOT_FOUND";
    /** Arguments do not match the tool's input schema; the detail lists the violations. gRPC: INVALID_ARGUMENT. */
    public static final String INVALID_ARGUMENTS = "INVALID_ARGUMENTS";
    /** A source document (OpenAPI, GraphQL, MCP, CLI descriptor) cannot be imported. gRPC: INVALID_ARGUMENT. */
    public static final String INVALID_SPEC = "INVALID_SPEC";
    /** The policy verdict is block. gRPC: PERMISSION_DENIED. */
    public static final String POLICY_BLOCKED = "POLICY_BLOCKED";
    /** The policy verdict is require_approval and the call cannot wait for a human. gRPC: FAILED_PRECONDITION. */
    public static final String APPROVAL_REQUIRED = "APPROVAL_REQUIRED";
    /** The tool was added by a re-import and an admin has not accepted it yet. gRPC: FAILED_PRECONDITION. */
    public static final String TOOL_UNREVIEWED = "TOOL_UNREVIEWED";
    /** The tool no longer exists in its source's current manifest. gRPC: FAILED_PRECONDITION. */
    public static final String TOOL_RETIRED = "TOOL_RETIRED";
    /** The tool is outside the caller's scope chain or toolkit. gRPC: PERMISSION_DENIED. */
    public static final String NOT_VISIBLE = "NOT_VISIBLE";
    /** The destination is neither a declared host of the source nor allowed by an egress rule. gRPC: PERMISSION_DENIED. */
    public static final String EGRESS_DENIED = "EGRESS_DENIED";
    /** The upstream answered with an error or could not be reached. gRPC: UNAVAILABLE. */
    public static final String UPSTREAM_ERROR = "UPSTREAM_ERROR";
    /** The upstream did not answer in time. gRPC: DEADLINE_EXCEEDED. */
    public static final String UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT";
    /** The connection's credential was rejected or has expired; a human must re-authorize it. gRPC: FAILED_PRECONDITION. */
    public static final String NEEDS_REAUTHORIZATION = "NEEDS_REAUTHORIZATION";
    /** Missing or invalid token. gRPC: UNAUTHENTICATED. */
    public static final String UNAUTHENTICATED = "UNAUTHENTICATED";
    /** Authenticated, but the caller's roles do not allow the operation. gRPC: PERMISSION_DENIED. */
    public static final String PERMISSION_DENIED = "PERMISSION_DENIED";
    /** A duplicate name, or a concurrent change won. gRPC: ALREADY_EXISTS or ABORTED. */
    public static final String CONFLICT = "CONFLICT";
    /** Too many requests; metadata {@code retry_after_ms} when known. gRPC: RESOURCE_EXHAUSTED. */
    public static final String RATE_LIMITED = "RATE_LIMITED";
    /** An Executor dependency is down; safe to retry with backoff. gRPC: UNAVAILABLE. */
    public static final String UNAVAILABLE = "UNAVAILABLE";
    /** A bug. The message carries no internals, only a trace id. gRPC: INTERNAL. */
    public static final String INTERNAL = "INTERNAL";

    /** Every reason above. */
    public static final List<String> ALL = List.of(
            TOOL_NOT_FOUND, SOURCE_NOT_FOUND, CONNECTION_NOT_FOUND, RUN_NOT_FOUND,
            INVALID_ARGUMENTS, INVALID_SPEC, POLICY_BLOCKED, APPROVAL_REQUIRED,
            TOOL_UNREVIEWED, TOOL_RETIRED, NOT_VISIBLE, EGRESS_DENIED,
            UPSTREAM_ERROR, UPSTREAM_TIMEOUT, NEEDS_REAUTHORIZATION, UNAUTHENTICATED,
            PERMISSION_DENIED, CONFLICT, RATE_LIMITED, UNAVAILABLE,
            INTERNAL);

    private ErrorReasons() {
    }
}
