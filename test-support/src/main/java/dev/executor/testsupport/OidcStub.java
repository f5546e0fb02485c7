package dev.executor.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.executor.launcher.infra.FreePorts;

/**
 * A tiny OIDC provider for tests that need token validation but not a real Keycloak: a JDK
 * {@link HttpServer} on 127.0.0.1 serving the realm's discovery document, its JWKS (one RSA
 * key generated per instance) and a token endpoint (client credentials and password grants,
 * accepting the realm's dev credentials), and minting RS256 tokens with the same claims as the
 * real {@code executor} realm. Starts in milliseconds.
 *
 * <p>Thread-safe. {@link #stop()} closes the port; a JVM shutdown hook does it otherwise.
 */
public final class OidcStub implements AutoCloseable {

    public static final String REALM = "executor";
    public static final String AUDIENCE = "executor";
    public static final long LIFESPAN_SECONDS = 900;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SERVICES = List.of(
            "catalog-service", "policy-service", "secrets-proxy", "invoker-service", "run-ledger", "mcp-gateway");

    private final KeyPair keys;
    private final String kid = UUID.randomUUID().toString();
    private HttpServer server;
    private ExecutorService executor;
    private Thread shutdownHook;

    private OidcStub() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a stub on a free loopback port. */
    public static OidcStub start() {
        OidcStub stub = new OidcStub();
        try {
            stub.server = HttpServer.create(new InetSocketAddress(FreePorts.LOOPBACK, 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the OIDC stub", e);
        }
        String realmPath = "/realms/" + REALM;
        stub.server.createContext(realmPath + "/.well-known/openid-configuration", ex -> stub.respond(ex, 200, stub.discovery()));
        stub.server.createContext(realmPath + "/protocol/openid-connect/certs", ex -> stub.respond(ex, 200, stub.jwks()));
        stub.server.createContext(realmPath + "/protocol/openid-connect/token", stub::token);
        stub.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "oidc-stub");
            t.setDaemon(true);
            return t;
        });
        stub.server.setExecutor(stub.executor);
        stub.server.start();
        stub.shutdownHook = new Thread(stub::stop, "oidc-stub-stop");
        Runtime.getRuntime().addShutdownHook(stub.shutdownHook);
        return stub;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>/realms/executor}: {@code quarkus.oidc.auth-server-url}. */
    public String issuerUrl() {
        return "http://" + FreePorts.LOOPBACK + ":" + port() + "/realms/" + REALM;
    }

    /** Tokens for the realm's principals (same claims as {@link KeycloakResource#tokens()}). */
    public Tokens tokens() {
        return new Tokens() {
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
                if (name.equals("executor-agent")) {
                    return mint("service-account-executor-agent", name, List.of("executor-agent"), "acme", List.of("payments"));
                }
                return mint("service-account-" + name, name, List.of("executor-service"), null, List.of());
            }
        };
    }

    private String user(String username) {
        return switch (username) {
            case "dev" -> mint("dev", "executor-cli", List.of("executor-admin", "executor-approver"), "acme", List.of("payments"));
            case "approver" -> mint("approver", "executor-cli", List.of("executor-approver"), "acme", List.of("payments"));
            case "viewer" -> mint("viewer", "executor-cli", List.of(), null, List.of());
            default -> throw new IllegalArgumentException("No such user in the realm: " + username);
        };
    }

    /**
     * Mints a signed access token for any principal, e.g. one scoped to another org.
     *
     * @param username   {@code preferred_username}; also the seed of a stable {@code sub}
     * @param clientId   {@code azp}
     * @param roles      realm roles: {@code realm_access.roles} and {@code roles}
     * @param org        {@code executor_org}, omitted when null
     * @param workspaces {@code executor_workspaces}, omitted when empty
     */
    public String mint(String username, String clientId, List<String> roles, String org, List<String> workspaces) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("exp", now + LIFESPAN_SECONDS);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("iss", issuerUrl());
        claims.put("aud", AUDIENCE);
        claims.put("sub", UUID.nameUUIDFromBytes(username.getBytes(StandardCharsets.UTF_8)).toString());
        claims.put("typ", "Bearer");
        claims.put("azp", clientId);
        claims.put("realm_access", Map.of("roles", roles));
        claims.put("roles", roles);
        claims.put("scope", "email profile");
        claims.put("preferred_username", username);
        if (org != null) {
            claims.put("executor_org", org);
        }
        if (workspaces != null && !workspaces.isEmpty()) {
            claims.put("executor_workspaces", workspaces);
        }
        return sign(claims);
    }

    private String sign(Map<String, Object> claims) {
        try {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String header = b64.encodeToString(JSON.writeValueAsBytes(Map.of("alg", "RS256", "typ", "JWT", "kid", kid)));
            String payload = b64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(keys.getPrivate());
            rs256.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + b64.encodeToString(rs256.sign());
        } catch (GeneralSecurityException | JsonProcessingException e) {
            throw new IllegalStateException("Cannot sign a token", e);
        }
    }

    private Map<String, Object> discovery() {
        String issuer = issuerUrl();
        String oidc = issuer + "/protocol/openid-connect";
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer);
        doc.put("authorization_endpoint", oidc + "/auth");
        doc.put("token_endpoint", oidc + "/token");
        doc.put("jwks_uri", oidc + "/certs");
        doc.put("grant_types_supported", List.of("client_credentials", "password"));
        doc.put("response_types_supported", List.of("code"));
        doc.put("subject_types_supported", List.of("public"));
        doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
        doc.put("token_endpoint_auth_methods_supported", List.of("client_secret_post", "client_secret_basic"));
        return doc;
    }

    private Map<String, Object> jwks() {
        RSAPublicKey key = (RSAPublicKey) keys.getPublic();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return Map.of("keys", List.of(Map.of(
                "kty", "RSA", "use", "sig", "alg", "RS256", "kid", kid,
                "n", b64.encodeToString(unsigned(key.getModulus())),
                "e", b64.encodeToString(unsigned(key.getPublicExponent())))));
    }

    private void token(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, Map.of("error", "invalid_request"));
            return;
        }
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String grant = form.getOrDefault("grant_type", "");
        String clientId = form.getOrDefault("client_id", "");
        String token = null;
        if (grant.equals("client_credentials") && (clientId + "-secret").equals(form.get("client_secret"))
                && (clientId.equals("executor-agent") || SERVICES.contains(clientId))) {
            token = tokens().service(clientId);
        } else if (grant.equals("password") && clientId.equals("executor-cli")
                && List.of("dev", "approver", "viewer").contains(form.get("username"))
                && form.get("username").equals(form.get("password"))) {
            token = user(form.get("username"));
        }
        if (token == null) {
            respond(exchange, 400, Map.of("error", "invalid_grant"));
            return;
        }
        respond(exchange, 200, Map.of("access_token", token, "token_type", "Bearer", "expires_in", LIFESPAN_SECONDS));
    }

    private void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            byte[] trimmed = new byte[bytes.length - 1];
            System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
            return trimmed;
        }
        return bytes;
    }

    /** Closes the port. Idempotent. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        server = null;
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
        shutdownHook = null;
    }

    @Override
    public void close() {
        stop();
    }
}
