package dev.executor.catalog.source.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.executor.catalog.Fixtures;
import dev.executor.catalog.Manifest;
import dev.executor.catalog.SideEffect;
import dev.executor.catalog.ToolBinding;
import dev.executor.catalog.ToolDefinition;
import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.SourceConfig;

class OpenApiImporterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static OpenApiImporter importer;
    private static Manifest github;

    @BeforeAll
    static void importGithub() throws Exception {
        importer = new OpenApiImporter(Fixtures.loader());
        github = importer.normalize(Fixtures.githubRest(), SourceConfig.inline("-"));
    }

    static Stream<String> fixtures() throws IOException {
        try (Stream<Path> files = Files.walk(Fixtures.path("openapi"))) {
            return files.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".json.gz"))
                    .map(f -> Fixtures.root().relativize(f).toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void importsEveryFixtureWithOneToolPerOperationAndValidNames(String fixture) throws Exception {
        // Given
        String text = Fixtures.text(fixture);

        // When
        Manifest manifest = importer.normalize(text, SourceConfig.inline("-"));

        // Then: one tool per operation, counted independently of the importer
        assertEquals(countOperations(JSON.readTree(text)), manifest.tools().size(), fixture);
        Set<String> names = new HashSet<>();
        for (ToolDefinition tool : manifest.tools()) {
            assertTrue(tool.name().matches("[a-z0-9_]+"), tool.name());
            assertTrue(names.add(tool.name()), "duplicate " + tool.name());
            assertEquals("object", tool.inputSchema().get("type").asText(), tool.name());
            assertInstanceOf(ToolBinding.Http.class, tool.binding());
            assertNoDanglingDefs(tool.inputSchema(), tool.name());
            if (tool.outputSchema() != null) {
                assertNoDanglingDefs(tool.outputSchema(), tool.name());
            }
        }
    }

    @Test
    void importsAllGithubRestOperationsWithoutWarnings() {
        // Then
        assertEquals(1223, github.tools().size());
        assertEquals(List.of(), github.warnings());
        assertEquals("https://api.github.com", github.baseUrl());
        assertTrue(github.declaredHosts().contains("api.github.com"));
        Map<String, ToolDefinition> byName = byName(github);
        ToolDefinition get = byName.get("repos_get");
        assertEquals(SideEffect.READ, get.sideEffect());
        assertEquals(Set.of("owner", "repo"), requiredOf(get.inputSchema()));
        assertEquals("full-repository", get.outputName());
        assertEquals("repos/get", get.labels().get("operation_id"));
        assertEquals("repos", get.labels().get("tag"));
    }

    @Test
    void flattensAnObjectBodyIntoTheArgumentsAndBindsItBack() {
        // Given
        ToolDefinition create = byName(github).get("issues_create");

        // Then: path parameters and body properties sit side by side, the binding says which is which
        assertEquals(SideEffect.WRITE, create.sideEffect());
        assertEquals(Set.of("owner", "repo", "title"), requiredOf(create.inputSchema()));
        assertTrue(create.inputSchema().get("properties").has("body"));
        ToolBinding.Http http = (ToolBinding.Http) create.binding();
        assertEquals("POST", http.method());
        assertEquals("/repos/{owner}/{repo}/issues", http.pathTemplate());
        assertEquals("", http.bodyArgument());
        assertTrue(http.bodyProperties().containsAll(List.of("title", "body", "labels", "assignees")));
        assertEquals("application/json", http.bodyContentType());
    }

    @Test
    void classifiesSideEffectsByHttpMethod() {
        Map<String, ToolDefinition> byName = byName(github);
        assertEquals(SideEffect.DESTRUCTIVE, byName.get("repos_delete").sideEffect());
        assertEquals(SideEffect.WRITE, byName.get("repos_update").sideEffect());
        assertEquals(SideEffect.WRITE, byName.get("pulls_merge").sideEffect());
        assertEquals(SideEffect.READ, byName.get("pulls_list").sideEffect());
    }

    @ParameterizedTest
    @ValueSource(strings = { "2.0", "3.0", "3.1" })
    void normalizesThePetstoreIdenticallyInEveryVersion(String version) throws Exception {
        // When
        Manifest pet = importer.normalize(Fixtures.text("openapi/readme-oas-examples/" + version + "/petstore.json"),
                SourceConfig.inline("-"));

        // Then
        Map<String, ToolDefinition> byName = byName(pet);
        assertEquals(20, pet.tools().size());
        assertEquals(Set.of("add_pet", "update_pet", "find_pets_by_status", "find_pets_by_tags", "get_pet_by_id",
                "update_pet_with_form", "delete_pet", "upload_file", "get_inventory", "place_order", "get_order_by_id",
                "delete_order", "create_user", "create_users_with_array_input", "create_users_with_list_input", "login_user",
                "logout_user", "get_user_by_name", "update_user", "delete_user"), byName.keySet());
        assertEquals("http://petstore.swagger.io/v2", pet.baseUrl());
        assertEquals(List.of("petstore.swagger.io"), pet.declaredHosts());

        ToolDefinition getPet = byName.get("get_pet_by_id");
        JsonNode petId = getPet.inputSchema().at("/properties/petId");
        assertEquals("integer", petId.get("type").asText());
        assertEquals(Set.of("petId"), requiredOf(getPet.inputSchema()));
        assertEquals("Pet", getPet.outputName());
        assertEquals(Set.of("name", "photoUrls"), requiredOf(getPet.outputSchema()));
        assertEquals("string", getPet.outputSchema().at("/properties/status/type").asText());
        assertEquals(3, getPet.outputSchema().at("/properties/status/enum").size());
        assertEquals("api_key", getPet.auth().type());
        assertEquals("header", getPet.auth().location());

        ToolDefinition addPet = byName.get("add_pet");
        assertEquals(SideEffect.WRITE, addPet.sideEffect());
        assertEquals(Set.of("name", "photoUrls"), requiredOf(addPet.inputSchema()));
        assertEquals("array", addPet.inputSchema().at("/properties/photoUrls/type").asText());
        assertEquals("oauth2", addPet.auth().type());
        assertTrue(addPet.auth().oauthScopes().contains("write:pets"));

        assertEquals(SideEffect.DESTRUCTIVE, byName.get("delete_pet").sideEffect());
        ToolBinding.Http login = (ToolBinding.Http) byName.get("login_user").binding();
        assertEquals(List.of("username", "password"), login.parameters().stream().map(ToolBinding.Parameter::name).toList());
        assertEquals(ToolBinding.Location.QUERY, login.parameters().get(0).location());
    }

    @Test
    void definesSelfReferencingSchemasOnceUnderDefs() throws Exception {
        // Given 3.0/schema-circular.json: PUT /circular takes a node whose children are nodes
        Manifest m = importer.normalize(Fixtures.text("openapi/readme-oas-examples/3.0/schema-circular.json"), SourceConfig.inline("-"));

        // Then every cycle is cut with a $defs reference that resolves inside the same schema
        long withDefs = m.tools().stream().filter(t -> t.inputSchema().has("$defs")
                || t.outputSchema() != null && t.outputSchema().has("$defs")).count();
        assertTrue(withDefs >= 1, "a circular schema must be expressed with $defs");
        for (ToolDefinition t : m.tools()) {
            assertTrue(t.inputSchema().toString().length() < 50_000, t.name());
        }
    }

    @Test
    void resolvesReferencesIntoOtherPathsAndCircularRequestBodies() throws Exception {
        // Given documents whose $refs point into paths and whose request bodies refer to themselves
        Manifest paths = importer.normalize(Fixtures.text("openapi/readme-oas-examples/3.0/circular-paths.json"), SourceConfig.inline("-"));
        Manifest bodies = importer.normalize(Fixtures.text("openapi/readme-oas-examples/3.0/circular-request-bodies.json"),
                SourceConfig.inline("-"));
        Manifest swagger = importer.normalize(Fixtures.text("openapi/readme-oas-examples/2.0/schema-circular.json"), SourceConfig.inline("-"));

        // Then
        assertEquals(3, paths.tools().size());
        assertEquals(4, bodies.tools().size());
        assertEquals(1, swagger.tools().size());
        JsonNode getAnything = byName(paths).get("get_anything").outputSchema();
        assertNotNull(getAnything.at("/properties/offsetBefore"));
        assertFalse(getAnything.at("/properties/offsetBefore").isMissingNode());
    }

    @Test
    void namesOperationsWithoutAnIdByMethodAndPathAndSaysSo() throws Exception {
        // When
        Manifest m = importer.normalize(Fixtures.text("openapi/readme-oas-examples/2.0/petstore-minimal.json"), SourceConfig.inline("-"));

        // Then
        assertEquals("get_pets", m.tools().get(0).name());
        assertEquals(List.of("operation GET /pets has no operationId; named get_pets"), m.warnings());
    }

    @Test
    void readsYamlAsWellAsJson() throws Exception {
        // Given the 3.0 petstore as YAML
        String yaml = new YAMLMapper().writeValueAsString(JSON.readTree(Fixtures.text("openapi/readme-oas-examples/3.0/petstore.json")));

        // When
        Manifest m = importer.normalize(yaml, SourceConfig.inline("-"));

        // Then
        assertEquals(20, m.tools().size());
    }

    @Test
    void skipsABrokenOperationWithAWarningAndKeepsTheRest() throws Exception {
        // Given one sound operation, one with a dangling $ref and one with an undeclared path parameter
        String doc = """
                {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                 "paths": {
                   "/ok": {"get": {"operationId": "ok", "responses": {"200": {"description": "ok"}}}},
                   "/dangling": {"post": {"operationId": "dangling",
                      "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}},
                      "responses": {"200": {"description": "ok"}}}},
                   "/items/{id}": {"get": {"operationId": "undeclared", "responses": {"200": {"description": "ok"}}}}
                 }}""";

        // When
        Manifest m = importer.normalize(doc, SourceConfig.inline("-"));

        // Then
        assertEquals(List.of("ok"), m.tools().stream().map(ToolDefinition::name).toList());
        assertEquals(2, m.warnings().size());
        assertTrue(m.warnings().get(0).contains("POST /dangling skipped: $ref '#/components/schemas/Nope' does not resolve"), m.warnings().get(0));
        assertTrue(m.warnings().get(1).contains("path parameter '{id}' is not declared"), m.warnings().get(1));
    }

    @Test
    void neverFollowsAReferenceToAnotherHostOrALocalFile() throws Exception {
        // Given $refs to a remote URL and to a local file
        String doc = """
                {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                 "paths": {"/x": {"post": {"operationId": "x",
                   "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                      "remote": {"$ref": "http://127.0.0.1:1/evil.json#/Evil"},
                      "local": {"$ref": "file:///etc/passwd"}}}}}},
                   "responses": {"200": {"description": "ok"}}}}}}""";

        // When
        Manifest m = importer.normalize(doc, SourceConfig.inline("-"));

        // Then the tool imports, both references accept anything, and the warnings say why
        JsonNode props = m.tools().get(0).inputSchema().get("properties");
        assertTrue(props.get("remote").get("description").asText().contains("Unresolved external reference"));
        assertTrue(props.get("local").get("description").asText().contains("file:///etc/passwd"));
        assertEquals(2, m.warnings().size());
        assertTrue(m.warnings().get(0).contains("not followed"));
    }

    @Test
    void translatesOpenApi30KeywordsToJsonSchema2020() throws Exception {
        // Given nullable, boolean exclusiveMinimum, example, readOnly and an extension
        String doc = """
                {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                 "paths": {"/x": {"post": {"operationId": "x",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                      "required": ["id", "n"],
                      "properties": {
                        "id": {"type": "string", "readOnly": true},
                        "n": {"type": "integer", "minimum": 0, "exclusiveMinimum": true, "example": 5},
                        "note": {"type": "string", "nullable": true, "x-internal": "yes"}}}}}},
                   "responses": {"200": {"description": "ok"}}}}}}""";

        // When
        JsonNode in = importer.normalize(doc, SourceConfig.inline("-")).tools().get(0).inputSchema();

        // Then
        assertFalse(in.get("properties").has("id"), "readOnly properties are not inputs");
        assertEquals(Set.of("n"), requiredOf(in));
        assertEquals(0, in.at("/properties/n/exclusiveMinimum").asInt());
        assertTrue(in.at("/properties/n/minimum").isMissingNode());
        assertEquals(5, in.at("/properties/n/examples/0").asInt());
        assertEquals("[\"string\",\"null\"]", in.at("/properties/note/type").toString());
        assertTrue(in.at("/properties/note/x-internal").isMissingNode());
    }

    @Test
    void dropsAHugeEnumWithANoteInsteadOfCarryingIt() throws Exception {
        // Given an enum of 5,000 values
        String values = Stream.iterate(0, i -> i + 1).limit(5000).map(i -> "\"v" + i + "\"").collect(Collectors.joining(","));
        String doc = """
                {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                 "paths": {"/x": {"get": {"operationId": "x", "parameters": [
                   {"name": "kind", "in": "query", "schema": {"type": "string", "enum": [%s]}}],
                   "responses": {"200": {"description": "ok"}}}}}}""".formatted(values);

        // When
        Manifest m = importer.normalize(doc, SourceConfig.inline("-"));

        // Then
        JsonNode kind = m.tools().get(0).inputSchema().at("/properties/kind");
        assertNull(kind.get("enum"));
        assertTrue(kind.get("description").asText().contains("5000 values"));
        assertEquals(1, m.warnings().size());
    }

    @Test
    void refusesADocumentThatIsNotAnApiDescription() {
        assertMessage(ImportException.Kind.INVALID_SPEC, "not a JSON or YAML object", "just some words");
        assertMessage(ImportException.Kind.INVALID_SPEC, "not valid JSON", "{\"openapi\": \"3.0.0\", ");
        assertMessage(ImportException.Kind.INVALID_SPEC, "no 'openapi' or 'swagger' field", "{\"hello\": \"world\"}");
        assertMessage(ImportException.Kind.INVALID_SPEC, "GraphQL introspection", "{\"data\": {\"__schema\": {}}}");
        assertMessage(ImportException.Kind.INVALID_SPEC, "not supported", "{\"openapi\": \"4.0.0\"}");
        assertMessage(ImportException.Kind.INVALID_SPEC, "not valid YAML", "\u0000\u0001\u0002binary: [");
    }

    @Test
    void refusesADocumentOverTheSizeLimit() {
        // Given a 50 MB document
        String huge = "{\"openapi\": \"3.0.0\", \"x\": \"" + "a".repeat(50 * 1024 * 1024) + "\"}";

        // Then
        assertMessage(ImportException.Kind.TOO_LARGE, "the limit is 32 MB", huge);
    }

    @Test
    void refusesDeeplyNestedDocumentsWithoutOverflowingTheStack() {
        // Given JSON and YAML nested 100,000 levels deep, and a YAML alias bomb
        String json = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        String yaml = "[".repeat(100_000) + "]".repeat(100_000);
        String bomb = """
                a: &a ["x","x","x","x","x","x","x","x","x"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                """;

        // Then
        assertMessage(ImportException.Kind.TOO_LARGE, "nesting deeper than 160", json);
        assertThrows(ImportException.class, () -> importer.normalize("openapi: 3.0.0\nx: " + yaml, SourceConfig.inline("-")));
        assertThrows(ImportException.class, () -> importer.normalize(bomb, SourceConfig.inline("-")));
    }

    private static void assertMessage(ImportException.Kind kind, String fragment, String doc) {
        ImportException e = assertThrows(ImportException.class, () -> importer.normalize(doc, SourceConfig.inline("-")));
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    static Map<String, ToolDefinition> byName(Manifest m) {
        return m.tools().stream().collect(Collectors.toMap(ToolDefinition::name, Function.identity()));
    }

    static Set<String> requiredOf(JsonNode schema) {
        Set<String> out = new HashSet<>();
        schema.path("required").forEach(r -> out.add(r.asText()));
        return out;
    }

    private static int countOperations(JsonNode doc) {
        int n = 0;
        JsonNode paths = doc.path("paths");
        for (var it = paths.fields(); it.hasNext();) {
            JsonNode item = it.next().getValue();
            if (item.has("$ref")) {
                item = doc.at(item.get("$ref").asText().substring(1));
            }
            for (var m = item.fieldNames(); m.hasNext();) {
                if (METHODS.contains(m.next())) {
                    n++;
                }
            }
        }
        return n;
    }

    private static void assertNoDanglingDefs(JsonNode schema, String tool) {
        Set<String> defined = new HashSet<>();
        schema.path("$defs").fieldNames().forEachRemaining(defined::add);
        List<String> refs = schema.findValuesAsText("$ref");
        for (String ref : refs) {
            assertTrue(ref.startsWith("#/$defs/") && defined.contains(ref.substring(8)), tool + ": dangling " + ref);
        }
    }
}
