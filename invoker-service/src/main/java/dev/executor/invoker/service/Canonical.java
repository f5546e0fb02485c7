package dev.executor.invoker.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The input hash recorded on every Run: {@code sha256:<hex>} of the arguments' canonical JSON
 * (object members sorted by key, no whitespace, as RFC 8785 does), so equal arguments hash equally
 * whatever order the caller wrote them in. Number formatting follows Jackson, which matches RFC 8785
 * for integers and for the usual decimals.
 */
public final class Canonical {

    private Canonical() {
    }

    public static String hash(JsonNode value) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest(sorted(value).toString().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode sorted(JsonNode value) {
        if (value == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (value.isObject()) {
            List<String> names = new ArrayList<>();
            value.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (String name : names) {
                out.set(name, sorted(value.get(name)));
            }
            return out;
        }
        if (value.isArray()) {
            var out = JsonNodeFactory.instance.arrayNode();
            value.forEach(v -> out.add(sorted(v)));
            return out;
        }
        return value;
    }
}
