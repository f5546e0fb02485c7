package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Asynchronous tool calls, on {@code executor.invocation.requests}. Produced by teams, consumed by
 * invoker-service, which treats them exactly like an {@code InvokerService.Invoke} call.
 *
 * <p>The payload carries no identity: the caller's bearer token travels in the
 * {@link dev.executor.contracts.Topics#AUTHORIZATION_HEADER} record header and the invoker derives
 * the principal from it. The outcome is published as {@link RunEvent}s whose
 * {@link RunContext#idempotencyKey()} (and {@link RunContext#replySubject()}) echo the request.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = InvocationRequested.class, name = "InvocationRequested")
})
public sealed interface InvocationRequest extends ExecutorEvent permits InvocationRequested {

    /** Chosen by the requester; a repeated request with the same key yields the same Run. */
    String idempotencyKey();

    /** Keyed by idempotency key. */
    @Override
    default String key() {
        return idempotencyKey();
    }
}
