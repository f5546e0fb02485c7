package dev.executor.policy.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.cloudevents.CloudEvent;

/**
 * Reads CloudEvents the way contracts/README.md asks consumers to: unknown members and unknown
 * payload types are tolerated (a payload of an unknown type reads as {@code data == null} and is
 * skipped); anything that is not a CloudEvent at all is a poison message.
 */
@ApplicationScoped
public class EventReader {

    private final ObjectMapper mapper;

    public EventReader(ObjectMapper mapper) {
        this.mapper = mapper.copy()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE);
    }

    /**
     * Parses one record value.
     *
     * @throws PoisonMessageException when it is not a CloudEvent with an id
     */
    public <T> CloudEvent<T> read(String value, TypeReference<CloudEvent<T>> type) {
        if (value == null || value.isBlank()) {
            throw new PoisonMessageException("empty record value; expected a CloudEvent in structured JSON mode");
        }
        CloudEvent<T> event;
        try {
            event = mapper.readValue(value, type);
        } catch (Exception e) {
            throw new PoisonMessageException("not a readable CloudEvent: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (event == null || event.id() == null || event.id().isBlank()) {
            throw new PoisonMessageException("CloudEvent without an id; consumers deduplicate on it");
        }
        return event;
    }

    /** A record no retry can fix; it goes to the topic's dead-letter topic with this message as the reason. */
    public static final class PoisonMessageException extends RuntimeException {
        public PoisonMessageException(String reason) {
            super(reason);
        }
    }
}
