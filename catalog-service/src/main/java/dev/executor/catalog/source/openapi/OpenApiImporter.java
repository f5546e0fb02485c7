package dev.executor.catalog.source.openapi;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.AuthTemplate;
import dev.executor.catalog.Manifest;
import dev.executor.catalog.SideEffect;
import dev.executor.catalog.ToolBinding;
import dev.executor.catalog.ToolDefinition;
import dev.executor.catalog.source.DocumentLoader;
import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.ImportException.Kind;
import dev.executor.catalog.source.SourceConfig;
import dev.executor.catalog.source.SourceImporter;
import dev.executor.catalog.source.ToolNames;
import dev.executor.catalog.source.openapi.SchemaConverter.BrokenSchemaException;
import dev.executor.catalog.source.openapi.SchemaConverter.Mode;
import io.smallrye.common.annotation.Identifier;

/**
 * OpenAPI 3.0 / 3.1 and Swagger 2.0 documents (JSON or YAML, by URL or inline) → manifest: one tool
 * per operation.
 *
 * <p>3.x documents are normalized straight from the parsed JSON tree, which keeps 3.1's JSON Schema
 * keywords intact and imports GitHub's 13 MB description in well under a second. Swagger 2.0
 * documents are first converted to OpenAPI 3.0 by swagger-parser's converter (read without
 * resolving any reference), then normalized the same way. See README "Import rules".
 */
@ApplicationScoped
@Identifier("openapi")
public class OpenApiImporter implements SourceImporter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    /** Headers OpenAPI says are ignored when described as parameters: the lane sets them. */
    private static final Set<String> RESERVED_HEADERS = Set.of("accept", "content-type", "authorization");
    private static final int MAX_WARNINGS = 200;
    private static final int MAX_DESCRIPTION = 4000;

    private final DocumentLoader loader;

    public OpenApiImporter(DocumentLoader loader) {
        this.loader = loader;
    }

    @Override
    public Manifest importSource(SourceConfig config) throws ImportException {
        return normalize(loader.text(config), config);
    }

    /** Parses and normalizes a document's text; {@code config.url()} resolves relative server URLs. */
    public Manifest normalize(String text, SourceConfig config) throws ImportException {
        JsonNode doc = loader.parse(text);
        boolean openapi30;
        if (doc.hasNonNull("swagger")) {
            if (!doc.get("swagger").asText().startsWith("2")) {
                throw new ImportException(Kind.INVALID_SPEC, "Swagger version '" + doc.get("swagger").asText()
                        + "' is not supported; only Swagger 2.0 and OpenAPI 3.0/3.1 are.");
            }
            doc = Swagger2.toOpenApi30(doc);
            openapi30 = true;
        } else if (doc.hasNonNull("openapi")) {
            String version = doc.get("openapi").asText();
            if (!version.startsWith("3.")) {
                throw new ImportException(Kind.INVALID_SPEC, "OpenAPI version '" + version + "' is not supported; only 3.0 and 3.1 (and Swagger 2.0) are.");
            }
            openapi30 = version.startsWith("3.0");
        } else {
            throw new ImportException(Kind.INVALID_SPEC, "The document is JSON/YAML but not an OpenAPI description: it has no 'openapi' or 'swagger' field"
                    + (doc.has("data") || doc.has("__schema") ? " (it looks like a GraphQL introspection result: register it as kind graphql)." : "."));
        }
        return new Normalizer(doc, openapi30, config).run();
    }

    /** One document's normalization; not thread-safe. */
    private static final class Normalizer {
        private final JsonNode doc;
        private final SourceConfig config;
        private final Set<String> warnings = new LinkedHashSet<>();
        private final SchemaConverter schemas;
        private final Set<String> names = new HashSet<>();
        private final LinkedHashSet<String> hosts = new LinkedHashSet<>();

        Normalizer(JsonNode doc, boolean openapi30, SourceConfig config) {
            this.doc = doc;
            this.config = config;
            this.schemas = new SchemaConverter(doc, openapi30, warnings);
        }

        Manifest run() throws ImportException {
            JsonNode paths = doc.get("paths");
            String baseUrl = serverUrl(doc.get("servers"));
            if (baseUrl.isEmpty() && config.hasUrl()) {
                baseUrl = origin(config.url());
            }
            List<ToolDefinition> tools = new ArrayList<>();
            if (paths == null || !paths.isObject() || paths.isEmpty()) {
                warnings.add(doc.has("webhooks") ? "the document only describes webhooks, which are not callable operations: no tools"
                        : "the document has no paths: no tools");
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    pathItem(entry.getKey(), entry.getValue(), tools);
                }
            }
            List<String> w = new ArrayList<>(warnings);
            if (w.size() > MAX_WARNINGS) {
                int more = w.size() - MAX_WARNINGS;
                w = new ArrayList<>(w.subList(0, MAX_WARNINGS));
                w.add("… and " + more + " more warnings");
            }
            return new Manifest("openapi", doc.path("info").path("title").asText(""), baseUrl, List.copyOf(hosts), tools, w);
        }

        private void pathItem(String path, JsonNode rawItem, List<ToolDefinition> tools) {
            JsonNode item;
            try {
                item = schemas.deref(rawItem);
            } catch (BrokenSchemaException e) {
                warnings.add("path " + path + " skipped: " + e.getMessage());
                return;
            }
            if (item == null || !item.isObject()) {
                warnings.add("path " + path + " skipped: not an object");
                return;
            }
            serverUrl(item.get("servers"));
            for (String method : METHODS) {
                JsonNode op = item.get(method);
                if (op == null) {
                    continue;
                }
                String where = method.toUpperCase(Locale.ROOT) + " " + path;
                if (!op.isObject()) {
                    warnings.add("operation " + where + " skipped: not an object");
                    continue;
                }
                try {
                    tools.add(operation(path, method, item, op, where));
                } catch (BrokenSchemaException | IllegalArgumentException | ClassCastException e) {
                    warnings.add("operation " + where + " skipped: " + e.getMessage());
                } catch (StackOverflowError e) {
                    warnings.add("operation " + where + " skipped: its schemas are nested too deeply");
                }
            }
        }

        private ToolDefinition operation(String path, String method, JsonNode item, JsonNode op, String where) {
            String operationId = op.path("operationId").asText("").trim();
            String base = operationId.isEmpty() ? ToolNames.fromMethodAndPath(method, path) : ToolNames.sanitize(operationId);
            String name = ToolNames.unique(base, names);
            if (operationId.isEmpty()) {
                warnings.add("operation " + where + " has no operationId; named " + name);
            } else if (!name.equals(base)) {
                warnings.add("operation " + where + " (" + operationId + ") renamed " + name + " to keep names unique");
            }

            SchemaConverter.Context in = schemas.context(Mode.INPUT);
            ObjectNode properties = NODES.objectNode();
            ArrayNode required = NODES.arrayNode();
            List<ToolBinding.Parameter> parameters = new ArrayList<>();
            for (JsonNode param : mergedParameters(item, op).values()) {
                String pname = param.path("name").asText("");
                String location = param.path("in").asText("");
                ToolBinding.Location loc = switch (location) {
                    case "path" -> ToolBinding.Location.PATH;
                    case "query" -> ToolBinding.Location.QUERY;
                    case "header" -> ToolBinding.Location.HEADER;
                    case "cookie" -> ToolBinding.Location.COOKIE;
                    default -> throw new IllegalArgumentException("parameter '" + pname + "' has an unknown location '" + location + "'");
                };
                if (pname.isEmpty()) {
                    throw new IllegalArgumentException("a " + location + " parameter has no name");
                }
                if (loc == ToolBinding.Location.HEADER && RESERVED_HEADERS.contains(pname.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                String argument = properties.has(pname) ? location + "_" + pname : pname;
                boolean isRequired = loc == ToolBinding.Location.PATH || param.path("required").asBoolean(false);
                JsonNode rawSchema = param.has("schema") ? param.get("schema") : firstMediaSchema(param.get("content"));
                JsonNode schema = in.convert(rawSchema);
                if (param.hasNonNull("description") && schema.isObject() && !schema.has("description")) {
                    ObjectNode s = schema.deepCopy();
                    s.set("description", param.get("description"));
                    schema = s;
                }
                if (param.path("deprecated").asBoolean(false) && schema.isObject()) {
                    ((ObjectNode) schema).put("deprecated", true);
                }
                properties.set(argument, schema);
                if (isRequired) {
                    required.add(argument);
                }
                parameters.add(new ToolBinding.Parameter(pname, loc, argument, isRequired));
            }
            if (path.contains("{")) {
                checkPathParameters(path, parameters);
            }

            String bodyArgument = "";
            String bodyContentType = "";
            List<String> bodyProperties = List.of();
            JsonNode requestBody = op.has("requestBody") ? schemas.deref(op.get("requestBody")) : null;
            if (requestBody != null && requestBody.isObject()) {
                Map.Entry<String, JsonNode> media = pickMedia(requestBody.get("content"));
                if (media != null) {
                    // Swagger 2.0 documents without 'consumes' convert to */*: JSON is what such APIs take.
                    bodyContentType = media.getKey().equals("*/*") ? "application/json" : media.getKey();
                    boolean bodyRequired = requestBody.path("required").asBoolean(false);
                    JsonNode body = in.convert(media.getValue().get("schema"));
                    if (flattenable(body, properties)) {
                        List<String> flat = new ArrayList<>();
                        Set<String> bodyReq = new HashSet<>();
                        body.path("required").forEach(r -> bodyReq.add(r.asText()));
                        for (Iterator<Map.Entry<String, JsonNode>> p = body.get("properties").fields(); p.hasNext();) {
                            Map.Entry<String, JsonNode> prop = p.next();
                            properties.set(prop.getKey(), prop.getValue());
                            flat.add(prop.getKey());
                            if (bodyRequired && bodyReq.contains(prop.getKey())) {
                                required.add(prop.getKey());
                            }
                        }
                        bodyProperties = flat;
                    } else {
                        bodyArgument = properties.has("body") ? "request_body" : "body";
                        ObjectNode b = body.isObject() ? (ObjectNode) body : NODES.objectNode();
                        if (requestBody.hasNonNull("description") && !b.has("description")) {
                            b = b.deepCopy();
                            b.set("description", requestBody.get("description"));
                        }
                        properties.set(bodyArgument, b);
                        if (bodyRequired) {
                            required.add(bodyArgument);
                        }
                    }
                }
            }

            ObjectNode input = NODES.objectNode();
            input.put("type", "object");
            input.set("properties", properties);
            if (!required.isEmpty()) {
                input.set("required", required);
            }
            in.attachDefs(input);

            ObjectNode output = null;
            String outputName = "void";
            JsonNode success = successResponse(op.get("responses"));
            if (success != null) {
                Map.Entry<String, JsonNode> media = pickMedia(success.get("content"));
                if (media != null && media.getValue().has("schema")) {
                    JsonNode raw = media.getValue().get("schema");
                    outputName = schemas.typeName(raw);
                    SchemaConverter.Context out = schemas.context(Mode.OUTPUT);
                    JsonNode converted = out.convert(raw);
                    output = converted.isObject() ? (ObjectNode) converted : NODES.objectNode();
                    out.attachDefs(output);
                }
            }

            Map<String, String> labels = new LinkedHashMap<>();
            JsonNode tags = op.get("tags");
            if (tags != null && tags.isArray() && !tags.isEmpty()) {
                labels.put("tag", tags.get(0).asText());
            }
            if (op.path("deprecated").asBoolean(false)) {
                labels.put("deprecated", "true");
            }
            if (!operationId.isEmpty()) {
                labels.put("operation_id", operationId);
            }
            String opServer = serverUrl(op.get("servers"));
            if (!opServer.isEmpty()) {
                labels.put("server", opServer);
            }

            SideEffect effect = switch (method) {
                case "get", "head", "options", "trace" -> SideEffect.READ;
                case "delete" -> SideEffect.DESTRUCTIVE;
                default -> SideEffect.WRITE;
            };
            ToolBinding.Http binding = new ToolBinding.Http(method.toUpperCase(Locale.ROOT), path, parameters, bodyArgument,
                    bodyContentType, bodyProperties);
            return new ToolDefinition(name, description(op), input, output, outputName, effect, auth(op), labels, binding);
        }

        /** Path-level parameters, overridden by operation-level ones with the same name and location. */
        private Map<String, JsonNode> mergedParameters(JsonNode item, JsonNode op) {
            Map<String, JsonNode> merged = new LinkedHashMap<>();
            for (JsonNode list : new JsonNode[] { item.get("parameters"), op.get("parameters") }) {
                if (list == null) {
                    continue;
                }
                if (!list.isArray()) {
                    throw new IllegalArgumentException("'parameters' is not an array");
                }
                for (JsonNode p : list) {
                    JsonNode param = schemas.deref(p);
                    if (param == null || !param.isObject()) {
                        throw new IllegalArgumentException("a parameter is not an object");
                    }
                    merged.put(param.path("in").asText() + ":" + param.path("name").asText(), param);
                }
            }
            return merged;
        }

        private static void checkPathParameters(String path, List<ToolBinding.Parameter> parameters) {
            int i = 0;
            while ((i = path.indexOf('{', i)) >= 0) {
                int end = path.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("path template has an unclosed '{'");
                }
                String var = path.substring(i + 1, end);
                boolean declared = parameters.stream().anyMatch(p -> p.location() == ToolBinding.Location.PATH && p.name().equals(var));
                if (!declared) {
                    throw new IllegalArgumentException("path parameter '{" + var + "}' is not declared");
                }
                i = end + 1;
            }
        }

        private static boolean flattenable(JsonNode body, ObjectNode params) {
            if (!body.isObject() || !(body.get("properties") instanceof ObjectNode props) || props.isEmpty()) {
                return false;
            }
            if (body.has("allOf") || body.has("oneOf") || body.has("anyOf") || body.has("$ref") || body.has("$defs")) {
                return false;
            }
            JsonNode type = body.get("type");
            if (type != null && !(type.isTextual() && type.asText().equals("object"))) {
                return false;
            }
            for (Iterator<String> it = props.fieldNames(); it.hasNext();) {
                if (params.has(it.next())) {
                    return false;
                }
            }
            return true;
        }

        private JsonNode firstMediaSchema(JsonNode content) {
            Map.Entry<String, JsonNode> media = pickMedia(content);
            return media == null ? null : media.getValue().get("schema");
        }

        /** JSON first, then any +json type, form encodings, then whatever comes first. */
        private static Map.Entry<String, JsonNode> pickMedia(JsonNode content) {
            if (content == null || !content.isObject() || content.isEmpty()) {
                return null;
            }
            Map.Entry<String, JsonNode> best = null;
            int bestRank = Integer.MAX_VALUE;
            for (Iterator<Map.Entry<String, JsonNode>> it = content.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String type = e.getKey().toLowerCase(Locale.ROOT);
                int rank = type.startsWith("application/json") ? 0
                        : type.contains("+json") || type.endsWith("/json") ? 1
                        : type.startsWith("application/x-www-form-urlencoded") ? 2
                        : type.startsWith("multipart/form-data") ? 3 : 4;
                if (rank < bestRank && e.getValue().isObject()) {
                    best = e;
                    bestRank = rank;
                }
            }
            return best;
        }

        private JsonNode successResponse(JsonNode responses) {
            if (responses == null || !responses.isObject()) {
                return null;
            }
            JsonNode fallback = null;
            for (Iterator<Map.Entry<String, JsonNode>> it = responses.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String code = e.getKey();
                if (code.startsWith("2")) {
                    return schemas.deref(e.getValue());
                }
                if (code.equals("default")) {
                    fallback = e.getValue();
                }
            }
            return fallback == null ? null : schemas.deref(fallback);
        }

        private static String description(JsonNode op) {
            String summary = op.path("summary").asText("").strip();
            String description = op.path("description").asText("").strip();
            String text = summary.isEmpty() ? description
                    : description.isEmpty() || description.equals(summary) ? summary : summary + "\n\n" + description;
            return text.length() > MAX_DESCRIPTION ? text.substring(0, MAX_DESCRIPTION) + "…" : text;
        }

        private AuthTemplate auth(JsonNode op) {
            JsonNode security = op.has("security") ? op.get("security") : doc.get("security");
            if (security == null || !security.isArray() || security.isEmpty()) {
                return AuthTemplate.NONE;
            }
            for (JsonNode requirement : security) {
                if (requirement.isEmpty()) {
                    return AuthTemplate.NONE; // {} means anonymous access is allowed
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = requirement.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode scheme = doc.path("components").path("securitySchemes").get(e.getKey());
                    if (scheme == null) {
                        warnings.add("security scheme '" + e.getKey() + "' is used but not defined");
                        continue;
                    }
                    scheme = schemas.deref(scheme);
                    List<String> scopes = new ArrayList<>();
                    e.getValue().forEach(s -> scopes.add(s.asText()));
                    String type = scheme.path("type").asText("");
                    switch (type) {
                        case "http" -> {
                            String s = scheme.path("scheme").asText("").toLowerCase(Locale.ROOT);
                            if (s.equals("basic")) {
                                return new AuthTemplate("basic", "header", "Authorization", List.of());
                            }
                            if (s.equals("bearer")) {
                                return new AuthTemplate("bearer", "header", "Authorization", List.of());
                            }
                            return new AuthTemplate("custom_header", "header", "Authorization", List.of());
                        }
                        case "apiKey" -> {
                            return new AuthTemplate("api_key", scheme.path("in").asText("header"), scheme.path("name").asText(""), List.of());
                        }
                        case "oauth2", "openIdConnect" -> {
                            return new AuthTemplate("oauth2", "header", "Authorization", scopes);
                        }
                        default -> warnings.add("security scheme '" + e.getKey() + "' of type '" + type + "' is not supported");
                    }
                }
            }
            return AuthTemplate.NONE;
        }

        /** The first server's URL with its variables at their defaults; records every server's host. */
        private String serverUrl(JsonNode servers) {
            if (servers == null || !servers.isArray() || servers.isEmpty()) {
                return "";
            }
            String first = "";
            for (JsonNode server : servers) {
                String url = server.path("url").asText("");
                JsonNode vars = server.get("variables");
                if (vars != null && vars.isObject()) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = vars.fields(); it.hasNext();) {
                        Map.Entry<String, JsonNode> v = it.next();
                        url = url.replace("{" + v.getKey() + "}", v.getValue().path("default").asText(""));
                    }
                }
                if (!url.contains("://") && config.hasUrl()) {
                    try {
                        url = URI.create(config.url()).resolve(url).toString();
                    } catch (IllegalArgumentException e) {
                        warnings.add("server URL '" + url + "' cannot be resolved against the document URL");
                    }
                }
                try {
                    URI uri = URI.create(url);
                    if (uri.getHost() != null) {
                        hosts.add(uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() > 0 ? ":" + uri.getPort() : ""));
                    }
                } catch (IllegalArgumentException e) {
                    warnings.add("server URL '" + url + "' is not a valid URL");
                }
                if (first.isEmpty()) {
                    first = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
                }
            }
            return first;
        }

        private String origin(String url) {
            URI uri = URI.create(url);
            if (uri.getHost() != null) {
                hosts.add(uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() > 0 ? ":" + uri.getPort() : ""));
            }
            return uri.getScheme() + "://" + uri.getRawAuthority();
        }
    }
}
