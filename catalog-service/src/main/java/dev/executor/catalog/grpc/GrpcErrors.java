package dev.executor.catalog.grpc;

import dev.executor.catalog.CatalogException;
import dev.executor.common.v1.ErrorDetail;
import dev.executor.contracts.ErrorReasons;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Maps refusals to a gRPC status plus the reason and {@code ErrorDetail} trailers (contracts README). */
final class GrpcErrors {

    static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of(ErrorReasons.DETAIL_TRAILER, Metadata.BINARY_BYTE_MARSHALLER);

    private GrpcErrors() {
    }

    static Throwable map(Throwable e) {
        if (e instanceof StatusRuntimeException) {
            return e;
        }
        if (e instanceof CatalogException c) {
            return status(c.reason(), c.getMessage(), c.suggestions());
        }
        return status(ErrorReasons.INTERNAL, "Something failed on our side.", java.util.List.of());
    }

    static StatusRuntimeException status(String reason, String message, java.util.List<String> suggestions) {
        Status status = switch (reason) {
            case ErrorReasons.TOOL_NOT_FOUND, ErrorReasons.SOURCE_NOT_FOUND, ErrorReasons.CONNECTION_NOT_FOUND -> Status.NOT_FOUND;
            case ErrorReasons.INVALID_ARGUMENTS, ErrorReasons.INVALID_SPEC -> Status.INVALID_ARGUMENT;
            case ErrorReasons.CONFLICT -> Status.ALREADY_EXISTS;
            case ErrorReasons.TOOL_UNREVIEWED, ErrorReasons.TOOL_RETIRED -> Status.FAILED_PRECONDITION;
            case ErrorReasons.NOT_VISIBLE, ErrorReasons.PERMISSION_DENIED -> Status.PERMISSION_DENIED;
            case ErrorReasons.UNAVAILABLE -> Status.UNAVAILABLE;
            default -> Status.INTERNAL;
        };
        Metadata trailers = new Metadata();
        trailers.put(REASON, reason);
        trailers.put(DETAIL, ErrorDetail.newBuilder().setReason(reason).setMessage(message).addAllSuggestions(suggestions).build().toByteArray());
        return status.withDescription(message).asRuntimeException(trailers);
    }
}
