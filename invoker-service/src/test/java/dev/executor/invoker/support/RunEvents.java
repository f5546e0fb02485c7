package dev.executor.invoker.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.eclipse.microprofile.config.ConfigProvider;

/** Reads a topic of the test broker from the beginning, as an external subscriber would. */
public final class RunEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RunEvents() {
    }

    /** Every record of {@code topic} so far: value, headers by name (last wins). */
    public record Rec(String key, String value, java.util.Map<String, String> headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(value);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static List<Rec> read(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<Rec> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            int emptyPolls = 0;
            while (emptyPolls < 3) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty() && !consumer.assignment().isEmpty()) {
                    emptyPolls++;
                }
                for (ConsumerRecord<String, String> r : records) {
                    java.util.Map<String, String> headers = new java.util.HashMap<>();
                    r.headers().forEach(h -> headers.put(h.key(), h.value() == null ? null : new String(h.value())));
                    out.add(new Rec(r.key(), r.value(), headers));
                }
            }
        }
        return out;
    }

    /** The run events of {@code runId}, in sequence order. */
    public static List<JsonNode> of(String runId) {
        return read("executor.run.events").stream().filter(r -> runId.equals(r.key())).map(r -> r.json().get("data"))
                .sorted(java.util.Comparator.comparingLong(d -> d.get("sequence").asLong())).toList();
    }
}
