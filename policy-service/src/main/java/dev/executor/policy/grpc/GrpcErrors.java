package dev.executor.policy.grpc;

import dev.executor.common.v1.ErrorDetail;
import dev.executor.contracts.ErrorReasons;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Failed RPCs as the contract wants them: status, description, reason and detail trailers. */
final class GrpcErrors {

    static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of(ErrorReasons.DETAIL_TRAILER, Metadata.BINARY_BYTE_MARSHALLER);

    private GrpcErrors() {
    }

    static StatusRuntimeException of(Status.Code code, String reason, String message) {
        Metadata trailers = new Metadata();
        trailers.put(REASON, reason);
        trailers.put(DETAIL, ErrorDetail.newBuilder().setReason(reason).setMessage(message).build().toByteArray());
        return Status.fromCode(code).withDescription(message).asRuntimeException(trailers);
    }

    static StatusRuntimeException invalid(String message) {
        return of(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ARGUMENTS, message);
    }

    static StatusRuntimeException unavailable(String message) {
        return of(Status.Code.UNAVAILABLE, ErrorReasons.UNAVAILABLE, message);
    }
}
