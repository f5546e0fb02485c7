package dev.executor.invoker.messaging;

import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.Surface;
import dev.executor.contracts.ErrorReasons;
import dev.executor.contracts.Topics;
import dev.executor.invoker.config.InvokerConfig;
import dev.executor.invoker.service.InvokerException;
import dev.executor.invoker.service.Invocations;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;

/**
 * The asynchronous surface: {@value Topics#INVOCATION_REQUESTS}, one consumer group
 * ({@code invoker-service}) across all invoker pods, so each partition is served by one pod and a
 * dead pod's partitions move to the survivors.
 *
 * <p>Each record is a CloudEvent {@code InvocationRequested} with the caller's bearer token in the
 * {@value Topics#AUTHORIZATION_HEADER} header. The token is verified like a gRPC caller's; the
 * principal comes from it alone. A batch is executed with bounded concurrency and its offsets are
 * committed only once every request in it reached a recorded outcome (DESIGN §3 rule 5).
 * <ul>
 * <li>valid → the same pipeline as {@code Invoke} (surface KAFKA); the outcome is on
 * {@value Topics#RUN_EVENTS}, matched by idempotency key and reply subject;</li>
 * <li>a repeated idempotency key (same caller) → the first Run, nothing runs twice;</li>
 * <li>no or invalid token → a failed Run with reason {@code UNAUTHENTICATED} on run events, and the
 * record (without its token) on {@code executor.invocation.requests.dlq} with the reason; it is
 * never executed;</li>
 * <li>not a readable request → the dead-letter topic with the reason;</li>
 * <li>refused by the pipeline (unknown tool, invalid arguments) → a failed Run with the reason.</li>
 * </ul>
 */
@ApplicationScoped
public class InvocationRequestConsumer {

    private static final Logger LOG = Logger.getLogger(InvocationRequestConsumer.class);
    private static final java.time.Duration RETRY_FIRST = java.time.Duration.ofMillis(200);
    private static final java.time.Duration RETRY_MAX = java.time.Duration.ofSeconds(10);
    private static final java.time.Duration RETRY_FOR = java.time.Duration.ofMinutes(5);

    private final Invocations invocations;
    private final TokenAuthenticator authenticator;
    private final ObjectMapper json;
    private final InvokerConfig config;
    @Inject
    @Channel("invocation-dlq")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
    MutinyEmitter<String> deadLetters;

    public InvocationRequestConsumer(Invocations invocations, TokenAuthenticator authenticator, ObjectMapper json,
            InvokerConfig config) {
        this.invocations = invocations;
        this.authenticator = authenticator;
        this.json = json;
        this.config = config;
    }

    @Incoming("invocation-requests")
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return Multi.createFrom().iterable(batch)
                .onItem().transformToUni(record -> handle(record.getPayload(), record.getHeaders(), record.getKey())
                        .onFailure().invoke(e -> LOG.warnf("Invocation request on %s partition %d not handled yet: %s", record.getTopic(),
                                record.getPartition(), e.toString())))
                .merge(Math.max(1, config.async().concurrency()))
                .collect().last()
                .chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }

    /** One request; completes once its outcome is recorded (or it went to the dead-letter topic). */
    Uni<Void> handle(String value, Headers headers, String key) {
        JsonNode envelope;
        JsonNode data;
        try {
            envelope = json.readTree(value == null ? "" : value);
            data = envelope == null ? null : envelope.get("data");
        } catch (Exception e) {
            return deadLetter(value, key, "not JSON: expected a CloudEvent with an InvocationRequested in data");
        }
        if (data == null || !data.isObject() || !"InvocationRequested".equals(data.path("type").asText("InvocationRequested"))) {
            return deadLetter(value, key, "not an InvocationRequested CloudEvent (no object in data)");
        }
        String idempotencyKey = data.path("idempotencyKey").asText("");
        String address = data.path("address").asText("");
        if (idempotencyKey.isBlank() || address.isBlank()) {
            return deadLetter(value, key, "idempotencyKey and address are required");
        }
        ObjectNode arguments = data.get("arguments") instanceof ObjectNode o ? o : json.createObjectNode();
        String toolkit = data.path("toolkit").asText("");
        String replySubject = data.path("replySubject").asText("");
        String parentRunId = data.path("parentRunId").asText("");
        return authenticator.authenticate(header(headers, Topics.AUTHORIZATION_HEADER))
                .onFailure(TokenAuthenticator.Refused.class).recoverWithUni(refused -> {
                    ErrorDetail error = ErrorDetail.newBuilder().setReason(ErrorReasons.UNAUTHENTICATED)
                            .setMessage(refused.getMessage() + " The request was not executed.").build();
                    return invocations.rejected(address, idempotencyKey, toolkit, replySubject, List.of(), arguments, Surface.KAFKA, error)
                            .chain(() -> deadLetter(value, key, ErrorReasons.UNAUTHENTICATED + ": " + refused.getMessage()))
                            .replaceWith((TokenAuthenticator.Caller) null);
                })
                .chain(caller -> {
                    if (caller == null) {
                        return Uni.createFrom().voidItem();
                    }
                    Invocations.Call call = new Invocations.Call(caller.principal(), toolkit, address, arguments, idempotencyKey,
                            Surface.KAFKA, parentRunId, config.async().timeout(), null, replySubject, caller.actors());
                    return Uni.createFrom().deferred(() -> invocations.invoke(call)).replaceWithVoid()
                            // Executor itself cannot take it now (a dependency is down, or this pod is full): hold the
                            // partition and retry, rather than record a failure the caller did not cause.
                            .onFailure(InvocationRequestConsumer::transient_).retry().withBackOff(RETRY_FIRST, RETRY_MAX)
                            .expireIn(RETRY_FOR.toMillis())
                            .onFailure(InvokerException.class).recoverWithUni(e -> {
                                InvokerException refusal = (InvokerException) e;
                                return invocations.rejected(address, idempotencyKey, toolkit, replySubject,
                                        List.of(new dev.executor.contracts.events.PrincipalRef(caller.principal().getSubject(),
                                                caller.principal().getUsername(), caller.principal().getClientId(),
                                                caller.principal().getAgent())),
                                        arguments, Surface.KAFKA, refusal.detail()).replaceWithVoid();
                            });
                });
    }

    /** Sends the record's value (never its token) to the dead-letter topic, with the reason in a header. */
    private Uni<Void> deadLetter(String value, String key, String reason) {
        LOG.infof("Invocation request sent to %s: %s", Topics.dlq(Topics.INVOCATION_REQUESTS), reason);
        return deadLetters.sendMessage(KafkaRecord.of(key, value == null ? "" : value)
                .withHeader(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8))
                .withHeader(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE));
    }

    private static boolean transient_(Throwable e) {
        return e instanceof InvokerException i
                && (ErrorReasons.UNAVAILABLE.equals(i.reason()) || ErrorReasons.RATE_LIMITED.equals(i.reason()));
    }

    private static String header(Headers headers, String name) {
        Header h = headers == null ? null : headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
