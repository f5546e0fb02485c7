package dev.executor.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The repository as the deploy tests see it: the rendered overlays, the six services'
 * application.properties and the topic names in contracts.
 */
final class Repo {

    static final List<String> SERVICES = List.of(
            "mcp-gateway", "catalog-service", "policy-service", "secrets-proxy", "invoker-service", "run-ledger");
    static final List<String> OVERLAYS = List.of("overlays/dev", "overlays/prod");

    static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

    private Repo() {
    }

    /** The deploy module's directory (surefire runs in it; -f deploy/pom.xml too). */
    static Path deployDir() {
        Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        if (!Files.exists(dir.resolve("base/kustomization.yaml"))) {
            dir = Path.of("").toAbsolutePath();
        }
        return dir;
    }

    static Path root() {
        return deployDir().getParent();
    }

    /** Every object of `kubectl kustomize <overlay>`; the test is skipped (aborted) when kubectl is absent. */
    static List<JsonNode> render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, Repo::kustomize);
    }

    private static List<JsonNode> kustomize(String overlay) {
        String kubectl = findOnPath("kubectl");
        Assumptions.assumeTrue(kubectl != null,
                "kubectl is not on the PATH: the overlays cannot be rendered, so the deploy checks are SKIPPED."
                        + " Install kubectl (it renders offline) to run them.");
        try {
            Path out = Files.createTempFile("kustomize", ".yaml");
            Process p = new ProcessBuilder(kubectl, "kustomize", deployDir().resolve(overlay).toString())
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
            String err;
            try (InputStream e = p.getErrorStream()) {
                err = new String(e.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("kubectl kustomize " + overlay + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                fail("kubectl kustomize " + overlay + " failed: " + err);
            }
            List<JsonNode> docs = new ArrayList<>();
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(out.toFile())) {
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                        docs.add(doc);
                    }
                }
            }
            Files.delete(out);
            return List.copyOf(docs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String findOnPath(String tool) {
        String explicit = System.getenv("KUBECTL");
        if (explicit != null && Files.isExecutable(Path.of(explicit))) {
            return explicit;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return Files.isExecutable(Path.of("/usr/bin", tool)) ? "/usr/bin/" + tool : null;
    }

    static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    static JsonNode named(List<JsonNode> docs, String kind, String name) {
        return ofKind(docs, kind).stream()
                .filter(d -> name.equals(d.path("metadata").path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    /** A service's main application.properties. */
    static Properties properties(String service) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(propertiesPath(service))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static Path propertiesPath(String service) {
        return root().resolve(service).resolve("src/main/resources/application.properties");
    }

    static boolean usesDatabase(String service) {
        return properties(service).containsKey("quarkus.datasource.db-kind");
    }

    static boolean usesKafka(String service) {
        Properties p = properties(service);
        return p.stringPropertyNames().stream()
                .anyMatch(k -> k.startsWith("mp.messaging.") || k.equals("kafka.bootstrap.servers"));
    }

    static int httpPort(String service) {
        return Integer.parseInt(properties(service).getProperty("quarkus.http.port"));
    }

    /** Topic names a service's channels name (not test profiles). */
    static Map<String, String> channelTopics(String service) {
        Map<String, String> topics = new LinkedHashMap<>();
        Properties p = properties(service);
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            if (key.matches("mp\\.messaging\\.(incoming|outgoing)\\.[^.]+\\.(dead-letter-queue\\.)?topic")) {
                topics.put(key, p.getProperty(key));
            }
        }
        return topics;
    }

    /** The string constants naming topics in contracts' Topics.java (the code's list of topics). */
    static List<String> contractTopics() {
        Path topics = root().resolve("contracts/src/main/java/dev/executor/contracts/Topics.java");
        try {
            String source = Files.readString(topics);
            Matcher m = Pattern.compile("public static final String [A-Z_]+ = \"(executor\\.[a-z0-9.\\-]+)\";")
                    .matcher(source);
            List<String> names = new ArrayList<>();
            while (m.find()) {
                names.add(m.group(1));
            }
            if (names.isEmpty()) {
                fail("found no topic constants in " + topics);
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
