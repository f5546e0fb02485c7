package dev.executor.launcher.infra;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Kafka (KRaft, combined broker + controller) running inside this JVM, bound
 * to 127.0.0.1.
 *
 * <p>Lifecycle: {@link #start()} formats the log dir (if new), starts the server and returns once
 * an {@link Admin} client can describe the cluster; {@link #stop()} shuts it down and deletes a
 * temporary log dir. Both are idempotent and thread-safe; a JVM shutdown hook stops a broker that
 * is still running. Topics are auto-created on first use with {@link Builder#partitions(int)}
 * partitions.
 *
 * <p>As its own process: {@code java -cp <launcher classpath> dev.executor.launcher.infra.KafkaBroker
 * --port 9092 [--log-dir DIR] [--partitions 3]} prints {@code READY 127.0.0.1:9092} and runs until
 * SIGTERM.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int NODE_ID = 1;

    private final int requestedPort;
    private final Path requestedLogDir;
    private final int partitions;
    private final Duration startTimeout;
    private final Map<String, String> overrides;

    private KafkaRaftServer server;
    private Path logDir;
    private boolean temporaryLogDir;
    private int port;
    private Thread shutdownHook;

    private KafkaBroker(Builder builder) {
        this.requestedPort = builder.port;
        this.requestedLogDir = builder.logDir;
        this.partitions = builder.partitions;
        this.startTimeout = builder.startTimeout;
        this.overrides = Map.copyOf(builder.overrides);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the broker (no-op when running) and waits until it serves metadata. */
    public synchronized KafkaBroker start() {
        if (server != null) {
            return this;
        }
        InfraLogging.quiet();
        // A fatal Kafka error must fail the caller, not halt the test JVM.
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("Kafka requested exit " + status + ": " + message);
        });
        Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("Kafka requested halt " + status + ": " + message);
        });
        temporaryLogDir = requestedLogDir == null;
        logDir = temporaryLogDir ? Dirs.tempDir("executor-kafka-") : requestedLogDir;
        RuntimeException failure = null;
        // A port picked as free can be taken before the broker binds it: retry with fresh ports.
        for (int attempt = 0; attempt < (requestedPort == 0 ? 3 : 1); attempt++) {
            try {
                startOnce(FreePorts.orPick(requestedPort), FreePorts.pick());
                failure = null;
                break;
            } catch (RuntimeException e) {
                failure = e;
                shutdownQuietly();
            }
        }
        if (failure != null) {
            if (temporaryLogDir) {
                Dirs.deleteRecursively(logDir);
            }
            throw failure;
        }
        shutdownHook = new Thread(this::stopFromHook, "kafka-broker-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        return this;
    }

    private void startOnce(int brokerPort, int controllerPort) {
        try {
            Files.createDirectories(logDir);
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", String.valueOf(NODE_ID));
            props.put("controller.quorum.voters", NODE_ID + "@" + FreePorts.LOOPBACK + ":" + controllerPort);
            props.put("listeners", "PLAINTEXT://" + FreePorts.LOOPBACK + ":" + brokerPort + ","
                    + CONTROLLER_LISTENER + "://" + FreePorts.LOOPBACK + ":" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://" + FreePorts.LOOPBACK + ":" + brokerPort);
            props.put("controller.listener.names", CONTROLLER_LISTENER);
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("log.dirs", logDir.toString());
            props.put("auto.create.topics.enable", "true");
            props.put("num.partitions", String.valueOf(partitions));
            props.put("default.replication.factor", "1");
            props.put("min.insync.replicas", "1");
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "1");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("transaction.state.log.num.partitions", "1");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.putAll(overrides);
            KafkaConfig config = KafkaConfig.fromProps(props, false);

            // A persistent log dir (./executor keeps one across down/up) is formatted once: the
            // formatter would otherwise stamp a new cluster id and the broker refuse its own data.
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(config);
            }

            port = brokerPort;
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Kafka broker failed to start in " + logDir, e);
        }
        Deadline.await(startTimeout, Duration.ofMillis(100), () -> {
            try (Admin admin = admin()) {
                return admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty() ? null : Boolean.TRUE;
            }
        }, () -> "Kafka broker on " + bootstrapServers() + " did not become ready");
    }

    private void format(KafkaConfig config) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(config.metadataLogDir())
                .setDirectories(List.of(logDir.toString()))
                .setReleaseVersion(MetadataVersion.latestProduction())
                .setIgnoreFormatted(true)
                .run();
    }

    /** {@code 127.0.0.1:<port>}. */
    public synchronized String bootstrapServers() {
        requireStarted();
        return FreePorts.LOOPBACK + ":" + port;
    }

    public synchronized int port() {
        requireStarted();
        return port;
    }

    public synchronized Path logDir() {
        requireStarted();
        return logDir;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** A new admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    /** Creates the topics with the default partition count; existing topics are left alone. */
    public void createTopics(String... topics) {
        createTopics(partitions, Arrays.asList(topics));
    }

    /** Creates the topics with {@code topicPartitions} partitions; existing topics are left alone. */
    public void createTopics(int topicPartitions, Collection<String> topics) {
        try (Admin admin = admin()) {
            for (String topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, topicPartitions, (short) 1))).all()
                            .get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + topic, e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted creating topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Timed out creating topics " + topics, e);
        }
    }

    /** Shuts the broker down and deletes a temporary log dir. No-op when not running. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        shutdownQuietly();
        if (temporaryLogDir) {
            Dirs.deleteRecursively(logDir);
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
            shutdownHook = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void stopFromHook() {
        synchronized (this) {
            shutdownHook = null;
        }
        stop();
    }

    private void shutdownQuietly() {
        KafkaRaftServer running = server;
        server = null;
        if (running != null) {
            try {
                running.shutdown();
                running.awaitShutdown();
            } catch (RuntimeException e) {
                // already broken: nothing left to stop
            }
        }
    }

    private void requireStarted() {
        if (server == null) {
            throw new IllegalStateException("Kafka broker is not running");
        }
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + (server == null ? "stopped" : bootstrapServers()) + "]";
    }

    /** Options; every one has a default suitable for tests. */
    public static final class Builder {
        private int port;
        private Path logDir;
        private int partitions = 3;
        private Duration startTimeout = Duration.ofSeconds(60);
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {
        }

        /** Listener port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Persistent log dir; default: a temp dir deleted on {@link #stop()}. */
        public Builder logDir(Path logDir) {
            this.logDir = logDir;
            return this;
        }

        /** {@code num.partitions} of auto-created topics; default 3. */
        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /** Any other broker property, applied last. */
        public Builder property(String name, String value) {
            overrides.put(name, value);
            return this;
        }

        public KafkaBroker build() {
            return new KafkaBroker(this);
        }
    }

    /** {@code --port N} (default 9092; 0 = free), {@code --log-dir DIR}, {@code --partitions N}. */
    public static void main(String[] args) {
        ServerMain main = new ServerMain(args, "KafkaBroker [--port 9092] [--log-dir DIR] [--partitions 3]");
        KafkaBroker broker = builder()
                .port(main.intOption("port", 9092))
                .logDir(main.pathOption("log-dir"))
                .partitions(main.intOption("partitions", 3))
                .build();
        main.run(new ServerMain.Server() {
            @Override
            public String start() {
                return broker.start().bootstrapServers();
            }

            @Override
            public void stop() {
                broker.stop();
            }
        });
    }
}
