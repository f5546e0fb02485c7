package dev.executor.testsupport;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.executor.launcher.infra.KeycloakServer;

/** {@link Tokens} fetched from a real {@link KeycloakServer} (dev-only credentials of the realm file). */
final class KeycloakTokens implements Tokens {

    static final String CLI_CLIENT = "executor-cli";

    private final KeycloakServer keycloak;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    KeycloakTokens(KeycloakServer keycloak) {
        this.keycloak = keycloak;
    }

    @Override
    public String agent() {
        return service("executor-agent");
    }

    @Override
    public String admin() {
        return user("dev");
    }

    @Override
    public String approver() {
        return user("approver");
    }

    @Override
    public String viewer() {
        return user("viewer");
    }

    @Override
    public String service(String name) {
        return cached("client:" + name, () -> keycloak.clientCredentialsToken(name, name + "-secret"));
    }

    private String user(String username) {
        return cached("user:" + username, () -> keycloak.passwordToken(CLI_CLIENT, username, username));
    }

    private String cached(String key, Supplier<String> fetch) {
        Cached hit = cache.get(key);
        if (hit != null && Instant.now().isBefore(hit.refreshAt)) {
            return hit.token;
        }
        String token = fetch.get();
        long exp = ((Number) KeycloakServer.claims(token).get("exp")).longValue();
        cache.put(key, new Cached(token, Instant.ofEpochSecond(exp).minusSeconds(60)));
        return token;
    }

    private record Cached(String token, Instant refreshAt) {
    }
}
