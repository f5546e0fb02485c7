package dev.executor.invoker.lane.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.v1.HttpBinding;
import dev.executor.catalog.v1.HttpParameter;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.Lane;
import dev.executor.invoker.lane.LaneCall;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.LaneResult;
import dev.executor.invoker.lane.Upstream;
import dev.executor.secrets.v1.ForwardResponse;
import dev.executor.secrets.v1.Header;
import io.smallrye.mutiny.Uni;

/**
 * The lane of OpenAPI tools: builds the HTTP request from the binding (path, query, header and
 * cookie parameters, JSON / form / multipart body) and sends it through secrets-proxy. A 2xx answer
 * is the output (JSON parsed, other text as a string); anything else fails the Run with the upstream
 * status and the start of its body (already redacted by the proxy).
 */
@ApplicationScoped
public class HttpLane implements Lane {

    private static final int ERROR_BODY_CHARS = 2000;

    private final Upstream upstream;
    private final ObjectMapper json;

    public HttpLane(Upstream upstream, ObjectMapper json) {
        this.upstream = upstream;
        this.json = json;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public Uni<LaneResult> execute(LaneCall call) {
        return Uni.createFrom().deferred(() -> upstream.forward(call, request(call)))
                .map(response -> result(call, response, json));
    }

    /** The upstream request for {@code call}; public for tests of the encoding rules. */
    public Upstream.Request request(LaneCall call) {
        HttpBinding binding = call.tool().getLane().getHttp();
        String base = call.tool().getSource().getBaseUrl();
        if (base.isBlank()) {
            throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "Source " + call.tool().getSource().getName()
                    + " declares no server URL; an admin must set one before its tools can run.");
        }
        ObjectNode args = call.arguments();
        String path = binding.getPathTemplate();
        StringBuilder query = new StringBuilder();
        List<Header> headers = new ArrayList<>();
        List<String> cookies = new ArrayList<>();
        for (HttpParameter p : binding.getParametersList()) {
            JsonNode value = args.get(p.getArgument().isEmpty() ? p.getName() : p.getArgument());
            if (value == null || value.isNull()) {
                continue;
            }
            switch (p.getLocation()) {
                case PATH -> path = path.replace("{" + p.getName() + "}", pathSegment(scalar(value)));
                case QUERY -> {
                    if (value.isArray()) {
                        value.forEach(v -> appendQuery(query, p.getName(), scalar(v)));
                    } else if (value.isObject()) {
                        value.fields().forEachRemaining(f -> appendQuery(query, p.getName() + "[" + f.getKey() + "]", scalar(f.getValue())));
                    } else {
                        appendQuery(query, p.getName(), scalar(value));
                    }
                }
                case HEADER -> headers.add(Header.newBuilder().setName(p.getName()).setValue(headerValue(value)).build());
                case COOKIE -> cookies.add(p.getName() + "=" + URLEncoder.encode(scalar(value), StandardCharsets.UTF_8).replace("+", "%20"));
                default -> {
                }
            }
        }
        if (path.contains("{") && path.matches(".*\\{[^}]+}.*")) {
            throw new LaneException(ErrorReasons.INVALID_ARGUMENTS, "The path " + binding.getPathTemplate()
                    + " needs a value for every {parameter}; one is missing.");
        }
        if (!cookies.isEmpty()) {
            headers.add(Header.newBuilder().setName("Cookie").setValue(String.join("; ", cookies)).build());
        }
        headers.add(Header.newBuilder().setName("Accept").setValue("application/json, */*;q=0.5").build());
        byte[] body = null;
        JsonNode bodyValue = body(binding, args);
        if (bodyValue != null) {
            String type = binding.getBodyContentType().isBlank() ? "application/json" : binding.getBodyContentType();
            String mediaType = type.toLowerCase(Locale.ROOT);
            if (mediaType.startsWith("application/x-www-form-urlencoded")) {
                body = form(bodyValue).getBytes(StandardCharsets.UTF_8);
            } else if (mediaType.startsWith("multipart/form-data")) {
                String boundary = "executor-" + UUID.randomUUID();
                body = multipart(bodyValue, boundary);
                type = "multipart/form-data; boundary=" + boundary;
            } else if (mediaType.contains("json")) {
                body = bodyValue.toString().getBytes(StandardCharsets.UTF_8);
            } else {
                body = (bodyValue.isTextual() ? bodyValue.asText() : bodyValue.toString()).getBytes(StandardCharsets.UTF_8);
            }
            headers.add(Header.newBuilder().setName("Content-Type").setValue(type).build());
        }
        String url = trimSlash(base) + (path.startsWith("/") ? path : "/" + path) + (query.isEmpty() ? "" : "?" + query);
        return new Upstream.Request(binding.getMethod(), url, headers, body);
    }

    private static JsonNode body(HttpBinding binding, ObjectNode args) {
        if (!binding.getBodyPropertiesList().isEmpty()) {
            ObjectNode object = args.objectNode();
            for (String name : binding.getBodyPropertiesList()) {
                if (args.has(name)) {
                    object.set(name, args.get(name));
                }
            }
            return object;
        }
        if (!binding.getBodyArgument().isEmpty()) {
            JsonNode value = args.get(binding.getBodyArgument());
            return value == null || value.isNull() ? null : value;
        }
        return null;
    }

    static LaneResult result(LaneCall call, ForwardResponse response, ObjectMapper json) {
        String contentType = response.getHeadersList().stream().filter(h -> h.getName().equalsIgnoreCase("content-type"))
                .map(Header::getValue).findFirst().orElse("").toLowerCase(Locale.ROOT);
        String text = response.getBody().toStringUtf8();
        int status = response.getStatus();
        if (status < 200 || status >= 300) {
            ObjectNode detail = json.createObjectNode();
            detail.put("upstream_status", String.valueOf(status));
            if (!text.isBlank()) {
                detail.put("upstream_body", text.length() > ERROR_BODY_CHARS ? text.substring(0, ERROR_BODY_CHARS) + "…" : text);
            }
            String address = call.tool().getSource().getName() + " tool " + call.tool().getTool().getName();
            if (status == 401) {
                return fail(ErrorReasons.NEEDS_REAUTHORIZATION, address + " was refused with 401: the connection's credential "
                        + "is missing, wrong or expired; an admin must update the connection.", detail, false);
            }
            boolean retryable = status == 408 || status == 429 || status == 502 || status == 503 || status == 504;
            return fail(ErrorReasons.UPSTREAM_ERROR, address + " answered HTTP " + status + (status == 403
                    ? " (forbidden: the connection's credential lacks the permission)" : status == 404 ? " (not found)" : "")
                    + ".", detail, retryable);
        }
        if (response.getTruncated()) {
            throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The upstream's answer is larger than secrets-proxy's size limit "
                    + "and was cut; narrow the request (e.g. page size).");
        }
        if (text.isBlank()) {
            return LaneResult.of(json.nullNode());
        }
        if (contentType.contains("json") || contentType.isEmpty()) {
            try {
                return LaneResult.of(json.readTree(text));
            } catch (Exception e) {
                if (!contentType.isEmpty()) {
                    throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The upstream said it answered JSON but the body is not valid JSON.");
                }
            }
        }
        return LaneResult.of(json.getNodeFactory().textNode(text));
    }

    private static LaneResult fail(String reason, String message, ObjectNode detail, boolean retryable) {
        throw new LaneException(reason, message, detail, retryable);
    }

    private static String scalar(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private static String headerValue(JsonNode value) {
        if (value.isArray()) {
            List<String> parts = new ArrayList<>();
            value.forEach(v -> parts.add(scalar(v)));
            return String.join(",", parts);
        }
        String text = scalar(value);
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
            throw new LaneException(ErrorReasons.INVALID_ARGUMENTS, "A header value may not contain line breaks.");
        }
        return text;
    }

    private static void appendQuery(StringBuilder query, String name, String value) {
        if (!query.isEmpty()) {
            query.append('&');
        }
        query.append(URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    /** Percent-encodes a path parameter as one segment: a '/' or '..' in the value cannot change the path. */
    static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~")
                .replace(".", "%2E");
    }

    private static String form(JsonNode body) {
        StringBuilder out = new StringBuilder();
        if (body.isObject()) {
            body.fields().forEachRemaining(f -> {
                if (f.getValue().isArray()) {
                    f.getValue().forEach(v -> appendForm(out, f.getKey(), scalar(v)));
                } else if (!f.getValue().isNull()) {
                    appendForm(out, f.getKey(), scalar(f.getValue()));
                }
            });
        } else {
            out.append(URLEncoder.encode(scalar(body), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    private static void appendForm(StringBuilder out, String name, String value) {
        if (!out.isEmpty()) {
            out.append('&');
        }
        out.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    private static byte[] multipart(JsonNode body, String boundary) {
        StringBuilder out = new StringBuilder();
        if (body.isObject()) {
            body.fields().forEachRemaining(f -> {
                if (f.getValue().isNull()) {
                    return;
                }
                String name = f.getKey().replace("\"", "%22").replace("\r", "").replace("\n", "");
                out.append("--").append(boundary).append("\r\n");
                out.append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n");
                if (f.getValue().isContainerNode()) {
                    out.append("Content-Type: application/json\r\n\r\n").append(f.getValue().toString());
                } else {
                    out.append("\r\n").append(f.getValue().asText());
                }
                out.append("\r\n");
            });
        }
        out.append("--").append(boundary).append("--\r\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String trimSlash(String base) {
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
