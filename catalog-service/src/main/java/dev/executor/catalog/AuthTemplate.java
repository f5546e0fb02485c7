package dev.executor.catalog;

import java.util.List;

/**
 * How a tool wants its credential injected: a template only, never a secret or a SecretRef.
 *
 * @param type "none", "bearer", "basic", "api_key", "oauth2" or "custom_header"
 * @param location where an api_key goes: "header", "query" or "cookie"; empty otherwise
 * @param parameterName header, query parameter or cookie name; empty otherwise
 * @param oauthScopes OAuth2 scopes the tool needs
 */
public record AuthTemplate(String type, String location, String parameterName, List<String> oauthScopes) {

    public static final AuthTemplate NONE = new AuthTemplate("none", "", "", List.of());

    public AuthTemplate {
        location = location == null ? "" : location;
        parameterName = parameterName == null ? "" : parameterName;
        oauthScopes = oauthScopes == null ? List.of() : List.copyOf(oauthScopes);
    }
}
