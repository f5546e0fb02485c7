package dev.executor.launcher.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Keycloak (the {@code keycloak-quarkus-dist} zip from Maven Central) in {@code start-dev}
 * mode with an in-memory database, bound to 127.0.0.1, with realm {@value #REALM} imported from
 * {@code dev/executor/launcher/executor-realm.json} (dev-only users and secrets, see the README).
 *
 * <p>It runs as a child process ({@code bin/kc.sh}, JAVA_HOME = the JDK running this JVM) from a
 * distribution unpacked once into {@code $EXECUTOR_CACHE_DIR} (default {@code ~/.cache/executor}).
 * Each instance has its own directory (realm import, transaction log, {@code keycloak.log}), so
 * instances can share the distribution. The very first start re-augments the distribution
 * (about a minute); it runs under a cross-JVM lock so a concurrent start waits for it instead of
 * racing it, and later starts skip it (about 15 s).
 *
 * <p>Lifecycle: {@link #start()} returns once the management {@code /health/ready} and the
 * realm's discovery document answer, or throws naming the log file; {@link #stop()} terminates
 * the process tree and deletes the instance directory. Both are idempotent and thread-safe; a
 * JVM shutdown hook stops an instance that is still running (a SIGKILLed JVM cannot, so its
 * Keycloak would outlive it).
 *
 * <p>As its own process: {@code java -cp <launcher classpath> dev.executor.launcher.infra.KeycloakServer
 * --port 8180 [--management-port 9000] [--log-file FILE]} prints
 * {@code READY http://127.0.0.1:8180/realms/executor} and runs until SIGTERM.
 */
public final class KeycloakServer implements AutoCloseable {

    public static final String REALM = "executor";
    public static final String REALM_RESOURCE = "/dev/executor/launcher/executor-realm.json";

    /** Build-time options: identical on every start so that only the first one re-augments. */
    static final List<String> BUILD_OPTIONS = List.of("--db=dev-mem", "--health-enabled=true", "--cache=local");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int requestedPort;
    private final int requestedManagementPort;
    private final Path requestedLogFile;
    private final Path realmFile;
    private final Path distZip;
    private final Duration startTimeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Process process;
    private Path instanceDir;
    private Path logFile;
    private int port;
    private int managementPort;
    private Thread shutdownHook;

    private KeycloakServer(Builder builder) {
        this.requestedPort = builder.port;
        this.requestedManagementPort = builder.managementPort;
        this.requestedLogFile = builder.logFile;
        this.realmFile = builder.realmFile;
        this.distZip = builder.distZip;
        this.startTimeout = builder.startTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts Keycloak (no-op when running) and waits until the realm is served. */
    public synchronized KeycloakServer start() {
        if (process != null) {
            return this;
        }
        if (Runtime.version().feature() < 21) {
            throw new IllegalStateException("Keycloak needs JDK 21+, this JVM is " + Runtime.version());
        }
        KeycloakDistribution dist = KeycloakDistribution.locate(distZip);
        dist.install();
        instanceDir = Dirs.tempDir("executor-keycloak-");
        logFile = requestedLogFile != null ? requestedLogFile.toAbsolutePath() : instanceDir.resolve("keycloak.log");
        port = FreePorts.orPick(requestedPort);
        managementPort = FreePorts.orPick(requestedManagementPort);
        String buildKey = String.join(" ", BUILD_OPTIONS);
        boolean ok = false;
        try {
            Path importDir = Files.createDirectories(instanceDir.resolve("import"));
            copyRealm(importDir.resolve(REALM + "-realm.json"));
            Files.createDirectories(logFile.getParent());
            // The first start re-augments the shared distribution: hold the lock until it is done.
            try (KeycloakDistribution.Lock lock = dist.lock()) {
                boolean augmenting = !dist.isAugmented(buildKey);
                if (!augmenting) {
                    lock.close();
                }
                process = launch(dist, importDir);
                shutdownHook = new Thread(this::stopFromHook, "keycloak-server-stop");
                Runtime.getRuntime().addShutdownHook(shutdownHook);
                awaitReady();
                if (augmenting) {
                    dist.markAugmented(buildKey);
                }
            }
            ok = true;
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start Keycloak; log: " + logFile, e);
        } finally {
            if (!ok) {
                // keep the instance dir (and so the log) for diagnosis
                destroyProcess();
            }
        }
    }

    private Process launch(KeycloakDistribution dist, Path importDir) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(dist.kcSh().toString());
        command.add("start-dev");
        // Per-instance realm import: what --import-realm does, but from our own directory, so
        // instances sharing the distribution never touch each other's files.
        command.add("-Dkeycloak.migration.dir=" + importDir);
        command.add("-Dquarkus.transaction-manager.object-store.directory=" + instanceDir.resolve("transaction-logs"));
        command.add("--http-host=" + FreePorts.LOOPBACK);
        command.add("--http-port=" + port);
        command.add("--http-management-port=" + managementPort);
        command.add("--hostname-strict=false");
        command.addAll(BUILD_OPTIONS);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(instanceDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KC_") || k.startsWith("KEYCLOAK_") || k.startsWith("QUARKUS_")
                || k.equals("JAVA_OPTS") || k.equals("JAVA_OPTS_APPEND") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("JAVA"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return pb.start();
    }

    private void awaitReady() {
        HttpRequest health = HttpRequest.newBuilder(URI.create(managementUrl() + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        HttpRequest discovery = HttpRequest.newBuilder(URI.create(issuerUrl() + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(5)).build();
        Deadline.await(startTimeout, Duration.ofMillis(250), () -> {
            if (!process.isAlive()) {
                throw new ProcessDied(process.exitValue());
            }
            return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200
                    && http.send(discovery, HttpResponse.BodyHandlers.discarding()).statusCode() == 200
                    ? Boolean.TRUE : null;
        }, () -> "Keycloak on " + baseUrl() + " did not become ready; log: " + logFile);
    }

    /** Thrown from the readiness probe to stop waiting for a process that exited. */
    private final class ProcessDied extends RuntimeException {
        ProcessDied(int status) {
            super("Keycloak exited with status " + status + "; log: " + logFile);
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public synchronized String baseUrl() {
        return "http://" + FreePorts.LOOPBACK + ":" + port;
    }

    /** {@code http://127.0.0.1:<port>/realms/executor}: {@code quarkus.oidc.auth-server-url}. */
    public String issuerUrl() {
        return baseUrl() + "/realms/" + REALM;
    }

    public String tokenUrl() {
        return issuerUrl() + "/protocol/openid-connect/token";
    }

    /** {@code http://127.0.0.1:<management port>} ({@code /health}, {@code /health/ready}). */
    public synchronized String managementUrl() {
        return "http://" + FreePorts.LOOPBACK + ":" + managementPort;
    }

    public synchronized int port() {
        requireStarted();
        return port;
    }

    public synchronized int managementPort() {
        requireStarted();
        return managementPort;
    }

    /** PID of the {@code kc.sh} process (Keycloak's JVM is it or its child). */
    public synchronized long pid() {
        requireStarted();
        return process.pid();
    }

    public synchronized Path logFile() {
        return logFile;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** An access token for a confidential client's service account (client credentials grant). */
    public String clientCredentialsToken(String clientId, String clientSecret) {
        return token(Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", clientSecret));
    }

    /** An access token for a user through a client with direct access grants (e.g. {@code executor-cli}). */
    public String passwordToken(String clientId, String username, String password) {
        return token(Map.of("grant_type", "password", "client_id", clientId, "username", username,
                "password", password, "scope", "openid"));
    }

    private String token(Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(tokenUrl()))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Token request for " + form.get("client_id") + " failed: HTTP "
                        + response.statusCode() + " " + response.body());
            }
            return (String) JSON.readValue(response.body(), new TypeReference<Map<String, Object>>() { })
                    .get("access_token");
        } catch (IOException e) {
            throw new UncheckedIOException("Token request to " + tokenUrl() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /** The decoded (not verified) payload of a JWT, for assertions and diagnostics. */
    public static Map<String, Object> claims(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            throw new IllegalArgumentException("Not a JWT");
        }
        try {
            return JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (IOException e) {
            throw new IllegalArgumentException("Not a JWT", e);
        }
    }

    /** Terminates the Keycloak process tree and deletes the instance directory. No-op when stopped. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        destroyProcess();
        if (requestedLogFile == null || !requestedLogFile.toAbsolutePath().startsWith(instanceDir)) {
            Dirs.deleteRecursively(instanceDir);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void destroyProcess() {
        Process running = process;
        process = null;
        if (running != null) {
            ProcessTrees.destroy(running.toHandle(), Duration.ofSeconds(30));
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

    private void stopFromHook() {
        synchronized (this) {
            shutdownHook = null;
        }
        stop();
    }

    private void copyRealm(Path target) throws IOException {
        if (realmFile != null) {
            Files.copy(realmFile, target, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (InputStream in = KeycloakServer.class.getResourceAsStream(REALM_RESOURCE)) {
            if (in == null) {
                throw new IOException(REALM_RESOURCE + " is not on the classpath");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void requireStarted() {
        if (process == null) {
            throw new IllegalStateException("Keycloak is not running");
        }
    }

    @Override
    public String toString() {
        return "KeycloakServer[" + (process == null ? "stopped" : issuerUrl()) + "]";
    }

    /** Options; every one has a default suitable for tests. */
    public static final class Builder {
        private int port;
        private int managementPort;
        private Path logFile;
        private Path realmFile;
        private Path distZip;
        private Duration startTimeout = Duration.ofMinutes(4);

        private Builder() {
        }

        /** HTTP port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Management port (health); 0 (default) picks a free one. */
        public Builder managementPort(int managementPort) {
            this.managementPort = managementPort;
            return this;
        }

        /** Where Keycloak's output goes; default: {@code keycloak.log} in the instance dir. */
        public Builder logFile(Path logFile) {
            this.logFile = logFile;
            return this;
        }

        /** A realm export to import instead of the bundled {@code executor-realm.json}. */
        public Builder realmFile(Path realmFile) {
            this.realmFile = realmFile;
            return this;
        }

        /** The distribution zip; default: see {@code launcher/README.md}. */
        public Builder distZip(Path distZip) {
            this.distZip = distZip;
            return this;
        }

        /** Default 4 minutes: the first start on a slow machine re-augments for about a minute. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        public KeycloakServer build() {
            return new KeycloakServer(this);
        }
    }

    /** {@code --port N} (default 8180; 0 = free), {@code --management-port N} (default 0 = free), {@code --log-file F}, {@code --realm-file F}. */
    public static void main(String[] args) {
        ServerMain main = new ServerMain(args,
                "KeycloakServer [--port 8180] [--management-port 0] [--log-file FILE] [--realm-file FILE]");
        KeycloakServer server = builder()
                .port(main.intOption("port", 8180))
                .managementPort(main.intOption("management-port", 0))
                .logFile(main.pathOption("log-file"))
                .realmFile(main.pathOption("realm-file"))
                .build();
        main.run(new ServerMain.Server() {
            @Override
            public String start() {
                return server.start().issuerUrl();
            }

            @Override
            public void stop() {
                server.stop();
            }
        });
    }
}
