package dev.executor.launcher.infra;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

    @Test
    void producesAndConsumesOnAnAutoCreatedTopicThenClosesThePort() throws Exception {
        // Given
        KafkaBroker broker = KafkaBroker.builder().partitions(2).build();
        long started = System.nanoTime();
        broker.start();
        System.out.printf("Kafka ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        Path logDir = broker.logDir();
        int port = broker.port();
        String topic = "executor.test.events";
        try {
            // When
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
                producer.send(new ProducerRecord<>(topic, "run-1", "{\"type\":\"RunSucceeded\"}")).get();
            }

            // Then
            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "kafka-broker-test",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
                consumer.subscribe(List.of(topic));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                    return !received.isEmpty();
                });
            }
            assertEquals("run-1", received.get(0).key());
            assertEquals("{\"type\":\"RunSucceeded\"}", received.get(0).value());
            try (var admin = broker.admin()) {
                assertEquals(2, admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size());
            }
        } finally {
            broker.stop();
        }

        // Then
        assertFalse(FreePorts.isListening(port));
        assertFalse(Files.exists(logDir));
    }

    @Test
    void createsTopicsIdempotently() throws Exception {
        // Given
        try (KafkaBroker broker = KafkaBroker.builder().build().start()) {
            // When
            broker.createTopics("executor.catalog.events", "executor.policy.events");
            broker.createTopics("executor.catalog.events");

            // Then
            try (var admin = broker.admin()) {
                assertTrue(admin.listTopics().names().get()
                        .containsAll(List.of("executor.catalog.events", "executor.policy.events")));
                assertEquals(3, admin.describeTopics(List.of("executor.catalog.events")).allTopicNames().get()
                        .get("executor.catalog.events").partitions().size());
            }
        }
    }

    @Test
    void restartsOnItsPersistentLogDirKeepingTopics() throws Exception {
        // Given a broker on a kept log dir (as ./executor runs it) that has a topic
        Path logDir = Files.createTempDirectory("executor-kafka-restart-");
        try {
            try (KafkaBroker first = KafkaBroker.builder().logDir(logDir).build().start()) {
                first.createTopics("executor.run.events");
            }

            // When it starts again on the same directory
            try (KafkaBroker second = KafkaBroker.builder().logDir(logDir).build().start()) {

                // Then it serves the data it already had
                try (var admin = second.admin()) {
                    assertTrue(admin.listTopics().names().get().contains("executor.run.events"));
                }
            }
        } finally {
            Dirs.deleteRecursively(logDir);
        }
    }
}
