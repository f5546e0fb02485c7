package dev.executor.launcher.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One Keycloak start for the whole class: it is the slow one. */
class KeycloakServerTest {

    private static KeycloakServer keycloak;

    @BeforeAll
    static void startKeycloak() {
        long started = System.nanoTime();
        keycloak = KeycloakServer.builder().build().start();
        System.out.printf("Keycloak ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    static void stopKeycloak() {
        // Given
        int port = keycloak.port();
        int managementPort = keycloak.managementPort();
        ProcessHandle kc = ProcessHandle.of(keycloak.pid()).orElseThrow();
        List<ProcessHandle> tree = kc.descendants().toList();
        Path log = keycloak.logFile();

        // When
        keycloak.stop();

        // Then
        assertFalse(FreePorts.isListening(port));
        assertFalse(FreePorts.isListening(managementPort));
        assertFalse(kc.isAlive());
        assertTrue(tree.stream().noneMatch(ProcessHandle::isAlive));
        assertFalse(Files.exists(log));
    }

    @Test
    void issuesAnAgentTokenWithTheAgentRoleOnly() {
        // When
        Map<String, Object> claims = KeycloakServer.claims(
                keycloak.clientCredentialsToken("executor-agent", "executor-agent-secret"));

        // Then
        assertEquals(keycloak.issuerUrl(), claims.get("iss"));
        assertEquals("http://127.0.0.1:" + keycloak.port() + "/realms/executor", keycloak.issuerUrl());
        List<?> roles = (List<?>) claims.get("roles");
        assertTrue(roles.contains("executor-agent"), () -> "roles: " + roles);
        assertFalse(roles.contains("executor-admin"), () -> "roles: " + roles);
        assertFalse(roles.contains("executor-approver"), () -> "roles: " + roles);
        assertEquals(roles, ((Map<?, ?>) claims.get("realm_access")).get("roles"));
        assertEquals("acme", claims.get("executor_org"));
        assertEquals(List.of("payments"), claims.get("executor_workspaces"));
        assertEquals("service-account-executor-agent", claims.get("preferred_username"));
    }

    @Test
    void issuesADevUserTokenWithAdminApproverAndScopeClaims() {
        // When
        Map<String, Object> claims = KeycloakServer.claims(keycloak.passwordToken("executor-cli", "dev", "dev"));

        // Then
        List<?> roles = (List<?>) claims.get("roles");
        assertTrue(roles.containsAll(List.of("executor-admin", "executor-approver")), () -> "roles: " + roles);
        assertFalse(roles.contains("executor-agent"));
        assertEquals("dev", claims.get("preferred_username"));
        assertEquals("acme", claims.get("executor_org"));
        assertEquals(List.of("payments"), claims.get("executor_workspaces"));
        long lifetime = ((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue();
        assertEquals(900, lifetime);
    }

    @Test
    void givesTheViewerNoExecutorRoleAndServicesTheServiceRole() {
        // When
        Map<String, Object> viewer = KeycloakServer.claims(keycloak.passwordToken("executor-cli", "viewer", "viewer"));
        Map<String, Object> service = KeycloakServer.claims(
                keycloak.clientCredentialsToken("run-ledger", "run-ledger-secret"));

        // Then
        List<?> viewerRoles = (List<?>) viewer.getOrDefault("roles", List.of());
        assertTrue(viewerRoles.stream().noneMatch(r -> r.toString().startsWith("executor-")), () -> "roles: " + viewerRoles);
        assertEquals(List.of("executor-service"), service.get("roles"));
    }

    @Test
    void refusesAWrongPassword() {
        // When / Then
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> keycloak.passwordToken("executor-cli", "dev", "wrong"));
        assertTrue(e.getMessage().contains("invalid_grant"), e.getMessage());
    }
}
