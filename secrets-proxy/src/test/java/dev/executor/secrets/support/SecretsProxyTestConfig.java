package dev.executor.secrets.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Test configuration that needs files: a stored-secret key ring of two AES-256 keys in key files
 * ({@code k1}, and {@code k2} active, so rotation can be exercised) and a {@code file://} root.
 */
public class SecretsProxyTestConfig implements QuarkusTestResourceLifecycleManager {

    private static Path dir;

    public static synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("secrets-proxy-test");
                Files.createDirectories(dir.resolve("secrets"));
                for (String id : new String[] { "k1", "k2" }) {
                    byte[] key = new byte[32];
                    new SecureRandom().nextBytes(key);
                    Files.writeString(dir.resolve(id), Base64.getEncoder().encodeToString(key));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return dir;
    }

    /** The {@code file://} root the service accepts. */
    public static Path secretsRoot() {
        return dir().resolve("secrets");
    }

    @Override
    public Map<String, String> start() {
        Path d = dir();
        return Map.of(
                "secrets-proxy.stored.keys", "k1=file:" + d.resolve("k1") + ",k2=file:" + d.resolve("k2"),
                "secrets-proxy.stored.active-key", "k2",
                "secrets-proxy.providers.file.roots", secretsRoot().toString());
    }

    @Override
    public void stop() {
        // temp files are left to the OS; they hold test keys only
    }
}
