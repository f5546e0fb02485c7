package dev.executor.contracts.cloudevents;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.executor.contracts.Topics;
import dev.executor.contracts.events.ExecutorEvent;
import java.time.Instant;
import java.util.UUID;

/**
 * A CloudEvents 1.0 envelope in structured JSON mode: the whole object is the Kafka record value.
 *
 * <pre>{@code
 * {
 *   "specversion": "1.0",
 *   "id": "5f0c3a4e-8a51-4c2b-9a39-0c8f3b7e2d11",
 *   "source": "/executor/invoker-service",
 *   "type": "dev.executor.run.RunSucceeded.v1",
 *   "time": "2025-06-01T10:15:30.123Z",
 *   "subject": "run/0b6f...",
 *   "datacontenttype": "application/json",
 *   "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
 *   "data": { "type": "RunSucceeded", ... }
 * }
 * }</pre>
 *
 * Consumers deduplicate on {@code id} (delivery is at least once). {@code type} is
 * {@code dev.executor.<domain>.<Payload>.v1}, where the domain is the second segment of the topic
 * name, and always agrees with {@code data.type}.
 *
 * @param specversion     always {@value #SPEC_VERSION}
 * @param id              unique per event; consumers are idempotent on it
 * @param source          URI reference of the producer, e.g. {@code /executor/catalog-service}
 * @param type            {@code dev.executor.<domain>.<Payload>.v1}
 * @param time            when the event occurred (ISO-8601, UTC)
 * @param subject         optional: what the event is about within the source, e.g. {@code run/<id>}
 * @param datacontenttype always {@value #DATA_CONTENT_TYPE}
 * @param traceparent     optional W3C trace context of the operation that caused the event
 *                        (CloudEvents distributed-tracing extension)
 * @param data            the payload
 * @param <T>             payload type, one of the sealed event interfaces
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudEvent<T>(
        String specversion,
        String id,
        String source,
        String type,
        Instant time,
        String subject,
        String datacontenttype,
        String traceparent,
        T data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String DATA_CONTENT_TYPE = "application/json";

    /**
     * Wraps {@code data} in a new envelope with a random id, the current time, no trace context,
     * and the type derived from the payload class.
     */
    public static <T extends ExecutorEvent> CloudEvent<T> of(String source, String subject, T data) {
        return new CloudEvent<>(SPEC_VERSION, UUID.randomUUID().toString(), source, typeOf(data),
                Instant.now(), subject, DATA_CONTENT_TYPE, null, data);
    }

    /** The CloudEvents {@code type} of a payload, e.g. {@code dev.executor.run.RunSucceeded.v1}. */
    public static String typeOf(ExecutorEvent data) {
        // "executor.run.events" -> "run": the domain is the topic's middle segment.
        String domain = Topics.of(data).split("\\.")[1];
        return "dev.executor." + domain + "." + data.getClass().getSimpleName() + ".v1";
    }

    /** A copy carrying the given W3C {@code traceparent}. */
    public CloudEvent<T> withTraceparent(String traceparent) {
        return new CloudEvent<>(specversion, id, source, type, time, subject, datacontenttype, traceparent, data);
    }
}
