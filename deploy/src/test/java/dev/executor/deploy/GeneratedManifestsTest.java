package dev.executor.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The generated parts of deploy/base are what the build generates: each service's kubernetes.yml
 * (Quarkus Kubernetes extension) and the Keycloak realm (derived from the launcher's dev realm).
 * Run with -Ddeploy.regenerate=true (deploy/generate.sh) to rewrite them instead of comparing.
 */
class GeneratedManifestsTest {

    static final List<String> SERVICES = Repo.SERVICES;
    private static final boolean REGENERATE = Boolean.getBoolean("deploy.regenerate");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @ParameterizedTest
    @FieldSource("SERVICES")
    void committedServiceManifestIsWhatTheBuildGenerates(String service) throws IOException {
        // Given
        Path generated = Repo.root().resolve(service).resolve("target/kubernetes/kubernetes.yml");
        Path committed = Repo.deployDir().resolve("base").resolve(service).resolve("kubernetes.yml");
        Assumptions.assumeTrue(Files.exists(generated), service + ": " + generated
                + " does not exist, so staleness is NOT checked; build the service first (./mvnw package, or deploy/generate.sh)");
        Assumptions.assumeTrue(REGENERATE
                        || Files.getLastModifiedTime(generated).compareTo(Files.getLastModifiedTime(Repo.propertiesPath(service))) >= 0,
                service + ": target/kubernetes is older than application.properties, so staleness is NOT checked; rebuild it");

        // When
        String expected = normalize(Files.readString(generated));
        String actual = Files.exists(committed) ? normalize(Files.readString(committed)) : "";
        List<JsonNode> expectedDocs = documents(expected);
        List<JsonNode> actualDocs = documents(actual);

        // Then
        if (REGENERATE) {
            if (!expectedDocs.equals(actualDocs)) {
                Files.writeString(committed, expected, StandardCharsets.UTF_8);
            }
            return;
        }
        assertEquals(expectedDocs, actualDocs, "deploy/base/" + service + "/kubernetes.yml is stale ("
                + firstDifference(expectedDocs, actualDocs) + "): run deploy/generate.sh and commit the result");
    }

    @Test
    void committedRealmIsTheLauncherRealmWithoutSecrets() throws IOException {
        // Given
        Path committed = Repo.deployDir().resolve("base/keycloak/executor-realm.json");

        // When
        String expected = realmForKubernetes(Files.readString(launcherRealm()));

        // Then
        if (REGENERATE) {
            Files.writeString(committed, expected, StandardCharsets.UTF_8);
            return;
        }
        assertEquals(expected, Files.exists(committed) ? Files.readString(committed) : "",
                "deploy/base/keycloak/executor-realm.json is stale: run deploy/generate.sh");
        assertTrue(expected.contains("${EXECUTOR_AGENT_CLIENT_SECRET}"), "client secrets must become placeholders");
    }

    static Path launcherRealm() {
        return Repo.root().resolve("launcher/src/main/resources/dev/executor/launcher/executor-realm.json");
    }

    /**
     * The launcher's dev realm, fit for a cluster: each client secret becomes the placeholder
     * ${<CLIENT_ID>_CLIENT_SECRET} (Keycloak resolves it from its environment at import) and
     * users other than service accounts (the dev users, with dev passwords) are dropped.
     */
    static String realmForKubernetes(String launcherJson) throws IOException {
        ObjectNode realm = (ObjectNode) JSON.readTree(launcherJson);
        for (JsonNode client : realm.path("clients")) {
            if (client.has("secret")) {
                String id = client.path("clientId").asText().toUpperCase().replaceAll("[^A-Z0-9]", "_");
                ((ObjectNode) client).put("secret", "${" + id + "_CLIENT_SECRET}");
            }
        }
        ArrayNode users = JSON.createArrayNode();
        for (JsonNode user : realm.path("users")) {
            if (user.has("serviceAccountClientId")) {
                ((ObjectNode) user).remove("credentials");
                users.add(user);
            }
        }
        realm.set("users", users);
        return JSON.writeValueAsString(realm) + "\n";
    }

    /**
     * Drops what differs between two builds of the same sources: build timestamp and commit id
     * (absent with quarkus.kubernetes.idempotent, dropped anyway).
     */
    static String normalize(String yaml) {
        return yaml.replace("\r\n", "\n").lines()
                .filter(l -> !l.contains("app.quarkus.io/build-timestamp") && !l.contains("app.quarkus.io/commit-id"))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    /**
     * The YAML documents as trees: compared as data, not text, because the extension writes label
     * maps in an order that varies between builds (objects compare regardless of key order; lists
     * keep theirs).
     */
    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = Repo.YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    private static String firstDifference(List<JsonNode> expected, List<JsonNode> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                return "document " + (i + 1) + ", " + expected.get(i).path("kind").asText() + " "
                        + expected.get(i).path("metadata").path("name").asText() + ", differs";
            }
        }
        return expected.size() + " document(s) generated, " + actual.size() + " committed";
    }
}
