package dev.executor.acceptance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.contracts.Topics;

import dev.executor.launcher.infra.FreePorts;

/**
 * The whole platform, started once per test JVM exactly as a user starts it: {@code ./executor up}
 * (real Kafka, PostgreSQL, Keycloak and the six packaged services, each its own process on
 * loopback), on free ports and with its state under {@code acceptance/target/platform} (emptied
 * first). Stopped with {@code ./executor down} when the test session closes ({@link PlatformSession}).
 */
public final class Platform {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static Platform instance;
    private static RuntimeException startFailure;

    public final Path root;
    public final Path home;
    public final Map<String, Integer> ports = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Platform() {
        root = Path.of(System.getProperty("executor.root", "..")).toAbsolutePath().normalize();
        home = root.resolve("acceptance/target/platform");
        for (String name : List.of("pg", "kafka", "keycloak", "keycloak-mgmt", "gateway", "catalog", "policy", "secrets", "invoker",
                "ledger")) {
            ports.put(name, FreePorts.pick());
        }
    }

    public static synchronized Platform get() {
        if (instance == null) {
            Platform p = new Platform();
            p.clean();
            instance = p;
            // Normally PlatformSession stops it when the test session closes; the hook covers a JVM
            // that ends some other way (Maven does not wait for shutdown hooks of its test fork).
            Runtime.getRuntime().addShutdownHook(new Thread(Platform::stop));
            try {
                p.run(Duration.ofMinutes(8), "up");
            } catch (RuntimeException e) {
                startFailure = e;
            }
        }
        if (startFailure != null) {
            throw startFailure;
        }
        return instance;
    }

    /** Stops the platform if this JVM started it ({@code ./executor down}); idempotent. */
    static synchronized void stop() {
        if (instance != null) {
            Platform p = instance;
            instance = null;
            p.run(Duration.ofMinutes(3), "down");
        }
    }

    /** Every run starts from empty databases and topics: the previous run's state (and logs) go. */
    private void clean() {
        try {
            deleteRecursively(home);
        } catch (IOException e) {
            throw new UncheckedIOException("could not clear " + home, e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    // ---- Kafka, as a team's service uses it --------------------------------------------------

    /**
     * A structured CloudEvent {@code InvocationRequested} for {@code executor.invocation.requests},
     * keyed by the idempotency key, with the caller's token in the {@code executor-authorization} header.
     */
    public static ProducerRecord<String, String> invocationRequest(String team, String key, String address, String arguments,
            String token) {
        ObjectNode data = JSON.createObjectNode().put("type", "InvocationRequested").put("idempotencyKey", key)
                .put("address", address).put("requestedAt", Instant.now().toString()).put("replySubject", team);
        data.set("arguments", json(arguments));
        ObjectNode ce = JSON.createObjectNode().put("specversion", "1.0").put("id", UUID.randomUUID().toString())
                .put("source", "/teams/" + team).put("type", "dev.executor.InvocationRequested");
        ce.set("data", data);
        ProducerRecord<String, String> record = new ProducerRecord<>(Topics.INVOCATION_REQUESTS, key, ce.toString());
        record.headers().add(Topics.AUTHORIZATION_HEADER, ("Bearer " + token).getBytes(StandardCharsets.UTF_8));
        record.headers().add(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** Runs {@code ./executor <args>} with this platform's ports and home; fails with its output. */
    public String run(Duration timeout, String... args) {
        String command = String.join(" ", args);
        try {
            Files.createDirectories(home);
            Path log = home.resolve("executor-" + String.join("-", args) + ".log");
            List<String> line = new java.util.ArrayList<>(List.of(root.resolve("executor").toString()));
            line.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(line).directory(root.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.put("EXECUTOR_HOME", home.toString());
            env.put("EXECUTOR_SKIP_BUILD", "1");
            env.put("EXECUTOR_PG_PORT", String.valueOf(ports.get("pg")));
            env.put("EXECUTOR_KAFKA_PORT", String.valueOf(ports.get("kafka")));
            env.put("EXECUTOR_KEYCLOAK_PORT", String.valueOf(ports.get("keycloak")));
            env.put("EXECUTOR_KEYCLOAK_MGMT_PORT", String.valueOf(ports.get("keycloak-mgmt")));
            env.put("EXECUTOR_GATEWAY_PORT", String.valueOf(ports.get("gateway")));
            env.put("EXECUTOR_CATALOG_PORT", String.valueOf(ports.get("catalog")));
            env.put("EXECUTOR_POLICY_PORT", String.valueOf(ports.get("policy")));
            env.put("EXECUTOR_SECRETS_PORT", String.valueOf(ports.get("secrets")));
            env.put("EXECUTOR_INVOKER_PORT", String.valueOf(ports.get("invoker")));
            env.put("EXECUTOR_LEDGER_PORT", String.valueOf(ports.get("ledger")));
            env.put("EXECUTOR_INFRA_TIMEOUT", "300");
            env.put("EXECUTOR_SERVICE_TIMEOUT", "240");
            // A Run whose invoker was killed is failed after the lease (call timeout + margin): a
            // short margin keeps the fault scenarios (FaultsIT) quick.
            // Secrets mounted as files (as Kubernetes does) live under secretsDir(): file:// refs resolve there.
            env.put("EXECUTOR_JAVA_OPTS", "-Dinvoker.call.lease-margin=5s -Dinvoker.call.recovery-every=2s "
                    + "-Dsecrets-proxy.providers.file.roots=" + secretsDir() + " -Dinvoker.mcp.stdio.allowed-commands=node");
            Process process = builder.start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("./executor " + command + " did not finish in " + timeout + ":\n" + Files.readString(log));
            }
            String output = Files.readString(log);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("./executor " + command + " failed:\n" + output + "\n" + logs());
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String logs() {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(home.resolve("logs"))) {
            for (Path f : files.toList()) {
                String text = Files.readString(f);
                out.append("---- ").append(f.getFileName()).append(" (last 3000 chars)\n")
                        .append(text.substring(Math.max(0, text.length() - 3000))).append('\n');
            }
        } catch (IOException e) {
            out.append("(no logs: ").append(e.getMessage()).append(")");
        }
        return out.toString();
    }

    public String url(String service) {
        return "http://127.0.0.1:" + ports.get(service);
    }

    /** Where tests put secret files that connections reference as {@code file://} (the secrets-proxy's file root). */
    public Path secretsDir() {
        return home.resolve("secrets");
    }

    /** The port of an extra replica started by {@code ./executor scale} (e.g. {@code mcp-gateway.2}). */
    public int replicaPort(String component) {
        try {
            return Integer.parseInt(Files.readString(home.resolve("run/" + component + ".port")).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrap() {
        return "127.0.0.1:" + ports.get("kafka");
    }

    // ---- tokens, as users get them from Keycloak --------------------------------------------

    public String userToken(String user, String password) {
        return token("grant_type=password&client_id=executor-cli&username=" + user + "&password=" + password);
    }

    public String agentToken() {
        return token("grant_type=client_credentials&client_id=executor-agent&client_secret=executor-agent-secret");
    }

    private String token(String form) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url("keycloak") + "/realms/executor/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Keycloak refused a token: " + r.statusCode() + " " + r.body());
        }
        return json(r.body()).get("access_token").asText();
    }

    // ---- HTTP --------------------------------------------------------------------------------

    public HttpResponse<String> get(String url, String token) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build());
    }

    public HttpResponse<String> delete(String url, String token) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).DELETE().build());
    }

    public HttpResponse<String> post(String url, String token, Object body) {
        String text;
        try {
            text = body instanceof String s ? s : JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(text)).build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
