package dev.executor.invoker.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;

import dev.executor.common.v1.Violation;

/**
 * Validates JSON against a tool's schemas with a real JSON Schema validator (networknt; drafts 4
 * to 2020-12, 2020-12 when a schema names none). Every violation is reported with a JSON Pointer to
 * the offending value, the failed keyword and a message. Compiled schemas are cached by their text.
 *
 * <p>A schema never makes the invoker fetch anything: only the validator's bundled meta-schemas
 * load; a {@code $ref} to a URL fails validation instead of reaching the network.
 */
@ApplicationScoped
public class ArgumentValidator {

    private static final int MAX_CACHED = 20_000;
    private static final int MAX_VIOLATIONS = 50;

    private final ObjectMapper json;
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER)
            .formatAssertionsEnabled(true).build();
    private final Map<String, JsonSchema> compiled = new ConcurrentHashMap<>();

    public ArgumentValidator(ObjectMapper json) {
        this.json = json;
    }

    /** The violations of {@code value} against {@code schemaJson}; empty when valid or when there is no schema. */
    public List<Violation> validate(String schemaJson, JsonNode value) {
        if (schemaJson == null || schemaJson.isBlank()) {
            return List.of();
        }
        JsonSchema schema = compiled.get(schemaJson);
        if (schema == null) {
            schema = compile(schemaJson);
            if (compiled.size() >= MAX_CACHED) {
                compiled.clear();
            }
            compiled.put(schemaJson, schema);
        }
        List<Violation> violations = new ArrayList<>();
        for (ValidationMessage m : schema.validate(value)) {
            violations.add(violation(m));
        }
        violations.sort(Comparator.comparing(Violation::getPath).thenComparing(Violation::getKeyword));
        return violations.size() > MAX_VIOLATIONS ? violations.subList(0, MAX_VIOLATIONS) : violations;
    }

    private JsonSchema compile(String schemaJson) {
        try {
            JsonNode node = json.readTree(schemaJson);
            SpecVersion.VersionFlag version = node.has("$schema") ? SpecVersionDetector.detectOptionalVersion(node, false)
                    .orElse(SpecVersion.VersionFlag.V202012) : SpecVersion.VersionFlag.V202012;
            JsonSchemaFactory factory = JsonSchemaFactory.getInstance(version,
                    b -> b.schemaLoaders(loaders -> loaders.add(new AllowSchemaLoader(iri -> iri.toString().startsWith("classpath:")))));
            return factory.getSchema(node, config);
        } catch (Exception e) {
            throw new InvokerException(dev.executor.contracts.ErrorReasons.INTERNAL,
                    "The tool's input schema cannot be compiled; ask an admin to refresh its source.");
        }
    }

    private static Violation violation(ValidationMessage m) {
        String path = m.getInstanceLocation() == null ? "" : m.getInstanceLocation().toString();
        if (path.equals("/") ) {
            path = "";
        }
        String keyword = m.getType() == null ? "" : m.getType();
        if ("required".equals(keyword) && m.getProperty() != null) {
            path = path + "/" + m.getProperty().replace("~", "~0").replace("/", "~1");
        }
        String message = m.getError() != null ? m.getError() : m.getMessage();
        return Violation.newBuilder().setPath(path).setKeyword(keyword).setMessage(message).build();
    }
}
