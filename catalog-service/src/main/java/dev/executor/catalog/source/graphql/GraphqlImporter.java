package dev.executor.catalog.source.graphql;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import graphql.introspection.IntrospectionQuery;
import graphql.introspection.IntrospectionResultToSchema;
import graphql.language.Definition;
import graphql.language.Description;
import graphql.language.Document;
import graphql.language.EnumTypeDefinition;
import graphql.language.EnumValueDefinition;
import graphql.language.FieldDefinition;
import graphql.language.InputObjectTypeDefinition;
import graphql.language.InputValueDefinition;
import graphql.language.InterfaceTypeDefinition;
import graphql.language.ListType;
import graphql.language.NonNullType;
import graphql.language.ObjectTypeDefinition;
import graphql.language.OperationTypeDefinition;
import graphql.language.ScalarTypeDefinition;
import graphql.language.SchemaDefinition;
import graphql.language.Type;
import graphql.language.TypeName;
import graphql.language.UnionTypeDefinition;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.parser.ParserEnvironment;
import graphql.parser.ParserOptions;
import io.smallrye.common.annotation.Identifier;

/**
 * GraphQL → manifest: one tool per root field, {@code query_<field>} (read) and
 * {@code mutation_<field>} (write; destructive when the field is named {@code delete…} or
 * {@code remove…}). Reads an introspection result (JSON, with or without the {@code data}
 * wrapper), an SDL document, or introspects an endpoint URL. SDL is only parsed, never validated
 * as an executable schema, so a real-world schema with a duplicated field still imports (the first
 * definition wins and a warning is recorded).
 *
 * <p>Each tool carries the operation document the invoker sends: the root field with every
 * argument as a variable and a default selection of scalar fields two levels deep.
 */
@ApplicationScoped
@Identifier("graphql")
public class GraphqlImporter implements SourceImporter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Levels of object fields in the default selection (root field's type = level 1). */
    static final int SELECTION_DEPTH = 2;
    /** Fields selected per object level. */
    static final int SELECTION_FIELDS = 25;
    /** Object fields selected per level (below the last level). */
    static final int SELECTION_OBJECTS = 6;
    private static final int INLINE_DEPTH = 4;
    private static final List<String> PREFERRED = List.of("id", "name", "nameWithOwner", "login", "title", "number", "url",
            "state", "description", "createdAt", "updatedAt");

    private final DocumentLoader loader;

    public GraphqlImporter(DocumentLoader loader) {
        this.loader = loader;
    }

    @Override
    public Manifest importSource(SourceConfig config) throws ImportException {
        if (config.hasInlineDocument()) {
            return normalize(config.inlineDocument(), config);
        }
        if (!config.hasUrl()) {
            throw new ImportException(Kind.INVALID_SPEC, "A GraphQL source needs an endpoint URL or an SDL / introspection document.");
        }
        String path = URI.create(config.url()).getPath().toLowerCase(Locale.ROOT);
        String text;
        if (path.endsWith(".json") || path.endsWith(".graphql") || path.endsWith(".graphqls") || path.endsWith(".gql") || path.endsWith(".sdl")) {
            text = loader.text(config);
        } else {
            String query = loader.jsonMapper().createObjectNode().put("query", IntrospectionQuery.INTROSPECTION_QUERY).toString();
            text = loader.fetch(config.url(), query, Map.of());
        }
        return normalize(text, config);
    }

    /** Normalizes an introspection result (JSON) or an SDL document. */
    public Manifest normalize(String text, SourceConfig config) throws ImportException {
        Set<String> warnings = new LinkedHashSet<>();
        Document document = text.stripLeading().startsWith("{") ? fromIntrospection(text) : fromSdl(text);
        return new Normalizer(document, config, warnings).run();
    }

    @SuppressWarnings("unchecked")
    private Document fromIntrospection(String text) throws ImportException {
        JsonNode tree = loader.parse(text);
        if (tree.has("errors") && !tree.has("data")) {
            throw new ImportException(Kind.INVALID_SPEC, "The endpoint answered introspection with errors: "
                    + abbreviate(tree.get("errors").toString()) + " (introspection may be disabled, or need a credential).");
        }
        JsonNode data = tree.has("data") ? tree.get("data") : tree;
        if (!data.has("__schema")) {
            throw new ImportException(Kind.INVALID_SPEC, "The JSON document is not a GraphQL introspection result (no __schema).");
        }
        try {
            Map<String, Object> map = loader.jsonMapper().treeToValue(data, Map.class);
            return new IntrospectionResultToSchema().createSchemaDefinition(map);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new ImportException(Kind.INVALID_SPEC, "The introspection result could not be read: " + abbreviate(String.valueOf(e.getMessage())));
        }
    }

    private Document fromSdl(String text) throws ImportException {
        int max = (int) Math.min(Integer.MAX_VALUE, loader.maxBytes());
        if (text.length() > max) {
            throw new ImportException(Kind.TOO_LARGE, "The SDL document exceeds the size limit of " + max + " bytes.");
        }
        ParserOptions options = ParserOptions.newParserOptions()
                .maxCharacters(max)
                .maxTokens(Math.max(15_000, text.length() / 2))
                .maxWhitespaceTokens(Integer.MAX_VALUE)
                .maxRuleDepth(200)
                .captureSourceLocation(false)
                .captureIgnoredChars(false)
                .captureLineComments(false)
                .build();
        try {
            return new Parser().parseDocument(ParserEnvironment.newParserEnvironment().document(text).parserOptions(options).build());
        } catch (InvalidSyntaxException e) {
            throw new ImportException(Kind.INVALID_SPEC, "The document is neither a GraphQL introspection result (JSON) nor valid SDL: "
                    + abbreviate(e.getMessage()));
        } catch (RuntimeException e) {
            throw new ImportException(Kind.INVALID_SPEC, "The GraphQL document could not be parsed: " + abbreviate(String.valueOf(e.getMessage())));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static final class Normalizer {
        private final Document document;
        private final SourceConfig config;
        private final Set<String> warnings;
        private final Map<String, Map<String, FieldDefinition>> objects = new HashMap<>();
        private final Map<String, Map<String, InputValueDefinition>> inputs = new HashMap<>();
        private final Map<String, List<String>> enums = new HashMap<>();
        private final Set<String> unions = new HashSet<>();
        private final Set<String> scalars = new HashSet<>(Set.of("String", "ID", "Int", "Float", "Boolean"));
        private final Map<String, String> descriptions = new HashMap<>();
        private final Map<String, ObjectNode> inputDefs = new HashMap<>();

        Normalizer(Document document, SourceConfig config, Set<String> warnings) {
            this.document = document;
            this.config = config;
            this.warnings = warnings;
        }

        Manifest run() {
            String queryType = "Query";
            String mutationType = "Mutation";
            for (Definition<?> d : document.getDefinitions()) {
                if (d instanceof SchemaDefinition schema) {
                    for (OperationTypeDefinition op : schema.getOperationTypeDefinitions()) {
                        if (op.getName().equals("query")) {
                            queryType = op.getTypeName().getName();
                        } else if (op.getName().equals("mutation")) {
                            mutationType = op.getTypeName().getName();
                        }
                    }
                } else if (d instanceof ObjectTypeDefinition o) {
                    addFields(o.getName(), o.getFieldDefinitions());
                    describe(o.getName(), o.getDescription());
                } else if (d instanceof InterfaceTypeDefinition i) {
                    addFields(i.getName(), i.getFieldDefinitions());
                } else if (d instanceof InputObjectTypeDefinition i) {
                    Map<String, InputValueDefinition> fields = inputs.computeIfAbsent(i.getName(), k -> new LinkedHashMap<>());
                    for (InputValueDefinition f : i.getInputValueDefinitions()) {
                        if (fields.putIfAbsent(f.getName(), f) != null) {
                            warnings.add("input type " + i.getName() + " defines field " + f.getName() + " twice; the first definition is used");
                        }
                    }
                } else if (d instanceof EnumTypeDefinition e) {
                    enums.computeIfAbsent(e.getName(), k -> new ArrayList<>())
                            .addAll(e.getEnumValueDefinitions().stream().map(EnumValueDefinition::getName).toList());
                } else if (d instanceof ScalarTypeDefinition s) {
                    scalars.add(s.getName());
                } else if (d instanceof UnionTypeDefinition u) {
                    unions.add(u.getName());
                }
            }
            String baseUrl = "";
            String endpointPath = "/graphql";
            List<String> hosts = new ArrayList<>();
            if (config.hasUrl()) {
                URI uri = URI.create(config.url());
                if (uri.getHost() != null) {
                    hosts.add(uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() > 0 ? ":" + uri.getPort() : ""));
                    baseUrl = uri.getScheme() + "://" + uri.getRawAuthority();
                    String p = uri.getPath() == null ? "" : uri.getPath();
                    if (!p.isEmpty() && !p.endsWith(".json") && !p.endsWith(".graphql") && !p.endsWith(".gql")) {
                        endpointPath = p;
                    }
                }
            }
            List<ToolDefinition> tools = new ArrayList<>();
            Set<String> names = new HashSet<>();
            rootFields(queryType, "query", endpointPath, names, tools);
            rootFields(mutationType, "mutation", endpointPath, names, tools);
            if (tools.isEmpty()) {
                warnings.add("the schema has no query or mutation fields: no tools");
            }
            return new Manifest("graphql", "", baseUrl, hosts, tools, List.copyOf(warnings));
        }

        private void addFields(String type, List<FieldDefinition> defs) {
            Map<String, FieldDefinition> fields = objects.computeIfAbsent(type, k -> new LinkedHashMap<>());
            for (FieldDefinition f : defs) {
                if (fields.putIfAbsent(f.getName(), f) != null) {
                    warnings.add("type " + type + " defines field " + f.getName() + " twice; the first definition is used");
                }
            }
        }

        private void describe(String type, Description d) {
            if (d != null && d.getContent() != null) {
                descriptions.put(type, d.getContent());
            }
        }

        private void rootFields(String type, String operation, String endpointPath, Set<String> names, List<ToolDefinition> tools) {
            Map<String, FieldDefinition> fields = objects.get(type);
            if (fields == null) {
                return;
            }
            for (FieldDefinition field : fields.values()) {
                try {
                    tools.add(tool(field, operation, endpointPath, names));
                } catch (RuntimeException e) {
                    warnings.add(operation + " field " + field.getName() + " skipped: " + e.getMessage());
                }
            }
        }

        private ToolDefinition tool(FieldDefinition field, String operation, String endpointPath, Set<String> names) {
            String name = ToolNames.unique(ToolNames.sanitize(operation + "_" + field.getName()), names);
            ObjectNode properties = NODES.objectNode();
            ArrayNode required = NODES.arrayNode();
            Set<String> defsUsed = new LinkedHashSet<>();
            StringBuilder variables = new StringBuilder();
            StringBuilder arguments = new StringBuilder();
            for (InputValueDefinition arg : field.getInputValueDefinitions()) {
                ObjectNode schema = typeSchema(arg.getType(), new ArrayDeque<>(), defsUsed, 0);
                if (arg.getDescription() != null && arg.getDescription().getContent() != null) {
                    schema.put("description", arg.getDescription().getContent());
                }
                properties.set(arg.getName(), schema);
                if (arg.getType() instanceof NonNullType && arg.getDefaultValue() == null) {
                    required.add(arg.getName());
                }
                variables.append(variables.isEmpty() ? "" : ", ").append('$').append(arg.getName()).append(": ").append(print(arg.getType()));
                arguments.append(arguments.isEmpty() ? "" : ", ").append(arg.getName()).append(": $").append(arg.getName());
            }
            ObjectNode input = NODES.objectNode();
            input.put("type", "object");
            input.set("properties", properties);
            if (!required.isEmpty()) {
                input.set("required", required);
            }
            attachDefs(input, defsUsed);

            String returnType = baseName(field.getType());
            StringBuilder selection = new StringBuilder();
            ObjectNode fieldOutput = selection(returnType, 1, selection);
            JsonNode resultSchema = wrap(field.getType(), fieldOutput);
            ObjectNode output = NODES.objectNode();
            output.put("type", "object");
            output.set("properties", NODES.objectNode().set(field.getName(), resultSchema));

            String operationName = Character.toUpperCase(field.getName().charAt(0)) + field.getName().substring(1);
            String doc = operation + " " + operationName + (variables.isEmpty() ? "" : "(" + variables + ")") + " { "
                    + field.getName() + (arguments.isEmpty() ? "" : "(" + arguments + ")") + selection + " }";

            SideEffect effect = operation.equals("query") ? SideEffect.READ
                    : field.getName().startsWith("delete") || field.getName().startsWith("remove") ? SideEffect.DESTRUCTIVE
                    : SideEffect.WRITE;
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("operation_type", operation);
            labels.put("field", field.getName());
            if (field.getDirectives().stream().anyMatch(d -> d.getName().equals("deprecated"))) {
                labels.put("deprecated", "true");
            }
            String description = field.getDescription() == null || field.getDescription().getContent() == null ? ""
                    : field.getDescription().getContent().strip();
            String outputName = print(field.getType()).replace("!", "");
            if (outputName.startsWith("[")) {
                outputName = outputName.substring(1, outputName.length() - 1) + "[]";
            }
            return new ToolDefinition(name, description, input, output, outputName, effect, AuthTemplate.NONE, labels,
                    new ToolBinding.Graphql(endpointPath, doc, operationName, operation));
        }

        private ObjectNode typeSchema(Type<?> type, ArrayDeque<String> stack, Set<String> defsUsed, int depth) {
            if (type instanceof NonNullType nn) {
                return typeSchema(nn.getType(), stack, defsUsed, depth);
            }
            if (type instanceof ListType list) {
                ObjectNode array = NODES.objectNode();
                array.put("type", "array");
                array.set("items", typeSchema(list.getType(), stack, defsUsed, depth + 1));
                return array;
            }
            String name = ((TypeName) type).getName();
            ObjectNode schema = NODES.objectNode();
            switch (name) {
                case "String", "ID" -> schema.put("type", "string");
                case "Int" -> schema.put("type", "integer");
                case "Float" -> schema.put("type", "number");
                case "Boolean" -> schema.put("type", "boolean");
                default -> {
                    if (enums.containsKey(name)) {
                        schema.put("type", "string");
                        ArrayNode values = schema.putArray("enum");
                        enums.get(name).forEach(values::add);
                    } else if (inputs.containsKey(name)) {
                        if (stack.contains(name) || depth >= INLINE_DEPTH) {
                            defsUsed.add(name);
                            schema.put("$ref", "#/$defs/" + name);
                        } else {
                            stack.push(name);
                            schema = inputObject(name, stack, defsUsed, depth);
                            stack.pop();
                        }
                    } else {
                        schema.put("description", "GraphQL scalar " + name);
                    }
                }
            }
            return schema;
        }

        private ObjectNode inputObject(String name, ArrayDeque<String> stack, Set<String> defsUsed, int depth) {
            ObjectNode schema = NODES.objectNode();
            schema.put("type", "object");
            ObjectNode props = schema.putObject("properties");
            ArrayNode required = NODES.arrayNode();
            for (InputValueDefinition f : inputs.get(name).values()) {
                ObjectNode p = typeSchema(f.getType(), stack, defsUsed, depth + 1);
                if (f.getDescription() != null && f.getDescription().getContent() != null) {
                    p.put("description", f.getDescription().getContent());
                }
                props.set(f.getName(), p);
                if (f.getType() instanceof NonNullType && f.getDefaultValue() == null) {
                    required.add(f.getName());
                }
            }
            if (!required.isEmpty()) {
                schema.set("required", required);
            }
            schema.put("additionalProperties", false);
            return schema;
        }

        private void attachDefs(ObjectNode input, Set<String> defsUsed) {
            if (defsUsed.isEmpty()) {
                return;
            }
            ObjectNode defs = NODES.objectNode();
            ArrayDeque<String> queue = new ArrayDeque<>(defsUsed);
            while (!queue.isEmpty()) {
                String name = queue.poll();
                if (defs.has(name)) {
                    continue;
                }
                ObjectNode def = inputDefs.get(name);
                if (def == null) {
                    Set<String> nested = new LinkedHashSet<>();
                    ArrayDeque<String> stack = new ArrayDeque<>();
                    stack.push(name);
                    // Inside $defs every input object is referenced, never inlined: the closure stays bounded.
                    def = inputObject(name, stack, nested, INLINE_DEPTH);
                    def.put("x-refs", String.join(",", nested));
                    inputDefs.put(name, def);
                }
                ObjectNode body = def.deepCopy();
                String refs = body.remove("x-refs").asText();
                defs.set(name, body);
                if (!refs.isEmpty()) {
                    for (String r : refs.split(",")) {
                        queue.add(r);
                    }
                }
            }
            input.set("$defs", defs);
        }

        /** Appends {@code { a b c { d } }} for the type to {@code out} and returns the matching output schema. */
        private ObjectNode selection(String type, int level, StringBuilder out) {
            ObjectNode schema = NODES.objectNode();
            if (unions.contains(type)) {
                out.append(" { __typename }");
                schema.put("type", "object");
                schema.putObject("properties").putObject("__typename").put("type", "string");
                return schema;
            }
            Map<String, FieldDefinition> fields = objects.get(type);
            if (fields == null) {
                return scalarSchema(type);
            }
            schema.put("type", "object");
            if (descriptions.containsKey(type)) {
                schema.put("description", descriptions.get(type));
            }
            ObjectNode props = schema.putObject("properties");
            StringBuilder inner = new StringBuilder();
            List<FieldDefinition> scalarsFirst = new ArrayList<>();
            List<FieldDefinition> nested = new ArrayList<>();
            for (FieldDefinition f : fields.values()) {
                boolean needsArgs = f.getInputValueDefinitions().stream()
                        .anyMatch(a -> a.getType() instanceof NonNullType && a.getDefaultValue() == null);
                if (needsArgs) {
                    continue;
                }
                String fieldType = baseName(f.getType());
                (objects.containsKey(fieldType) || unions.contains(fieldType) ? nested : scalarsFirst).add(f);
            }
            // Identifying fields first (id, name, title, url...), then the rest in schema order.
            scalarsFirst.sort(java.util.Comparator.comparingInt(f -> PREFERRED.indexOf(f.getName()) < 0 ? PREFERRED.size() : PREFERRED.indexOf(f.getName())));
            int count = 0;
            for (FieldDefinition f : scalarsFirst) {
                if (count++ >= SELECTION_FIELDS) {
                    break;
                }
                inner.append(' ').append(f.getName());
                props.set(f.getName(), wrap(f.getType(), scalarSchema(baseName(f.getType()))));
            }
            int objectCount = 0;
            for (FieldDefinition f : nested) {
                if (level >= SELECTION_DEPTH || objectCount >= SELECTION_OBJECTS) {
                    break;
                }
                StringBuilder sub = new StringBuilder();
                ObjectNode subSchema = selection(baseName(f.getType()), level + 1, sub);
                if (sub.isEmpty()) {
                    continue;
                }
                inner.append(' ').append(f.getName()).append(sub);
                props.set(f.getName(), wrap(f.getType(), subSchema));
                objectCount++;
            }
            if (inner.isEmpty()) {
                inner.append(" __typename");
                props.putObject("__typename").put("type", "string");
            }
            out.append(" {").append(inner).append(" }");
            return schema;
        }

        private ObjectNode scalarSchema(String name) {
            ObjectNode s = NODES.objectNode();
            switch (name) {
                case "String", "ID" -> s.put("type", "string");
                case "Int" -> s.put("type", "integer");
                case "Float" -> s.put("type", "number");
                case "Boolean" -> s.put("type", "boolean");
                default -> {
                    if (enums.containsKey(name)) {
                        s.put("type", "string");
                    } else {
                        s.put("description", "GraphQL scalar " + name);
                    }
                }
            }
            return s;
        }

        /** Nullable and list wrappers of a field type around the schema of its base type. */
        private static JsonNode wrap(Type<?> type, ObjectNode base) {
            if (type instanceof NonNullType nn) {
                return wrapNonNull(nn.getType(), base);
            }
            JsonNode inner = wrapNonNull(type, base);
            if (inner.isObject() && inner.get("type") != null && inner.get("type").isTextual()) {
                ObjectNode copy = ((ObjectNode) inner).deepCopy();
                copy.set("type", NODES.arrayNode().add(inner.get("type").asText()).add("null"));
                return copy;
            }
            return inner;
        }

        private static JsonNode wrapNonNull(Type<?> type, ObjectNode base) {
            if (type instanceof ListType list) {
                ObjectNode array = NODES.objectNode();
                array.put("type", "array");
                array.set("items", wrap(list.getType(), base));
                return array;
            }
            return base;
        }

        private static String baseName(Type<?> type) {
            if (type instanceof NonNullType nn) {
                return baseName(nn.getType());
            }
            if (type instanceof ListType l) {
                return baseName(l.getType());
            }
            return ((TypeName) type).getName();
        }

        private static String print(Type<?> type) {
            if (type instanceof NonNullType nn) {
                return print(nn.getType()) + "!";
            }
            if (type instanceof ListType l) {
                return "[" + print(l.getType()) + "]";
            }
            return ((TypeName) type).getName();
        }
    }
}
