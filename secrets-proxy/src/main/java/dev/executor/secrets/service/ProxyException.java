package dev.executor.secrets.service;

import dev.executor.contracts.ErrorReasons;
import io.grpc.Status;

/**
 * A refusal or failure with a machine-readable reason ({@link ErrorReasons}) and a message a
 * person can act on. The message never carries a secret value or a SecretRef location; gRPC and
 * REST map it to their status codes.
 */
public class ProxyException extends RuntimeException {

    private final String reason;

    public ProxyException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    public static ProxyException egressDenied(String message) {
        return new ProxyException(ErrorReasons.EGRESS_DENIED, message);
    }

    public static ProxyException invalid(String message) {
        return new ProxyException(ErrorReasons.INVALID_ARGUMENTS, message);
    }

    public static ProxyException forbidden(String message) {
        return new ProxyException(ErrorReasons.PERMISSION_DENIED, message);
    }

    public static ProxyException notFound(String message) {
        return new ProxyException(ErrorReasons.CONNECTION_NOT_FOUND, message);
    }

    public static ProxyException needsReauthorization(String connectionLabel, String why) {
        return new ProxyException(ErrorReasons.NEEDS_REAUTHORIZATION,
                "connection " + connectionLabel + " needs re-authorization: " + why);
    }

    /** The gRPC status code that goes with the reason. */
    public Status.Code grpcCode() {
        return switch (reason) {
            case ErrorReasons.CONNECTION_NOT_FOUND -> Status.Code.NOT_FOUND;
            case ErrorReasons.INVALID_ARGUMENTS -> Status.Code.INVALID_ARGUMENT;
            case ErrorReasons.EGRESS_DENIED, ErrorReasons.PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
            case ErrorReasons.NEEDS_REAUTHORIZATION -> Status.Code.FAILED_PRECONDITION;
            case ErrorReasons.UPSTREAM_TIMEOUT -> Status.Code.DEADLINE_EXCEEDED;
            case ErrorReasons.UPSTREAM_ERROR, ErrorReasons.UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case ErrorReasons.CONFLICT -> Status.Code.ALREADY_EXISTS;
            default -> Status.Code.INTERNAL;
        };
    }

    /** The HTTP status that goes with the reason. */
    public int httpStatus() {
        return switch (reason) {
            case ErrorReasons.CONNECTION_NOT_FOUND -> 404;
            case ErrorReasons.INVALID_ARGUMENTS -> 400;
            case ErrorReasons.EGRESS_DENIED, ErrorReasons.PERMISSION_DENIED -> 403;
            case ErrorReasons.NEEDS_REAUTHORIZATION -> 409;
            case ErrorReasons.CONFLICT -> 409;
            case ErrorReasons.UPSTREAM_TIMEOUT -> 504;
            case ErrorReasons.UPSTREAM_ERROR -> 502;
            case ErrorReasons.UNAVAILABLE -> 503;
            default -> 500;
        };
    }
}
