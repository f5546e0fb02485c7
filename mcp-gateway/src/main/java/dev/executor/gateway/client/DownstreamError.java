package dev.executor.gateway.client;

import dev.executor.common.v1.ErrorDetail;
import dev.executor.contracts.ErrorReasons;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A refusal or failure of a downstream gRPC call, reduced to the contracts' {@link ErrorDetail}
 * (reason, message, suggestions, violations). Only what the downstream chose to tell a caller is
 * kept: transport failures and INTERNAL errors become a generic message without internals.
 */
public final class DownstreamError extends RuntimeException {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DownstreamError.class);

    private static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of(ErrorReasons.DETAIL_TRAILER,
            Metadata.BINARY_BYTE_MARSHALLER);
    private static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER,
            Metadata.ASCII_STRING_MARSHALLER);

    private final transient ErrorDetail detail;
    private final Status.Code code;

    DownstreamError(Status.Code code, ErrorDetail detail) {
        super(detail.getReason() + ": " + detail.getMessage(), null, false, false);
        this.code = code;
        this.detail = detail;
    }

    public ErrorDetail detail() {
        return detail;
    }

    public String reason() {
        return detail.getReason();
    }

    public Status.Code code() {
        return code;
    }

    /** A refusal decided by the gateway itself, reported like a downstream's. */
    public static DownstreamError refusal(ErrorDetail detail) {
        return new DownstreamError(Status.Code.NOT_FOUND, detail);
    }

    /** Maps any failure of a call to {@code service} onto a DownstreamError. */
    static DownstreamError of(Throwable failure, String service) {
        if (failure instanceof DownstreamError d) {
            return d;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("Call to %s failed: %s", service, failure instanceof StatusRuntimeException sre
                    ? sre.getStatus().getCode() + " " + sre.getStatus().getDescription() : failure.getClass().getName() + " " + failure.getMessage());
        }
        if (failure instanceof StatusRuntimeException sre) {
            Status status = sre.getStatus();
            Metadata trailers = sre.getTrailers();
            ErrorDetail detail = null;
            if (trailers != null && trailers.containsKey(DETAIL)) {
                try {
                    detail = ErrorDetail.parseFrom(trailers.get(DETAIL));
                } catch (Exception ignored) {
                    detail = null;
                }
            }
            String reason = detail != null && !detail.getReason().isEmpty() ? detail.getReason()
                    : trailers != null && trailers.containsKey(REASON) ? trailers.get(REASON) : null;
            if (reason == null || ErrorReasons.INTERNAL.equals(reason) || status.getCode() == Status.Code.INTERNAL
                    || status.getCode() == Status.Code.UNKNOWN) {
                return generic(status.getCode(), service);
            }
            if (detail == null) {
                detail = ErrorDetail.newBuilder().setReason(reason)
                        .setMessage(status.getDescription() == null ? reason : status.getDescription()).build();
            }
            return new DownstreamError(status.getCode(), detail);
        }
        return generic(Status.Code.UNAVAILABLE, service);
    }

    private static DownstreamError generic(Status.Code code, String service) {
        boolean timeout = code == Status.Code.DEADLINE_EXCEEDED;
        String reason = timeout ? ErrorReasons.UPSTREAM_TIMEOUT : ErrorReasons.UNAVAILABLE;
        String message = timeout ? "Executor's " + service + " did not answer in time; retry shortly."
                : "Executor's " + service + " could not complete the request; retry shortly.";
        if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED) {
            reason = ErrorReasons.UNAVAILABLE;
            message = "Executor's " + service + " refused the gateway; an operator must check the gateway's service account.";
        }
        return new DownstreamError(code, ErrorDetail.newBuilder().setReason(reason).setMessage(message).build());
    }
}
