package dev.executor.testsupport;

import java.util.Map;

import dev.executor.launcher.infra.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real Kafka broker (KRaft, in this JVM) shared by every test class of the JVM: started by the
 * first test resource that needs it, stopped by a JVM shutdown hook. Topics are auto-created.
 *
 * <p>Sets {@code kafka.bootstrap.servers} and
 * {@code mp.messaging.connector.smallrye-kafka.bootstrap.servers}.
 */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {

    private static KafkaBroker broker;

    /** The shared broker, started on first use. */
    public static synchronized KafkaBroker broker() {
        if (broker == null) {
            broker = KafkaBroker.builder().build().start();
        }
        return broker;
    }

    @Override
    public Map<String, String> start() {
        String bootstrap = broker().bootstrapServers();
        return Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "mp.messaging.connector.smallrye-kafka.bootstrap.servers", bootstrap);
    }

    @Override
    public void stop() {
        // shared by the JVM's test classes: the broker's shutdown hook stops it
    }
}
