package dev.executor.catalog.source.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.executor.catalog.Fixtures;
import dev.executor.catalog.Manifest;
import dev.executor.catalog.SideEffect;
import dev.executor.catalog.ToolBinding;
import dev.executor.catalog.ToolDefinition;
import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.SourceConfig;

class GraphqlImporterTest {

    private static GraphqlImporter importer;
    private static Manifest introspected;

    @BeforeAll
    static void importGithub() throws Exception {
        importer = new GraphqlImporter(Fixtures.loader());
        introspected = importer.normalize(Fixtures.text("graphql/github/schema.json"), SourceConfig.inline("-"));
    }

    @Test
    void importsEveryGithubRootFieldFromTheIntrospectionResult() {
        // Then: 30 query fields and 242 mutations
        assertEquals(272, introspected.tools().size());
        assertEquals(30, introspected.tools().stream().filter(t -> t.sideEffect() == SideEffect.READ).count());
        Set<String> names = new HashSet<>();
        introspected.tools().forEach(t -> assertTrue(names.add(t.name()) && t.name().matches("[a-z0-9_]+"), t.name()));
    }

    @Test
    void describesAQueryWithItsArgumentsDocumentAndSelection() {
        // Given
        ToolDefinition repository = byName(introspected).get("query_repository");

        // Then
        assertEquals(SideEffect.READ, repository.sideEffect());
        assertEquals(Set.of("owner", "name"), required(repository.inputSchema()));
        assertEquals("string", repository.inputSchema().at("/properties/owner/type").asText());
        assertEquals("Repository", repository.outputName());
        ToolBinding.Graphql binding = (ToolBinding.Graphql) repository.binding();
        assertEquals("query", binding.operationType());
        assertTrue(binding.document().startsWith("query Repository($followRenames: Boolean, $name: String!, $owner: String!)")
                || binding.document().contains("repository(") && binding.document().contains("$owner: String!"), binding.document());
        assertTrue(binding.document().contains(" id"), binding.document());
        assertTrue(repository.outputSchema().at("/properties/repository/properties/id").isObject());
    }

    @Test
    void classifiesMutationsAsWritesAndDeletionsAsDestructive() {
        Map<String, ToolDefinition> byName = byName(introspected);
        ToolDefinition addComment = byName.get("mutation_add_comment");
        assertEquals(SideEffect.WRITE, addComment.sideEffect());
        assertEquals(Set.of("input"), required(addComment.inputSchema()));
        JsonNode input = addComment.inputSchema().at("/properties/input");
        assertEquals(Set.of("body", "subjectId"), required(input));
        assertEquals(SideEffect.DESTRUCTIVE, byName.get("mutation_delete_issue").sideEffect());
    }

    @Test
    void importsTheSdlDespiteItsDuplicatedFieldWithAWarning() throws Exception {
        // When: the SDL, which strict parsers reject because one field is defined twice
        Manifest sdl = importer.normalize(Fixtures.text("graphql/github/schema.graphql"), SourceConfig.inline("-"));

        // Then: the SDL is a slightly newer schema than the introspection result: 31 queries, 247 mutations
        assertEquals(278, sdl.tools().size());
        assertTrue(sdl.warnings().stream().anyMatch(w -> w.contains("twice; the first definition is used")), sdl.warnings().toString());
    }

    @Test
    void cutsRecursiveInputTypesWithDefs() throws Exception {
        // Given an input type that contains itself
        String sdl = """
                type Query { search(filter: Filter!): [String!]! }
                input Filter { and: [Filter!] name: String }
                """;

        // When
        ToolDefinition search = importer.normalize(sdl, SourceConfig.inline("-")).tools().get(0);

        // Then
        assertEquals("query_search", search.name());
        assertEquals("#/$defs/Filter", search.inputSchema().at("/properties/filter/properties/and/items/$ref").asText());
        assertTrue(search.inputSchema().at("/$defs/Filter/properties/name").isObject());
        assertEquals("String[]", search.outputName());
    }

    @Test
    void refusesWhatIsNeitherSdlNorIntrospection() {
        ImportException e = assertThrows(ImportException.class, () -> importer.normalize("this is not graphql {", SourceConfig.inline("-")));
        assertEquals(ImportException.Kind.INVALID_SPEC, e.kind());
        assertTrue(e.getMessage().contains("neither a GraphQL introspection result"), e.getMessage());
        ImportException json = assertThrows(ImportException.class, () -> importer.normalize("{\"openapi\": \"3.0.0\"}", SourceConfig.inline("-")));
        assertTrue(json.getMessage().contains("not a GraphQL introspection result"), json.getMessage());
    }

    private static Map<String, ToolDefinition> byName(Manifest m) {
        return m.tools().stream().collect(Collectors.toMap(ToolDefinition::name, Function.identity()));
    }

    private static Set<String> required(JsonNode schema) {
        Set<String> out = new HashSet<>();
        schema.path("required").forEach(r -> out.add(r.asText()));
        return out;
    }
}
