package dev.executor.catalog.service;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.executor.catalog.SideEffect;

/**
 * The compact one-line signature an agent reads at a glance, e.g.
 * {@code issues_create(owner: string, repo: string, title: string, body?: string) -> issue  [write]}.
 * Required arguments come first; optional ones carry {@code ?}; long lists end in {@code …+N}.
 */
public final class Signatures {

    private static final int MAX_ARGUMENTS = 10;

    private Signatures() {
    }

    public static String of(String name, JsonNode inputSchema, String outputName, SideEffect sideEffect) {
        Set<String> required = new HashSet<>();
        inputSchema.path("required").forEach(r -> required.add(r.asText()));
        List<String> first = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = inputSchema.path("properties").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> p = it.next();
            boolean req = required.contains(p.getKey());
            (req ? first : rest).add(p.getKey() + (req ? "" : "?") + ": " + type(p.getValue()));
        }
        first.addAll(rest);
        String args = first.size() > MAX_ARGUMENTS
                ? String.join(", ", first.subList(0, MAX_ARGUMENTS)) + ", …+" + (first.size() - MAX_ARGUMENTS)
                : String.join(", ", first);
        return name + "(" + args + ") -> " + (outputName == null || outputName.isEmpty() ? "void" : outputName)
                + "  [" + sideEffect.wire() + "]";
    }

    static String type(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return "any";
        }
        JsonNode ref = schema.get("$ref");
        if (ref != null) {
            String r = ref.asText();
            return r.substring(r.lastIndexOf('/') + 1);
        }
        JsonNode en = schema.get("enum");
        if (en != null && en.isArray() && en.size() > 0 && en.size() <= 4) {
            List<String> values = new ArrayList<>();
            en.forEach(v -> values.add(v.isTextual() ? "\"" + v.asText() + "\"" : v.toString()));
            return String.join("|", values);
        }
        JsonNode type = schema.get("type");
        if (type != null && type.isArray()) {
            List<String> types = new ArrayList<>();
            type.forEach(t -> {
                if (!t.asText().equals("null")) {
                    types.add(t.asText());
                }
            });
            type = types.size() == 1 ? com.fasterxml.jackson.databind.node.TextNode.valueOf(types.get(0)) : null;
        }
        if (type != null && type.isTextual()) {
            return switch (type.asText()) {
                case "array" -> type(schema.get("items")) + "[]";
                default -> type.asText();
            };
        }
        for (String key : new String[] { "oneOf", "anyOf" }) {
            JsonNode alts = schema.get(key);
            if (alts != null && alts.isArray() && alts.size() > 0) {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < alts.size() && i < 3; i++) {
                    names.add(type(alts.get(i)));
                }
                return String.join(" | ", names);
            }
        }
        return schema.has("properties") ? "object" : "any";
    }
}
