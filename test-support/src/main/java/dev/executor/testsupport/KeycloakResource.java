package dev.executor.testsupport;

import java.util.Map;

import dev.executor.launcher.infra.KeycloakServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real Keycloak with realm {@code executor}, shared by every test class of the JVM (one start,
 * about 15 s; the very first on a machine about a minute), stopped by a JVM shutdown hook.
 *
 * <p>Sets {@code quarkus.oidc.auth-server-url} to the realm's issuer. Tokens for the realm's
 * principals: {@link #tokens()}.
 */
public class KeycloakResource implements QuarkusTestResourceLifecycleManager {

    private static KeycloakServer server;
    private static Tokens tokens;

    /** The shared server, started on first use. */
    public static synchronized KeycloakServer server() {
        if (server == null) {
            server = KeycloakServer.builder().build().start();
            tokens = new KeycloakTokens(server);
        }
        return server;
    }

    /** Real tokens from the shared Keycloak (started if needed). */
    public static synchronized Tokens tokens() {
        server();
        return tokens;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.oidc.auth-server-url", server().issuerUrl());
    }

    @Override
    public void stop() {
        // shared by the JVM's test classes: the server's shutdown hook stops it
    }
}
