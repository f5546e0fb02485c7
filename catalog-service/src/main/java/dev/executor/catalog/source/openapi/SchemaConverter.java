package dev.executor.catalog.source.openapi;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns OpenAPI schema objects (3.0 dialect or 3.1 / JSON Schema 2020-12) into self-contained JSON
 * Schema 2020-12, resolving local {@code $ref}s.
 *
 * <p>References are inlined so an agent reads one tree, with two bounds that keep every schema
 * finite and small: a reference already being inlined on the current path (a cycle), or met once
 * the schema has grown past {@link #INLINE_BUDGET} nodes, becomes {@code {"$ref": "#/$defs/Name"}}
 * and {@code Name} is defined once under the root's {@code $defs} (whose bodies only use
 * {@code $defs} references, so their closure is bounded by the document's schema count). Converted
 * {@code $defs} bodies are cached per document, so a schema shared by many operations is
 * converted once.
 *
 * <p>3.0-only keywords are translated ({@code nullable}, boolean {@code exclusiveMinimum}/
 * {@code exclusiveMaximum}, {@code example}); extensions ({@code x-*}), {@code xml},
 * {@code externalDocs} and {@code discriminator} are dropped; {@code readOnly} properties are left
 * out of input schemas and {@code writeOnly} ones out of output schemas; enums longer than
 * {@link #MAX_ENUM} values are dropped with a note (validation stays permissive, never wrongly
 * strict). Not thread-safe: one instance per import.
 */
final class SchemaConverter {

    /** Object nodes an input schema may inline before further references go to {@code $defs}. */
    static final int INLINE_BUDGET = 400;
    /** Output schemas are read, never validated against: they get a smaller budget. */
    static final int OUTPUT_INLINE_BUDGET = 250;
    /**
     * Object nodes the {@code $defs} of one root schema may hold. Definitions are added breadth-first
     * from the root; past this budget the remaining (most distant) ones become permissive stubs naming
     * the schema, so a densely connected document (Stripe: every object expandable into every other)
     * still yields schemas of bounded size.
     */
    static final int DEFS_BUDGET = 1200;
    static final int OUTPUT_DEFS_BUDGET = 250;
    /** Largest enum kept verbatim. */
    static final int MAX_ENUM = 1000;
    /** Deepest schema nesting followed (the parser already refuses deeper documents). */
    static final int MAX_DEPTH = 256;

    enum Mode {
        INPUT, OUTPUT
    }

    /** A reference that does not resolve, or a schema that cannot be converted: the operation is skipped. */
    static final class BrokenSchemaException extends RuntimeException {
        BrokenSchemaException(String message) {
            super(message, null, false, false);
        }
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JsonNode root;
    private final boolean openapi30;
    private final Set<String> warnings;
    private final Map<String, String> defNames = new HashMap<>();
    private final Set<String> takenDefNames = new HashSet<>();
    private final Map<String, DefEntry> defCache = new HashMap<>();

    private record DefEntry(JsonNode schema, Set<String> refs, int nodes) {
    }

    SchemaConverter(JsonNode root, boolean openapi30, Set<String> warnings) {
        this.root = root;
        this.openapi30 = openapi30;
        this.warnings = warnings;
    }

    /** One root schema under construction: its inlining path, budget and needed {@code $defs}. */
    final class Context {
        private final Mode mode;
        private final boolean inDefs;
        private final ArrayDeque<String> stack = new ArrayDeque<>();
        private final LinkedHashSet<String> refs = new LinkedHashSet<>();
        private int budget;

        private Context(Mode mode, boolean inDefs) {
            this.mode = mode;
            this.inDefs = inDefs;
            this.budget = mode == Mode.INPUT ? INLINE_BUDGET : OUTPUT_INLINE_BUDGET;
        }

        JsonNode convert(JsonNode schema) {
            return SchemaConverter.this.convert(schema, this, 0);
        }

        /** Adds the {@code $defs} this context referenced (and their closure) to {@code target}. */
        void attachDefs(ObjectNode target) {
            if (refs.isEmpty()) {
                return;
            }
            ObjectNode defs = NODES.objectNode();
            ArrayDeque<String> queue = new ArrayDeque<>(refs);
            Set<String> seen = new HashSet<>(refs);
            int spent = 0;
            while (!queue.isEmpty()) {
                String ref = queue.poll();
                String name = defNames.get(ref);
                if (spent >= (mode == Mode.INPUT ? DEFS_BUDGET : OUTPUT_DEFS_BUDGET)) {
                    ObjectNode stub = NODES.objectNode();
                    stub.put("description", "Schema " + name + " (not expanded: the schema is too large to include in full)");
                    defs.set(name, stub);
                    continue;
                }
                DefEntry entry = definition(ref, mode);
                spent += entry.nodes();
                defs.set(name, entry.schema());
                for (String next : entry.refs()) {
                    if (seen.add(next)) {
                        queue.add(next);
                    }
                }
            }
            target.set("$defs", defs);
        }
    }

    Context context(Mode mode) {
        return new Context(mode, false);
    }

    /** The schema a local reference points at, or a {@link BrokenSchemaException}. */
    JsonNode resolve(String ref) {
        if (!ref.startsWith("#")) {
            throw new BrokenSchemaException("external $ref '" + ref + "' is not followed (external references are disabled)");
        }
        JsonNode target;
        try {
            String pointer = URLDecoder.decode(ref.substring(1), StandardCharsets.UTF_8);
            target = root.at(JsonPointer.compile(pointer));
        } catch (IllegalArgumentException e) {
            throw new BrokenSchemaException("$ref '" + ref + "' is not a valid JSON pointer");
        }
        if (target.isMissingNode()) {
            throw new BrokenSchemaException("$ref '" + ref + "' does not resolve");
        }
        return target;
    }

    /** Follows a chain of {@code $ref}s (parameters, request bodies, responses) to the object itself. */
    JsonNode deref(JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; current != null && current.has("$ref"); hops++) {
            if (hops > 16) {
                throw new BrokenSchemaException("$ref chain longer than 16 at '" + node.get("$ref").asText() + "'");
            }
            current = resolve(current.get("$ref").asText());
        }
        return current;
    }

    /** Short name of a schema for signatures: the referenced schema's name, {@code name[]} for arrays, or the type. */
    String typeName(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return "any";
        }
        JsonNode ref = schema.get("$ref");
        if (ref != null && ref.isTextual()) {
            String r = ref.asText();
            return r.substring(r.lastIndexOf('/') + 1);
        }
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual()) {
            if (type.asText().equals("array")) {
                return typeName(schema.get("items")) + "[]";
            }
            return type.asText();
        }
        if (schema.has("oneOf") || schema.has("anyOf")) {
            JsonNode alts = schema.has("oneOf") ? schema.get("oneOf") : schema.get("anyOf");
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < alts.size() && i < 3; i++) {
                sb.append(i > 0 ? " | " : "").append(typeName(alts.get(i)));
            }
            return sb.length() == 0 ? "any" : sb.toString();
        }
        if (schema.has("allOf") && schema.get("allOf").size() > 0) {
            return typeName(schema.get("allOf").get(0));
        }
        return schema.has("properties") ? "object" : "any";
    }

    private DefEntry definition(String ref, Mode mode) {
        String key = mode.name() + ref;
        DefEntry cached = defCache.get(key);
        if (cached != null) {
            return cached;
        }
        Context ctx = new Context(mode, true);
        ctx.stack.push(ref);
        JsonNode body = convert(resolve(ref), ctx, 0);
        int start = mode == Mode.INPUT ? INLINE_BUDGET : OUTPUT_INLINE_BUDGET;
        DefEntry entry = new DefEntry(body, Set.copyOf(ctx.refs), start - ctx.budget);
        defCache.put(key, entry);
        return entry;
    }

    private String defName(String ref) {
        return defNames.computeIfAbsent(ref, r -> {
            String base = r.substring(r.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9_.-]", "_");
            if (base.isEmpty()) {
                base = "schema";
            }
            String name = base;
            for (int i = 2; !takenDefNames.add(name); i++) {
                name = base + "_" + i;
            }
            return name;
        });
    }

    private JsonNode convert(JsonNode schema, Context ctx, int depth) {
        if (depth > MAX_DEPTH) {
            throw new BrokenSchemaException("schema nested deeper than " + MAX_DEPTH + " levels");
        }
        if (schema == null || !schema.isObject()) {
            // 3.1 boolean schemas stay; anything else is not a schema and allows anything.
            return schema != null && schema.isBoolean() ? schema : NODES.objectNode();
        }
        JsonNode refNode = schema.get("$ref");
        if (refNode != null && refNode.isTextual()) {
            return reference(schema, refNode.asText(), ctx, depth);
        }
        ctx.budget--;
        ObjectNode out = NODES.objectNode();
        boolean nullable = false;
        Set<String> dropped = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (key.startsWith("x-")) {
                continue;
            }
            switch (key) {
                case "xml", "externalDocs", "discriminator", "$schema", "$id" -> {
                }
                case "nullable" -> nullable = value.asBoolean(false);
                case "example" -> {
                    // A {"$ref": ...} example (seen in GitHub's description) is a mistake, not data.
                    if (!schema.has("examples") && !value.has("$ref")) {
                        out.set("examples", NODES.arrayNode().add(value));
                    }
                }
                case "enum" -> {
                    if (value.isArray() && value.size() > MAX_ENUM) {
                        String note = "One of " + value.size() + " values (list too long to include).";
                        JsonNode d = schema.get("description");
                        out.put("description", d == null ? note : d.asText() + " " + note);
                        warnings.add("an enum of " + value.size() + " values was dropped from a schema (limit " + MAX_ENUM + ")");
                    } else {
                        out.set(key, value);
                    }
                }
                case "description" -> {
                    if (!out.has("description")) {
                        out.set(key, value);
                    }
                }
                case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas" -> {
                    if (value.isObject()) {
                        ObjectNode props = NODES.objectNode();
                        for (Iterator<Map.Entry<String, JsonNode>> p = value.fields(); p.hasNext();) {
                            Map.Entry<String, JsonNode> prop = p.next();
                            if (key.equals("properties") && hidden(prop.getValue(), ctx.mode)) {
                                if (dropped == null) {
                                    dropped = new HashSet<>();
                                }
                                dropped.add(prop.getKey());
                                continue;
                            }
                            props.set(prop.getKey(), convert(prop.getValue(), ctx, depth + 1));
                        }
                        out.set(key, props);
                    }
                }
                case "items", "additionalItems" -> {
                    if (value.isArray()) {
                        out.set(key.equals("items") ? "prefixItems" : key, convertAll(value, ctx, depth));
                    } else {
                        out.set(key, convert(value, ctx, depth + 1));
                    }
                }
                case "allOf", "anyOf", "oneOf", "prefixItems" -> out.set(key, value.isArray() ? convertAll(value, ctx, depth) : value);
                case "additionalProperties", "not", "contains", "if", "then", "else", "propertyNames",
                        "unevaluatedProperties", "unevaluatedItems" -> out.set(key, convert(value, ctx, depth + 1));
                default -> out.set(key, value);
            }
        }
        if (dropped != null && out.get("required") instanceof ArrayNode required) {
            ArrayNode kept = NODES.arrayNode();
            for (JsonNode r : required) {
                if (!dropped.contains(r.asText())) {
                    kept.add(r);
                }
            }
            out.set("required", kept);
        }
        if (openapi30) {
            translateExclusive(out, "exclusiveMinimum", "minimum");
            translateExclusive(out, "exclusiveMaximum", "maximum");
        }
        if (nullable) {
            JsonNode type = out.get("type");
            if (type != null && type.isTextual()) {
                out.set("type", NODES.arrayNode().add(type.asText()).add("null"));
            }
        }
        return out;
    }

    private JsonNode reference(JsonNode schema, String ref, Context ctx, int depth) {
        if (!ref.startsWith("#")) {
            warnings.add("external $ref '" + ref + "' was not followed (external references are disabled); it accepts any value");
            ObjectNode any = NODES.objectNode();
            any.put("description", "Unresolved external reference " + ref);
            return any;
        }
        JsonNode target = resolve(ref);
        boolean inline = !ctx.inDefs && !ctx.stack.contains(ref) && ctx.budget > 0;
        JsonNode result;
        if (inline) {
            ctx.stack.push(ref);
            try {
                result = convert(target, ctx, depth + 1);
            } finally {
                ctx.stack.pop();
            }
        } else {
            ctx.refs.add(ref);
            ObjectNode pointer = NODES.objectNode();
            pointer.put("$ref", "#/$defs/" + defName(ref));
            result = pointer;
        }
        JsonNode description = schema.get("description");
        if (description != null && result.isObject() && !description.equals(result.get("description"))) {
            // Both branches built a fresh node, so it can take the sibling description in place.
            ((ObjectNode) result).set("description", description);
        }
        return result;
    }

    private ArrayNode convertAll(JsonNode array, Context ctx, int depth) {
        ArrayNode out = NODES.arrayNode(array.size());
        for (JsonNode item : array) {
            out.add(convert(item, ctx, depth + 1));
        }
        return out;
    }

    private static boolean hidden(JsonNode property, Mode mode) {
        String flag = mode == Mode.INPUT ? "readOnly" : "writeOnly";
        return property.isObject() && property.path(flag).asBoolean(false);
    }

    private static void translateExclusive(ObjectNode out, String exclusive, String bound) {
        JsonNode flag = out.get(exclusive);
        if (flag != null && flag.isBoolean()) {
            out.remove(exclusive);
            if (flag.asBoolean() && out.has(bound)) {
                out.set(exclusive, out.remove(bound));
            }
        }
    }
}
