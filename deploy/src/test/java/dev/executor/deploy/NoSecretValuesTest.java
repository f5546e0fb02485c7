package dev.executor.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Manifests carry references to secrets, never a secret value (issue 10). */
class NoSecretValuesTest {

    private static final Pattern SECRETISH = Pattern.compile("(?i).*(password|passwd|secret|token|api[-_]?key|credential|private[-_]?key).*");
    /** Keys whose values name a secret rather than hold one. */
    private static final Set<String> REFERENCE_KEYS = Set.of("secretName", "name", "key", "kind", "apiVersion", "path",
            "mountPath", "cluster", "owner");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[A-Z0-9_]+\\}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** secrets-proxy is a service name, not a secret. */
    private static boolean secretish(String name) {
        return SECRETISH.matcher(name.replaceAll("(?i)secrets[-_]proxy", "")).matches();
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void noManifestContainsASecretValue(String overlay) {
        // Given
        List<JsonNode> docs = Repo.render(overlay);
        List<String> leaks = new ArrayList<>();

        // When
        for (JsonNode doc : docs) {
            String where = doc.path("kind").asText() + " " + doc.path("metadata").path("name").asText();
            if (doc.path("kind").asText().equals("Secret")) {
                if (!doc.path("data").isEmpty() || !doc.path("stringData").isEmpty()) {
                    leaks.add(where + ": a Secret with data (create it out of band, see deploy/README.md)");
                }
            }
            if (doc.path("kind").asText().equals("ConfigMap")) {
                if (!doc.path("binaryData").isEmpty()) {
                    leaks.add(where + ": binaryData (base64) in a ConfigMap");
                }
                doc.path("data").properties().forEach(e -> {
                    if (secretish(e.getKey())) {
                        leaks.add(where + ": ConfigMap key " + e.getKey() + " looks like a credential");
                    }
                    if (e.getKey().endsWith(".json")) {
                        realm(where, e.getValue().asText(), leaks);
                    }
                });
            }
            scan(doc, "", where, leaks);
        }
        String text = docs.toString();
        for (String devSecret : launcherClientSecrets()) {
            if (text.contains(devSecret)) {
                leaks.add("the launcher's dev client secret " + devSecret + " appears in the manifests");
            }
        }

        // Then
        assertTrue(leaks.isEmpty(), overlay + ": " + String.join("\n  ", leaks));
    }

    /** Literal scalar under a secret-looking key (password: x, secret: y, env value of X_PASSWORD). */
    private static void scan(JsonNode node, String key, String where, List<String> leaks) {
        if (node.isObject()) {
            String envName = node.path("name").asText();
            if (node.has("value") && node.path("value").isValueNode() && secretish(envName)) {
                leaks.add(where + ": literal value for " + envName);
            }
            node.properties().forEach(e -> scan(e.getValue(), e.getKey(), where, leaks));
        } else if (node.isArray()) {
            node.forEach(n -> scan(n, key, where, leaks));
        } else if (node.isValueNode() && !node.isNull() && secretish(key) && !REFERENCE_KEYS.contains(key)
                && !key.endsWith("Name") && !key.endsWith("Ref") && !node.isBoolean()) {
            leaks.add(where + ": " + key + ": <literal>");
        }
    }

    /** A realm file: every client secret is an environment placeholder and no user has a credential. */
    private static void realm(String where, String json, List<String> leaks) {
        try {
            JsonNode realm = JSON.readTree(json);
            for (JsonNode client : realm.path("clients")) {
                String secret = client.path("secret").asText("");
                if (!secret.isEmpty() && !PLACEHOLDER.matcher(secret).matches()) {
                    leaks.add(where + ": client " + client.path("clientId").asText() + " has a literal secret");
                }
            }
            for (JsonNode user : realm.path("users")) {
                if (!user.path("credentials").isEmpty()) {
                    leaks.add(where + ": user " + user.path("username").asText() + " has credentials");
                }
            }
        } catch (IOException e) {
            leaks.add(where + ": unreadable JSON " + e.getMessage());
        }
    }

    private static List<String> launcherClientSecrets() {
        try {
            JsonNode realm = JSON.readTree(Files.readString(GeneratedManifestsTest.launcherRealm()));
            List<String> secrets = new ArrayList<>();
            realm.path("clients").forEach(c -> {
                if (!c.path("secret").asText("").isEmpty()) {
                    secrets.add(c.path("secret").asText());
                }
            });
            return secrets;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
