package dev.executor.catalog.source.mcp;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.ImportException.Kind;
import dev.executor.catalog.source.UpstreamHttp;

/**
 * Turns an MCP server's 401/403 into a message saying which credential it wants: the
 * {@code WWW-Authenticate} scheme and parameters and, per the MCP authorization spec (RFC 9728),
 * the protected resource metadata it points to (authorization servers, scopes). The metadata is
 * only fetched from the MCP server's own origin, and within a small size limit.
 */
final class AuthChallenge {

    private static final Pattern PARAM = Pattern.compile("([A-Za-z0-9_-]+)\\s*=\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[^\\s,]+)");
    private static final int METADATA_MAX_BYTES = 64 * 1024;

    private AuthChallenge() {
    }

    static ImportException describe(URI server, int status, String challenge, UpstreamHttp http, ObjectMapper json, Duration timeout) {
        StringBuilder m = new StringBuilder(server.toString()).append(" answered ").append(status);
        String scheme = challenge.isBlank() ? "" : challenge.trim().split("[\\s,]", 2)[0];
        Map<String, String> params = params(challenge);
        if (status == 403) {
            m.append(": the credential is missing a permission");
        } else if (scheme.equalsIgnoreCase("bearer")) {
            m.append(": it needs an OAuth bearer token");
        } else if (scheme.equalsIgnoreCase("basic")) {
            m.append(": it needs a username and password (HTTP basic)");
        } else {
            m.append(": it needs a credential");
        }
        List<String> facts = new ArrayList<>();
        if (!challenge.isBlank()) {
            facts.add("WWW-Authenticate: " + McpSession.clip(challenge));
        }
        if (params.containsKey("scope")) {
            facts.add("scopes " + McpSession.clip(params.get("scope")));
        }
        String metadataUrl = params.get("resource_metadata");
        if (metadataUrl != null) {
            facts.addAll(metadata(server, metadataUrl, http, json, timeout));
        }
        if (!facts.isEmpty()) {
            m.append(" (").append(String.join("; ", facts)).append(')');
        }
        m.append(". Add a connection with that credential to this source, then refresh it.");
        return new ImportException(Kind.AUTH_REQUIRED, m.toString());
    }

    private static List<String> metadata(URI server, String url, UpstreamHttp http, ObjectMapper json, Duration timeout) {
        List<String> out = new ArrayList<>();
        out.add("resource metadata " + McpSession.clip(url));
        URI uri;
        try {
            uri = server.resolve(url);
        } catch (IllegalArgumentException e) {
            return out;
        }
        if (!uri.getScheme().equalsIgnoreCase(server.getScheme()) || !McpSession.hostOf(uri).equalsIgnoreCase(McpSession.hostOf(server))) {
            return out; // not fetched: the catalog only talks to the server it was given
        }
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    return out;
                }
                byte[] bytes = in.readNBytes(METADATA_MAX_BYTES + 1);
                if (bytes.length > METADATA_MAX_BYTES) {
                    return out;
                }
                JsonNode doc = json.readTree(new String(bytes, StandardCharsets.UTF_8));
                List<String> servers = texts(doc.path("authorization_servers"));
                if (!servers.isEmpty()) {
                    out.add("authorization server " + McpSession.clip(String.join(", ", servers)));
                }
                List<String> scopes = texts(doc.path("scopes_supported"));
                if (!scopes.isEmpty()) {
                    out.add("scopes supported " + McpSession.clip(String.join(" ", scopes)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The challenge alone still says what is needed.
        }
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> {
            if (n.isTextual()) {
                out.add(n.asText());
            }
        });
        return out;
    }

    static Map<String, String> params(String challenge) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            String value = m.group(3) != null ? m.group(3).replaceAll("\\\\(.)", "$1") : m.group(2);
            out.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), value);
        }
        return out;
    }
}
