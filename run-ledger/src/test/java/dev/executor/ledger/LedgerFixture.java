package dev.executor.ledger;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.RunEvent;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.PostgresResource;

/** Test helpers over the real broker and database the ledger runs against. */
public final class LedgerFixture {

    private static KafkaProducer<String, String> producer;

    private LedgerFixture() {
    }

    public static synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaResource.broker().bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        }
        return producer;
    }

    /** Publishes each envelope on the run-event topic (key = run id) and waits for the broker. */
    public static void publish(List<CloudEvent<RunEvent>> envelopes) {
        try {
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (CloudEvent<RunEvent> e : envelopes) {
                futures.add(producer().send(new ProducerRecord<>(Topics.RUN_EVENTS, e.data().runId(), RunEvents.json(e))));
            }
            for (var f : futures) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static void publishRaw(String key, String value) {
        try {
            producer().send(new ProducerRecord<>(Topics.RUN_EVENTS, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<CloudEvent<RunEvent>> envelopes(List<RunEvent> events) {
        return events.stream().map(RunEvents::envelope).toList();
    }

    /** A consumer positioned at the end of {@code topic}, so it sees only what comes next. */
    public static KafkaConsumer<String, String> tail(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaResource.broker().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(topic));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            c.poll(Duration.ofMillis(100));
            return !c.assignment().isEmpty();
        });
        c.seekToEnd(c.assignment());
        c.assignment().forEach(c::position);
        return c;
    }

    /** Polls {@code consumer} until {@code count} records matching {@code key} arrived (or the deadline), then a bit more to catch extras. */
    public static List<ConsumerRecord<String, String>> records(KafkaConsumer<String, String> consumer, String key, int count) {
        return records(consumer, r -> key.equals(r.key()), count);
    }

    /** Polls until {@code count} matching records arrived (or the deadline), then two seconds more to catch extras. */
    public static List<ConsumerRecord<String, String>> records(KafkaConsumer<String, String> consumer,
            java.util.function.Predicate<ConsumerRecord<String, String>> matching, int count) {
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                if (matching.test(r)) {
                    seen.add(r);
                }
            });
            return seen.size() >= count;
        });
        consumer.poll(Duration.ofSeconds(2)).forEach(r -> {
            if (matching.test(r)) {
                seen.add(r);
            }
        });
        return seen;
    }

    public static Connection db() throws SQLException {
        return PostgresResource.server().connect("ledger", "ledger", "ledger");
    }

    /** Rows of a query, each as column → value text. */
    public static List<Map<String, String>> rows(String sql) {
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<Map<String, String>> rows = new ArrayList<>();
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnName(i), rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void execute(String sql) {
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String status(String runId) {
        var rows = rows("SELECT status FROM ledger.run WHERE id = '" + runId + "'");
        return rows.isEmpty() ? null : rows.getFirst().get("status");
    }

    public static void awaitStatus(String runId, String status) {
        await().atMost(Duration.ofSeconds(30)).until(() -> status.equals(status(runId)));
    }

    public static void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }
}
