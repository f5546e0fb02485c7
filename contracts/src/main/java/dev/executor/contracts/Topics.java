package dev.executor.contracts;

import dev.executor.contracts.events.ApprovalDecision;
import dev.executor.contracts.events.CatalogEvent;
import dev.executor.contracts.events.ConnectionEvent;
import dev.executor.contracts.events.ExecutorEvent;
import dev.executor.contracts.events.InvocationRequest;
import dev.executor.contracts.events.PolicyEvent;
import dev.executor.contracts.events.RunEvent;
import java.util.List;

/**
 * Kafka topics and record headers.
 *
 * <p>Every record uses the CloudEvents Kafka binding in <em>structured</em> mode: the record value
 * is the whole CloudEvent as JSON ({@link dev.executor.contracts.cloudevents.CloudEvent}), the
 * {@code content-type} header is {@value #CLOUDEVENTS_CONTENT_TYPE}, and the record key is the
 * aggregate id ({@link ExecutorEvent#key()}), so that all events of one aggregate land on one
 * partition in order. Each topic's value is described by the JSON Schema at
 * {@link #schemaResource(String)}.
 */
public final class Topics {

    /** {@link CatalogEvent}s, keyed by source id. Emitted by catalog-service. */
    public static final String CATALOG_EVENTS = "executor.catalog.events";
    /** {@link PolicyEvent}s, keyed by policy or toolkit id. Emitted by policy-service. */
    public static final String POLICY_EVENTS = "executor.policy.events";
    /** {@link ConnectionEvent}s, keyed by connection id. Emitted by secrets-proxy. */
    public static final String CONNECTION_EVENTS = "executor.connection.events";
    /**
     * {@link InvocationRequest}s, keyed by idempotency key. Produced by teams to call tools
     * asynchronously; consumed by invoker-service. Each record must carry
     * {@link #AUTHORIZATION_HEADER}.
     */
    public static final String INVOCATION_REQUESTS = "executor.invocation.requests";
    /** {@link RunEvent}s (every Run transition), keyed by run id. Emitted by invoker-service. */
    public static final String RUN_EVENTS = "executor.run.events";
    /** {@link ApprovalDecision}s, keyed by run id. Emitted by run-ledger. */
    public static final String APPROVAL_DECISIONS = "executor.approval.decisions";

    /** The six topics, in the order above. */
    public static final List<String> ALL = List.of(
            CATALOG_EVENTS, POLICY_EVENTS, CONNECTION_EVENTS, INVOCATION_REQUESTS, RUN_EVENTS, APPROVAL_DECISIONS);

    /**
     * Header carrying the caller's bearer token ({@code Bearer <jwt>}) on invocation requests. The
     * invoker authorizes the request with it exactly like a gRPC call: nothing runs with ambient
     * authority.
     */
    public static final String AUTHORIZATION_HEADER = "executor-authorization";
    /** Header repeating the invocation request's idempotency key, so tooling can read it without parsing the value. */
    public static final String IDEMPOTENCY_KEY_HEADER = "executor-idempotency-key";
    /** Structured-mode content type header name (CloudEvents Kafka protocol binding). */
    public static final String CONTENT_TYPE_HEADER = "content-type";
    /** Structured-mode content type: the record value is a whole CloudEvent in JSON. */
    public static final String CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";
    /**
     * Header holding why a record was sent to a {@link #dlq(String) dead-letter topic}. Same name
     * as SmallRye Reactive Messaging's {@code dead-letter-queue} failure strategy writes, so
     * services get it for free.
     */
    public static final String DLQ_REASON_HEADER = "dead-letter-reason";

    private Topics() {
    }

    /** The dead-letter topic of {@code topic}: poison messages go there with the reason. */
    public static String dlq(String topic) {
        return topic + ".dlq";
    }

    /** Classpath location of the JSON Schema describing the records of {@code topic}. */
    public static String schemaResource(String topic) {
        return "schemas/" + topic + ".schema.json";
    }

    /** The topic an event is published to. */
    public static String of(ExecutorEvent event) {
        return switch (event) {
            case CatalogEvent e -> CATALOG_EVENTS;
            case PolicyEvent e -> POLICY_EVENTS;
            case ConnectionEvent e -> CONNECTION_EVENTS;
            case InvocationRequest e -> INVOCATION_REQUESTS;
            case RunEvent e -> RUN_EVENTS;
            case ApprovalDecision e -> APPROVAL_DECISIONS;
        };
    }
}
