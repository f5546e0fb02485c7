package dev.executor.catalog;

import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One normalized tool of a manifest: what an agent needs to find, understand and call it. Inert
 * data; the schemas are JSON Schema draft 2020-12 and must not be mutated once built (they may share
 * subtrees).
 *
 * @param name stable name, {@code [a-z0-9_]+}, unique within the manifest: the {@code <tool>} segment of addresses
 * @param description summary and description of the operation, for people and for search
 * @param inputSchema one object schema combining every parameter and the body
 * @param outputSchema schema of the success result; {@code null} when the source declares none
 * @param outputName short name of the result type for signatures, e.g. {@code issue} or {@code pet[]}
 * @param labels free-form labels, e.g. {@code tag=issues}, {@code deprecated=true}
 */
public record ToolDefinition(String name, String description, ObjectNode inputSchema, ObjectNode outputSchema,
        String outputName, SideEffect sideEffect, AuthTemplate auth, Map<String, String> labels,
        ToolBinding binding) {

    public ToolDefinition {
        description = description == null ? "" : description;
        auth = auth == null ? AuthTemplate.NONE : auth;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
