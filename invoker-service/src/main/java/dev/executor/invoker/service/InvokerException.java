package dev.executor.invoker.service;

import java.util.List;
import java.util.Map;

import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.Violation;

/**
 * A call refused before a Run exists (unknown tool, invalid arguments, ...), or a failure that
 * ends a Run. Carries the {@code ErrorDetail} the caller sees; the message is for a person and
 * holds no internals.
 */
public class InvokerException extends RuntimeException {

    private final transient ErrorDetail detail;

    public InvokerException(String reason, String message) {
        this(ErrorDetail.newBuilder().setReason(reason).setMessage(message).build());
    }

    public InvokerException(ErrorDetail detail) {
        super(detail.getMessage(), null, false, false);
        this.detail = detail;
    }

    public static InvokerException of(String reason, String message, List<String> suggestions, List<Violation> violations,
            Map<String, String> metadata) {
        return new InvokerException(ErrorDetail.newBuilder().setReason(reason).setMessage(message).addAllSuggestions(suggestions)
                .addAllViolations(violations).putAllMetadata(metadata).build());
    }

    public ErrorDetail detail() {
        return detail;
    }

    public String reason() {
        return detail.getReason();
    }
}
