package dev.executor.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.ExecutorEvent;
import dev.executor.contracts.events.RunEvent;
import dev.executor.contracts.events.RunSucceeded;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventSchemaTest {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true)
            .build();

    static Stream<ExecutorEvent> samples() {
        return EventSamples.all().stream();
    }

    static Stream<Class<?>> payloadInterfaces() {
        return Arrays.stream(ExecutorEvent.class.getPermittedSubclasses());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyEventSerializesToItsTopicSchemaAndReadsBackEqual(ExecutorEvent event) throws IOException {
        // Given
        String topic = Topics.of(event);
        CloudEvent<ExecutorEvent> envelope = CloudEvent.<ExecutorEvent>of("/executor/test", "subject/1", event)
                .withTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        // When
        String json = MAPPER.writeValueAsString(envelope);
        Set<ValidationMessage> violations = schema(topic).validate(MAPPER.readTree(json));
        CloudEvent<ExecutorEvent> read = MAPPER.readValue(json, envelopeOf(payloadInterface(event)));

        // Then
        assertTrue(violations.isEmpty(), () -> topic + " schema rejects " + json + ": " + violations);
        assertEquals(envelope, read);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyEventHasAKey(ExecutorEvent event) {
        // Given / When
        String key = event.key();

        // Then
        assertFalse(key == null || key.isBlank(), () -> event.getClass().getSimpleName() + " has no key");
    }

    @Test
    void everyPayloadTypeHasASample() {
        // Given
        Set<String> permitted = payloadInterfaces()
                .flatMap(i -> Arrays.stream(i.getPermittedSubclasses()))
                .map(Class::getSimpleName)
                .collect(Collectors.toCollection(TreeSet::new));

        // When
        Set<String> sampled = samples().map(e -> e.getClass().getSimpleName())
                .collect(Collectors.toCollection(TreeSet::new));

        // Then
        assertEquals(permitted, sampled);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("payloadInterfaces")
    void everyPermittedSubtypeHasABranchInItsTopicSchema(Class<?> payloadInterface) {
        // Given
        String topic = topicOf(payloadInterface);
        JsonNode schema = read(Topics.schemaResource(topic));

        // When
        Set<String> branches = new TreeSet<>();
        schema.path("properties").path("data").path("oneOf").forEach(branch -> {
            String def = branch.path("$ref").asText().replace("#/$defs/", "");
            branches.add(schema.path("$defs").path(def).path("properties").path("type").path("const").asText());
        });

        // Then
        Set<String> permitted = Arrays.stream(payloadInterface.getPermittedSubclasses())
                .map(Class::getSimpleName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(permitted, branches, topic + " schema branches");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topics")
    void everyTopicSchemaIsAValidDraft202012Schema(String topic) {
        // Given
        JsonSchema metaSchema = FACTORY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

        // When
        Set<ValidationMessage> violations = metaSchema.validate(read(Topics.schemaResource(topic)));

        // Then
        assertTrue(violations.isEmpty(), () -> topic + ": " + violations);
    }

    static Stream<String> topics() {
        return Topics.ALL.stream();
    }

    @Test
    void rejectsAnEventWithAnUnknownPayloadType() throws IOException {
        // Given
        ObjectNode json = sampleRunSucceeded();
        ((ObjectNode) json.get("data")).put("type", "RunTeleported");

        // When
        Set<ValidationMessage> violations = schema(Topics.RUN_EVENTS).validate(json);

        // Then
        assertFalse(violations.isEmpty());
    }

    @Test
    void rejectsAnEventMissingARequiredField() throws IOException {
        // Given
        ObjectNode json = sampleRunSucceeded();
        ((ObjectNode) json.get("data")).remove("runId");

        // When
        Set<ValidationMessage> violations = schema(Topics.RUN_EVENTS).validate(json);

        // Then
        assertFalse(violations.isEmpty());
    }

    @Test
    void rejectsAPayloadWithAnUndeclaredField() throws IOException {
        // Given
        ObjectNode json = sampleRunSucceeded();
        ((ObjectNode) json.get("data")).put("apiToken", "ghp_leaked");

        // When
        Set<ValidationMessage> violations = schema(Topics.RUN_EVENTS).validate(json);

        // Then
        assertFalse(violations.isEmpty());
    }

    @Test
    void rejectsAnEnvelopeTypeThatDisagreesWithThePayloadType() throws IOException {
        // Given
        ObjectNode json = sampleRunSucceeded();
        json.put("type", "dev.executor.run.RunFailed.v1");

        // When
        Set<ValidationMessage> violations = schema(Topics.RUN_EVENTS).validate(json);

        // Then
        assertFalse(violations.isEmpty());
    }

    @Test
    void rejectsAnEventPublishedOnTheWrongTopic() throws IOException {
        // Given
        ObjectNode json = sampleRunSucceeded();

        // When
        Set<ValidationMessage> violations = schema(Topics.CATALOG_EVENTS).validate(json);

        // Then
        assertFalse(violations.isEmpty());
    }

    @Test
    void tolerantConsumerReadsAnUnknownPayloadTypeAsNull() throws IOException {
        // Given
        ObjectNode json = sampleRunSucceeded();
        json.put("type", "dev.executor.run.RunTeleported.v1");
        ((ObjectNode) json.get("data")).put("type", "RunTeleported").put("destination", "mars");
        ObjectMapper olderConsumer = MAPPER.copy()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE);

        // When
        CloudEvent<RunEvent> read = olderConsumer.readValue(json.toString(), envelopeOf(RunEvent.class));

        // Then
        assertEquals("dev.executor.run.RunTeleported.v1", read.type());
        assertNull(read.data());
    }

    private static ObjectNode sampleRunSucceeded() throws IOException {
        RunEvent succeeded = samples().filter(RunSucceeded.class::isInstance).map(RunEvent.class::cast)
                .findFirst().orElseThrow();
        ObjectNode json = (ObjectNode) MAPPER.valueToTree(CloudEvent.of("/executor/test", null, succeeded));
        assertTrue(schema(Topics.RUN_EVENTS).validate(json).isEmpty(), "the unmodified sample must be valid");
        return json;
    }

    private static JsonSchema schema(String topic) {
        return FACTORY.getSchema(SchemaLocation.of("classpath:" + Topics.schemaResource(topic)), CONFIG);
    }

    private static Class<?> payloadInterface(ExecutorEvent event) {
        return payloadInterfaces().filter(i -> i.isInstance(event)).findFirst().orElseThrow();
    }

    private static String topicOf(Class<?> payloadInterface) {
        return Topics.of(samples().filter(payloadInterface::isInstance).findFirst().orElseThrow());
    }

    private static JavaType envelopeOf(Class<?> payloadInterface) {
        // Read through the topic's sealed interface, as a consumer of that topic does.
        return MAPPER.getTypeFactory().constructParametricType(CloudEvent.class, payloadInterface);
    }

    private static JsonNode read(String resource) {
        try (InputStream in = EventSchemaTest.class.getClassLoader().getResourceAsStream(resource)) {
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
