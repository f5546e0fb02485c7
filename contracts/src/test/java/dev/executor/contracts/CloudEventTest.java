package dev.executor.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.ExecutorEvent;
import dev.executor.contracts.events.SourceRemoved;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CloudEventTest {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private static final SourceRemoved REMOVED = new SourceRemoved(EventSamples.SOURCE_ID, "github",
            EventSamples.ACME, EventSamples.ADMIN, EventSamples.T0);

    @Test
    void derivesTheTypeFromTheTopicDomainAndPayloadClass() {
        // Given
        ExecutorEvent payload = REMOVED;

        // When
        CloudEvent<ExecutorEvent> event = CloudEvent.of("/executor/catalog-service", "source/1", payload);

        // Then
        assertEquals("dev.executor.catalog.SourceRemoved.v1", event.type());
    }

    @Test
    void derivesTheDomainOfEveryTopicFromItsName() {
        // Given
        Map<String, String> expected = Map.of(
                "SourceAdded", "dev.executor.catalog.SourceAdded.v1",
                "PolicyChanged", "dev.executor.policy.PolicyChanged.v1",
                "ConnectionCreated", "dev.executor.connection.ConnectionCreated.v1",
                "InvocationRequested", "dev.executor.invocation.InvocationRequested.v1",
                "RunSucceeded", "dev.executor.run.RunSucceeded.v1",
                "ApprovalGranted", "dev.executor.approval.ApprovalGranted.v1");

        // When
        Map<String, String> derived = EventSamples.all().stream()
                .filter(e -> expected.containsKey(e.getClass().getSimpleName()))
                .collect(Collectors.toMap(e -> e.getClass().getSimpleName(), CloudEvent::typeOf));

        // Then
        assertEquals(expected, derived);
    }

    @Test
    void fillsTheFixedAttributesAndARandomId() {
        // Given
        String source = "/executor/catalog-service";

        // When
        CloudEvent<SourceRemoved> first = CloudEvent.of(source, null, REMOVED);
        CloudEvent<SourceRemoved> second = CloudEvent.of(source, null, REMOVED);

        // Then
        assertEquals("1.0", first.specversion());
        assertEquals("application/json", first.datacontenttype());
        assertNotNull(first.time());
        assertNotNull(UUID.fromString(first.id()));
        assertNotEquals(first.id(), second.id());
    }

    @Test
    void serializesAsStructuredJsonWithIsoTimeAndWithoutAbsentOptionals() {
        // Given
        CloudEvent<SourceRemoved> event = CloudEvent.of("/executor/catalog-service", null, REMOVED);

        // When
        JsonNode json = MAPPER.valueToTree(event);

        // Then
        assertEquals(event.time().toString(), json.get("time").asText());
        assertEquals("SourceRemoved", json.at("/data/type").asText());
        assertEquals("2025-06-01T10:15:30.123Z", json.at("/data/occurredAt").asText());
        assertEquals(false, json.has("subject"));
        assertEquals(false, json.has("traceparent"));
    }
}
