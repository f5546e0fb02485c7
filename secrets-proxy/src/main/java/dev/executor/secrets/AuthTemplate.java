package dev.executor.secrets;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a connection's credential is put on a request: the auth template of the source, filled in.
 * Holds no secret: the values come from the connection's SecretRefs, one per {@link #slots() slot}.
 *
 * <table>
 * <tr><th>kind</th><th>fill</th><th>slots</th><th>injected as</th></tr>
 * <tr><td>{@code none}</td><td></td><td></td><td>nothing</td></tr>
 * <tr><td>{@code bearer}</td><td></td><td>{@code token}</td><td>{@code Authorization: Bearer <token>}</td></tr>
 * <tr><td>{@code api_key}</td><td>{@code in} (header, query, cookie), {@code name}</td><td>{@code key}</td><td>header / query parameter / cookie {@code name}</td></tr>
 * <tr><td>{@code basic}</td><td>{@code username}</td><td>{@code password}</td><td>{@code Authorization: Basic ...}</td></tr>
 * <tr><td>{@code oauth2_client_credentials}</td><td>{@code tokenUrl}, {@code clientId}, {@code scopes}, {@code clientAuth}</td><td>{@code client_secret}</td><td>{@code Authorization: Bearer <access token>}</td></tr>
 * <tr><td>{@code oauth2_authorization_code}</td><td>{@code tokenUrl}, {@code clientId}, {@code scopes}, {@code clientAuth}</td><td>{@code refresh_token}, optional {@code client_secret}</td><td>{@code Authorization: Bearer <access token>}, refreshed with the refresh token</td></tr>
 * </table>
 *
 * @param kind       one of the kinds above
 * @param in         api_key only: {@code header}, {@code query} or {@code cookie}
 * @param name       api_key only: header, query parameter or cookie name
 * @param username   basic only: the user name (not a secret)
 * @param tokenUrl   oauth2 only: the token endpoint; must be a declared host or allowed by an egress rule
 * @param clientId   oauth2 only: the client id (not a secret)
 * @param scopes     oauth2 only: scopes to request, may be empty
 * @param clientAuth oauth2 only: {@code basic} (client_secret_basic, default) or {@code post} (client_secret_post)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@io.quarkus.runtime.annotations.RegisterForReflection
public record AuthTemplate(
        @JsonProperty(required = true) String kind,
        String in,
        String name,
        String username,
        String tokenUrl,
        String clientId,
        List<String> scopes,
        String clientAuth) {

    public static final String NONE = "none";
    public static final String BEARER = "bearer";
    public static final String API_KEY = "api_key";
    public static final String BASIC = "basic";
    public static final String OAUTH2_CLIENT_CREDENTIALS = "oauth2_client_credentials";
    public static final String OAUTH2_AUTHORIZATION_CODE = "oauth2_authorization_code";
    public static final List<String> KINDS = List.of(NONE, BEARER, API_KEY, BASIC, OAUTH2_CLIENT_CREDENTIALS,
            OAUTH2_AUTHORIZATION_CODE);

    private static final Pattern TOKEN_CHARS = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    public AuthTemplate {
        kind = kind == null ? null : kind.toLowerCase(Locale.ROOT);
        in = in == null ? null : in.toLowerCase(Locale.ROOT);
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        clientAuth = clientAuth == null ? null : clientAuth.toLowerCase(Locale.ROOT);
    }

    public static AuthTemplate none() {
        return new AuthTemplate(NONE, null, null, null, null, null, List.of(), null);
    }

    public boolean isOAuth2() {
        return OAUTH2_CLIENT_CREDENTIALS.equals(kind) || OAUTH2_AUTHORIZATION_CODE.equals(kind);
    }

    /** Credential slots that must each get exactly one SecretRef or secret value. */
    public Set<String> slots() {
        return switch (kind) {
            case BEARER -> Set.of("token");
            case API_KEY -> Set.of("key");
            case BASIC -> Set.of("password");
            case OAUTH2_CLIENT_CREDENTIALS -> Set.of("client_secret");
            case OAUTH2_AUTHORIZATION_CODE -> Set.of("refresh_token");
            default -> Set.of();
        };
    }

    /** Slots that may be filled but need not be. */
    public Set<String> optionalSlots() {
        return OAUTH2_AUTHORIZATION_CODE.equals(kind) ? Set.of("client_secret") : Set.of();
    }

    /** Lower-case request headers the caller may not set, because the template owns them. */
    public Set<String> reservedHeaders() {
        return switch (kind) {
            case BEARER, BASIC, OAUTH2_CLIENT_CREDENTIALS, OAUTH2_AUTHORIZATION_CODE -> Set.of("authorization");
            case API_KEY -> switch (in) {
                case "header" -> Set.of(name.toLowerCase(Locale.ROOT));
                case "cookie" -> Set.of("cookie");
                default -> Set.of();
            };
            default -> Set.of();
        };
    }

    /** Checks the fill; throws {@link IllegalArgumentException} with a message a person can act on. */
    public void validate() {
        if (kind == null || !KINDS.contains(kind)) {
            throw new IllegalArgumentException("auth.kind must be one of " + KINDS);
        }
        switch (kind) {
            case API_KEY -> {
                if (!Set.of("header", "query", "cookie").contains(in == null ? "" : in)) {
                    throw new IllegalArgumentException("auth.in must be header, query or cookie for an api_key");
                }
                if (name == null || !TOKEN_CHARS.matcher(name).matches()) {
                    throw new IllegalArgumentException("auth.name must name the header, query parameter or cookie of the api_key");
                }
                if ("header".equals(in) && Set.of("host", "content-length", "transfer-encoding", "connection")
                        .contains(name.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("auth.name cannot be the " + name + " header");
                }
            }
            case BASIC -> {
                if (username == null || username.isEmpty() || username.contains(":")) {
                    throw new IllegalArgumentException("auth.username is required for basic auth and cannot contain ':'");
                }
            }
            case OAUTH2_CLIENT_CREDENTIALS, OAUTH2_AUTHORIZATION_CODE -> {
                URI uri;
                try {
                    uri = URI.create(tokenUrl == null ? "" : tokenUrl);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("auth.tokenUrl is not a valid URL");
                }
                if (uri.getHost() == null || !Set.of("http", "https").contains(String.valueOf(uri.getScheme()))
                        || uri.getRawUserInfo() != null) {
                    throw new IllegalArgumentException("auth.tokenUrl must be an absolute http(s) URL without user info");
                }
                if (clientId == null || clientId.isEmpty()) {
                    throw new IllegalArgumentException("auth.clientId is required for " + kind);
                }
                if (clientAuth != null && !Set.of("basic", "post").contains(clientAuth)) {
                    throw new IllegalArgumentException("auth.clientAuth must be basic or post");
                }
            }
            default -> {
            }
        }
    }
}
