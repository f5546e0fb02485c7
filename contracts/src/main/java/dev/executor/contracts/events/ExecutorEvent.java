package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Any Executor Kafka payload. Each permitted interface is the payload type of exactly one topic
 * (see {@link dev.executor.contracts.Topics#of(ExecutorEvent)}).
 *
 * <p>The JSON discriminator {@code type} is written by {@link #type()} rather than by Jackson's
 * type serializer: inside a {@code CloudEvent<T>} the payload's declared type is erased to
 * {@code Object}, and Jackson would then silently omit a type id it only writes for the declared
 * base type. The sealed interfaces therefore declare {@code include = EXISTING_PROPERTY}.
 */
@JsonPropertyOrder({"type"})
public sealed interface ExecutorEvent
        permits CatalogEvent, PolicyEvent, ConnectionEvent, InvocationRequest, RunEvent, ApprovalDecision {

    /** The Kafka record key: the id of the aggregate the event belongs to. */
    String key();

    /** The payload's JSON discriminator: its simple class name, e.g. {@code RunSucceeded}. */
    @JsonProperty("type")
    default String type() {
        return getClass().getSimpleName();
    }
}
