package dev.executor.invoker.service;

import dev.executor.common.v1.ErrorDetail;
import dev.executor.contracts.ErrorReasons;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Turns a failed call to catalog, policy or run-ledger into the {@link InvokerException} the caller sees. */
final class Downstream {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Downstream.class);

    static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of(ErrorReasons.DETAIL_TRAILER, Metadata.BINARY_BYTE_MARSHALLER);

    private Downstream() {
    }

    /**
     * A refusal with a reason (TOOL_NOT_FOUND with suggestions, TOOL_UNREVIEWED, ...) passes through
     * as is; anything else means the dependency is unavailable, said without internals.
     */
    static Throwable map(String service, Throwable failure) {
        if (failure instanceof InvokerException) {
            return failure;
        }
        if (failure instanceof StatusRuntimeException e) {
            Metadata trailers = e.getTrailers();
            byte[] detail = trailers == null ? null : trailers.get(DETAIL);
            String reason = trailers == null ? null : trailers.get(REASON);
            if (detail != null) {
                try {
                    ErrorDetail parsed = ErrorDetail.parseFrom(detail);
                    if (!parsed.getReason().isEmpty() && !ErrorReasons.INTERNAL.equals(parsed.getReason())
                            && !ErrorReasons.UNAUTHENTICATED.equals(parsed.getReason())
                            && !ErrorReasons.PERMISSION_DENIED.equals(parsed.getReason())) {
                        return new InvokerException(parsed);
                    }
                } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
                    // fall through to the reason trailer
                }
            }
            if (reason != null && !ErrorReasons.INTERNAL.equals(reason) && !ErrorReasons.UNAUTHENTICATED.equals(reason)
                    && !ErrorReasons.PERMISSION_DENIED.equals(reason)) {
                return new InvokerException(reason, e.getStatus().getDescription() == null ? service + " refused the call."
                        : e.getStatus().getDescription());
            }
            if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED || e.getStatus().getCode() == Status.Code.PERMISSION_DENIED) {
                return new InvokerException(ErrorReasons.UNAVAILABLE, service
                        + " refused invoker-service's own credentials; an operator must check the service account.");
            }
        }
        LOG.warnf("%s call failed: %s", service, failure instanceof StatusRuntimeException e ? e.getStatus() : failure.toString());
        return new InvokerException(ErrorReasons.UNAVAILABLE, service + " is unavailable; try again shortly.");
    }
}
