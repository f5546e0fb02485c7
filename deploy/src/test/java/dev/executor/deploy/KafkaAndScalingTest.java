package dev.executor.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/** Every topic the code uses exists, and the invoker never scales past its partitions. */
class KafkaAndScalingTest {

    private static final String INVOCATION_REQUESTS = "executor.invocation.requests";

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void everyTopicTheCodeUsesHasAKafkaTopicAndADeadLetterTopic(String overlay) {
        // Given: contracts' Topics and every channel's topic in the services' properties
        Set<String> used = new LinkedHashSet<>(Repo.contractTopics());
        for (String service : Repo.SERVICES) {
            used.addAll(Repo.channelTopics(service).values());
        }

        // When
        Map<String, JsonNode> declared = topics(overlay);

        // Then
        List<String> missing = new ArrayList<>();
        for (String topic : used) {
            if (!declared.containsKey(topic)) {
                missing.add(topic);
            }
            if (!topic.endsWith(".dlq") && !declared.containsKey(topic + ".dlq")) {
                missing.add(topic + ".dlq");
            }
        }
        assertTrue(missing.isEmpty(), overlay + ": no KafkaTopic for " + missing);
        assertTrue(used.containsAll(List.of(INVOCATION_REQUESTS, "executor.run.events")), "topic names not found in contracts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void topicsBelongToTheClusterAndFitItsBrokers(String overlay) {
        // Given
        List<JsonNode> docs = Repo.render(overlay);
        int brokers = Repo.ofKind(docs, "KafkaNodePool").stream().mapToInt(p -> p.path("spec").path("replicas").asInt()).sum();
        String cluster = Repo.ofKind(docs, "Kafka").get(0).path("metadata").path("name").asText();

        for (JsonNode t : topics(overlay).values()) {
            String name = t.path("spec").path("topicName").asText();
            // Then
            assertEquals(cluster, t.path("metadata").path("labels").path("strimzi.io/cluster").asText(), name);
            int replicas = t.path("spec").path("replicas").asInt();
            int minIsr = t.path("spec").path("config").path("min.insync.replicas").asInt(1);
            assertTrue(replicas >= 1 && replicas <= brokers, name + ": " + replicas + " replicas on " + brokers + " broker(s)");
            assertTrue(minIsr <= replicas && (replicas == 1 || minIsr < replicas),
                    name + ": min.insync.replicas " + minIsr + " with " + replicas + " replicas blocks writes when one broker is down");
            assertFalse(t.path("spec").path("config").path("cleanup.policy").asText().isEmpty(), name + ": cleanup.policy not chosen");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void invokerScalesOnOneAutoscalerUpToThePartitionCount(String overlay) {
        // Given
        List<JsonNode> docs = Repo.render(overlay);
        int partitions = topics(overlay).get(INVOCATION_REQUESTS).path("spec").path("partitions").asInt();
        List<JsonNode> hpas = Repo.ofKind(docs, "HorizontalPodAutoscaler").stream()
                .filter(h -> h.path("spec").path("scaleTargetRef").path("name").asText().equals("invoker-service")).toList();
        List<JsonNode> scaled = Repo.ofKind(docs, "ScaledObject").stream()
                .filter(s -> s.path("spec").path("scaleTargetRef").path("name").asText().equals("invoker-service")).toList();

        // Then exactly one autoscaler: KEDA owns its own HPA, and two would fight over replicas
        assertEquals(1, hpas.size() + scaled.size(), overlay + ": invoker autoscalers " + hpas.size() + " HPA + "
                + scaled.size() + " ScaledObject");
        for (JsonNode h : hpas) {
            assertTrue(h.path("spec").path("maxReplicas").asInt() <= partitions, overlay + ": HPA max above " + partitions);
            assertTrue(metricTypes(h).contains("cpu"), overlay + ": HPA not on CPU");
        }
        for (JsonNode s : scaled) {
            assertTrue(s.path("spec").path("maxReplicaCount").asInt() <= partitions, overlay + ": KEDA max above " + partitions);
            JsonNode kafka = trigger(s, "kafka");
            assertEquals(INVOCATION_REQUESTS, kafka.path("metadata").path("topic").asText());
            assertEquals(invokerConsumerGroup(), kafka.path("metadata").path("consumerGroup").asText(),
                    "KEDA must watch the invoker's consumer group");
            assertTrue(trigger(s, "cpu").path("metadata").has("value"), overlay + ": KEDA does not keep the CPU trigger");
        }
        JsonNode invoker = Repo.named(docs, "Deployment", "invoker-service");
        assertFalse(invoker.path("spec").has("replicas"), overlay + ": the Deployment's replicas would fight the autoscaler");
    }

    @Test
    void prodScalesTheInvokerOnConsumerLagWithKeda() {
        // Given
        List<JsonNode> scaled = Repo.ofKind(Repo.render("overlays/prod"), "ScaledObject");

        // Then
        assertEquals(1, scaled.size());
        assertFalse(trigger(scaled.get(0), "kafka").isMissingNode());
    }

    /** SmallRye Kafka's default group.id is the application name, unless a channel sets one. */
    private static String invokerConsumerGroup() {
        var props = Repo.properties("invoker-service");
        return props.stringPropertyNames().stream()
                .filter(k -> k.matches("mp\\.messaging\\.incoming\\.[^.]+\\.group\\.id"))
                .filter(k -> INVOCATION_REQUESTS.equals(props.getProperty(k.replace("group.id", "topic"))))
                .map(props::getProperty)
                .findFirst()
                .orElse(props.getProperty("kafka.group.id", props.getProperty("quarkus.application.name")));
    }

    private static Map<String, JsonNode> topics(String overlay) {
        return Repo.ofKind(Repo.render(overlay), "KafkaTopic").stream().collect(Collectors.toMap(
                t -> t.path("spec").path("topicName").asText(t.path("metadata").path("name").asText()), t -> t));
    }

    private static JsonNode trigger(JsonNode scaledObject, String type) {
        for (JsonNode t : scaledObject.path("spec").path("triggers")) {
            if (type.equals(t.path("type").asText())) {
                return t;
            }
        }
        throw new AssertionError("no " + type + " trigger");
    }

    private static List<String> metricTypes(JsonNode hpa) {
        List<String> names = new ArrayList<>();
        hpa.path("spec").path("metrics").forEach(m -> names.add(m.path("resource").path("name").asText()));
        return names;
    }
}
