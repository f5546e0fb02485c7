package dev.executor.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A fast in-JVM OIDC provider ({@link OidcStub}) for {@code @QuarkusTest}s that validate tokens
 * but need no real Keycloak. Shared by every test class of the JVM; tokens carry the same claims
 * as the real realm's.
 *
 * <p>Sets {@code quarkus.oidc.auth-server-url}. Tokens: {@link #tokens()}.
 */
public class OidcStubResource implements QuarkusTestResourceLifecycleManager {

    private static OidcStub stub;

    /** The shared stub, started on first use. */
    public static synchronized OidcStub stub() {
        if (stub == null) {
            stub = OidcStub.start();
        }
        return stub;
    }

    public static Tokens tokens() {
        return stub().tokens();
    }

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.oidc.auth-server-url", stub().issuerUrl());
    }

    @Override
    public void stop() {
        // shared by the JVM's test classes: the stub's shutdown hook stops it
    }
}
