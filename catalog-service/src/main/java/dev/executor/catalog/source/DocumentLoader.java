package dev.executor.catalog.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.yaml.snakeyaml.LoaderOptions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.executor.catalog.config.CatalogConfig;
import dev.executor.catalog.source.ImportException.Kind;

/**
 * Fetches and parses source documents within hard limits (size, nesting, YAML aliases), so a
 * hostile or broken document ends in a clear {@link ImportException}, never an exhausted heap or a
 * stack overflow. Thread-safe; blocking. Requests go out through {@link UpstreamHttp}.
 */
@ApplicationScoped
public class DocumentLoader {

    private final long maxBytes;
    private final Duration timeout;
    private final ObjectMapper json;
    private final ObjectMapper yaml;
    private final UpstreamHttp http;
    private final int maxDepth;

    @Inject
    public DocumentLoader(CatalogConfig config, UpstreamHttp http) {
        this(config.importing().maxDocumentBytes(), config.importing().maxNestingDepth(),
                config.importing().fetchTimeout(), http);
    }

    public DocumentLoader(long maxBytes, int maxDepth, Duration timeout) {
        this(maxBytes, maxDepth, timeout, new UpstreamHttp(timeout));
    }

    public DocumentLoader(long maxBytes, int maxDepth, Duration timeout, UpstreamHttp http) {
        this.http = http;
        this.maxBytes = maxBytes;
        this.maxDepth = maxDepth;
        this.timeout = timeout;
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(maxDepth)
                .maxDocumentLength(maxBytes)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxBytes))
                .build();
        this.json = new ObjectMapper(JsonFactory.builder().streamReadConstraints(constraints).build());
        LoaderOptions loader = new LoaderOptions();
        loader.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, maxBytes));
        loader.setMaxAliasesForCollections(50);
        loader.setNestingDepthLimit(maxDepth);
        loader.setAllowDuplicateKeys(false);
        this.yaml = new YAMLMapper(YAMLFactory.builder().loaderOptions(loader).streamReadConstraints(constraints).build());
    }

    public long maxBytes() {
        return maxBytes;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The one way out to the network (see {@link UpstreamHttp}). */
    public UpstreamHttp http() {
        return http;
    }

    public ObjectMapper jsonMapper() {
        return json;
    }

    /** The text of an inline document, or of the document at {@code config.url()}. */
    public String text(SourceConfig config) throws ImportException {
        if (config.hasInlineDocument()) {
            checkSize(config.inlineDocument().length());
            return config.inlineDocument();
        }
        if (config.hasUrl()) {
            return fetch(config.url(), null, Map.of());
        }
        throw new ImportException(Kind.INVALID_SPEC, "The source has neither a URL nor an inline document.");
    }

    /**
     * GETs (or POSTs {@code body} as JSON to) an http(s) URL, refusing other schemes, bodies over the
     * size limit, and answering auth failures with {@link Kind#AUTH_REQUIRED}.
     */
    public String fetch(String url, String jsonBody, Map<String, String> headers) throws ImportException {
        URI uri = parseHttpUri(url);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", jsonBody != null ? "application/json"
                        : "application/json, application/yaml, text/yaml, */*;q=0.5");
        headers.forEach(request::header);
        if (jsonBody != null) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new ImportException(Kind.UNREACHABLE, "Timed out connecting to " + hostOf(uri)
                    + " after " + timeout.toSeconds() + " s; check the URL and that the server is reachable from the catalog.");
        } catch (HttpTimeoutException e) {
            throw new ImportException(Kind.UNREACHABLE, uri + " did not answer within " + timeout.toSeconds() + " s.");
        } catch (ConnectException e) {
            throw new ImportException(Kind.UNREACHABLE, "Cannot connect to " + hostOf(uri)
                    + " (connection refused or host unknown); check the URL.");
        } catch (IOException e) {
            throw new ImportException(Kind.UNREACHABLE, "Cannot fetch " + uri + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImportException(Kind.UNREACHABLE, "Interrupted while fetching " + uri + ".");
        }
        int status = response.statusCode();
        try (InputStream body = response.body()) {
            if (status == 401 || status == 403) {
                String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
                throw new ImportException(Kind.AUTH_REQUIRED, uri + " answered " + status + needs(challenge)
                        + " Add a connection with that credential to this source, then refresh it.");
            }
            if (status >= 400) {
                throw new ImportException(Kind.UNREACHABLE, uri + " answered HTTP " + status + "; check the URL.");
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxBytes) {
                throw tooLarge(declared);
            }
            InputStream in = body;
            Optional<String> encoding = response.headers().firstValue("Content-Encoding");
            if (encoding.map(e -> e.toLowerCase(Locale.ROOT).contains("gzip")).orElse(false)) {
                in = new GZIPInputStream(body);
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw tooLarge(-1);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ImportException(Kind.UNREACHABLE, "Reading " + uri + " failed: " + e.getMessage());
        }
    }

    /** Parses JSON or YAML (chosen by the first non-blank character) into a tree. */
    public JsonNode parse(String text) throws ImportException {
        checkSize(text.length());
        String trimmed = text.stripLeading();
        boolean isJson = trimmed.startsWith("{") || trimmed.startsWith("[");
        try {
            JsonNode node = (isJson ? json : yaml).readTree(text);
            if (node == null || !node.isObject()) {
                throw new ImportException(Kind.INVALID_SPEC,
                        "The document is not a JSON or YAML object; expected an OpenAPI/Swagger or GraphQL document.");
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new ImportException(Kind.TOO_LARGE, "The document exceeds a parser limit (" + firstLine(e.getOriginalMessage())
                    + "); nesting deeper than " + maxDepth + " levels or larger than " + maxBytes + " bytes is refused.");
        } catch (JsonProcessingException e) {
            throw new ImportException(Kind.INVALID_SPEC, "The document is not valid " + (isJson ? "JSON" : "YAML") + ": "
                    + firstLine(e.getOriginalMessage()) + locationOf(e));
        } catch (RuntimeException e) {
            // SnakeYAML reports its own limits (aliases, nesting, code points) as runtime exceptions.
            throw new ImportException(Kind.INVALID_SPEC, "The document could not be read as " + (isJson ? "JSON" : "YAML") + ": "
                    + firstLine(String.valueOf(e.getMessage())));
        } catch (StackOverflowError e) {
            throw new ImportException(Kind.TOO_LARGE, "The document is nested too deeply to read.");
        }
    }

    private void checkSize(long length) throws ImportException {
        if (length > maxBytes) {
            throw tooLarge(length);
        }
    }

    private ImportException tooLarge(long length) {
        return new ImportException(Kind.TOO_LARGE, "The document is " + (length > 0 ? (length / (1024 * 1024)) + " MB" : "larger than the limit")
                + "; the limit is " + maxBytes / (1024 * 1024) + " MB (catalog.import.max-document-bytes).");
    }

    public static URI parseHttpUri(String url) throws ImportException {
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new ImportException(Kind.INVALID_SPEC, "'" + url + "' is not a valid URL.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new ImportException(Kind.INVALID_SPEC, "'" + url + "' is not an http(s) URL; only http and https documents can be fetched.");
        }
        return uri;
    }

    private static String hostOf(URI uri) {
        return uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    private static String needs(String challenge) {
        String c = challenge.toLowerCase(Locale.ROOT);
        if (c.startsWith("bearer")) {
            return ": it needs a bearer token.";
        }
        if (c.startsWith("basic")) {
            return ": it needs a username and password (HTTP basic).";
        }
        return challenge.isEmpty() ? ": it needs a credential." : ": it needs a credential (" + challenge + ").";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
