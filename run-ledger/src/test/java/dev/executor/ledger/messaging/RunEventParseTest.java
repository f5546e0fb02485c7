package dev.executor.ledger.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.executor.ledger.RunEvents;
import dev.executor.ledger.messaging.RunEventListener.PoisonException;

/** What the consumer accepts, skips and sends to the dead-letter topic. */
class RunEventParseTest {

    private final RunEventListener listener = new RunEventListener(null, RunEvents.JSON, null);

    @Test
    void acceptsARunEventInAStructuredCloudEvent() {
        // Given
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", Instant.now());
        var envelope = RunEvents.envelope(run.requested());

        // When
        var parsed = listener.parse(RunEvents.json(envelope));

        // Then
        assertEquals(envelope.id(), parsed.eventId());
        assertEquals(run.runId, parsed.event().runId());
    }

    @Test
    void refusesARunIdThatIsNotAUuid() {
        // Given
        RunEvents run = new RunEvents("42", "alice", "github.acme.work.issues_create", Instant.now());

        // When
        var e = assertThrows(PoisonException.class, () -> listener.parse(RunEvents.json(RunEvents.envelope(run.requested()))));

        // Then
        assertTrue(e.getMessage().contains("not a UUID"), e.getMessage());
    }

    @Test
    void refusesMalformedJsonAnEmptyValueAndAMissingId() {
        assertThrows(PoisonException.class, () -> listener.parse("{not json"));
        assertThrows(PoisonException.class, () -> listener.parse(""));
        String noId = RunEvents.json(RunEvents.envelope(new RunEvents("alice", "a.b.c.d", Instant.now()).requested()))
                .replaceFirst("\"id\":\"[^\"]+\",", "");
        assertThrows(PoisonException.class, () -> listener.parse(noId));
    }

    @Test
    void skipsAPayloadTypeItDoesNotKnow() {
        // Given a v1 payload type added after this ledger was built
        String json = RunEvents.json(RunEvents.envelope(new RunEvents("alice", "a.b.c.d", Instant.now()).requested()))
                .replace("\"type\":\"RunRequested\"", "\"type\":\"RunPaused\"")
                .replace("dev.executor.run.RunRequested.v1", "dev.executor.run.RunPaused.v1");

        // When / Then
        assertNull(listener.parse(json));
    }
}
