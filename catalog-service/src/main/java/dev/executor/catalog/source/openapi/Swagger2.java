package dev.executor.catalog.source.openapi;

import com.fasterxml.jackson.databind.JsonNode;

import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.ImportException.Kind;
import io.swagger.parser.util.SwaggerDeserializationResult;
import io.swagger.parser.util.SwaggerDeserializer;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.parser.converter.SwaggerConverter;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

/**
 * Swagger 2.0 → OpenAPI 3.0 with swagger-parser. The already-parsed tree is deserialized as is
 * (no reference is resolved, so nothing is fetched) and converted; the result goes back to a JSON
 * tree for the common normalizer.
 */
final class Swagger2 {

    private Swagger2() {
    }

    static JsonNode toOpenApi30(JsonNode swagger) throws ImportException {
        SwaggerParseResult result;
        try {
            SwaggerDeserializationResult parsed = new SwaggerDeserializer().deserialize(swagger);
            if (parsed.getSwagger() == null) {
                throw new ImportException(Kind.INVALID_SPEC, "The Swagger 2.0 document could not be read: " + parsed.getMessages());
            }
            result = new SwaggerConverter().convert(parsed);
        } catch (RuntimeException e) {
            throw new ImportException(Kind.INVALID_SPEC, "The Swagger 2.0 document could not be converted: " + e.getMessage());
        }
        if (result == null || result.getOpenAPI() == null) {
            throw new ImportException(Kind.INVALID_SPEC, "The Swagger 2.0 document could not be converted"
                    + (result == null ? "." : ": " + result.getMessages()));
        }
        return Json.mapper().valueToTree(result.getOpenAPI());
    }
}
