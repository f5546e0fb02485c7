package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A request to call one tool.
 *
 * @param idempotencyKey requester-chosen key, unique per intended call (e.g. a UUID)
 * @param address        {@code <source>.<scope>.<connection>.<tool>}
 * @param arguments      the tool's arguments, a JSON object matching its input schema
 * @param toolkit        toolkit to narrow visibility to; null for none
 * @param replySubject   optional requester-chosen tag, echoed in {@link RunContext#replySubject()} of
 *                       the resulting run events so the requester can filter them
 * @param parentRunId    Run that caused this request; null for none
 * @param requestedAt    when the requester produced the request
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InvocationRequested(
        String idempotencyKey,
        String address,
        JsonNode arguments,
        String toolkit,
        String replySubject,
        String parentRunId,
        Instant requestedAt) implements InvocationRequest {
}
