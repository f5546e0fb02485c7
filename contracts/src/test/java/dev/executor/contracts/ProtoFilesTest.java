package dev.executor.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProtoFilesTest {

    /** The only non-Executor imports allowed: services compile these protos with plain protoc. */
    private static final Set<String> WELL_KNOWN_IMPORTS = Set.of(
            "google/protobuf/struct.proto", "google/protobuf/timestamp.proto", "google/protobuf/duration.proto",
            "google/protobuf/empty.proto");
    private static final Pattern IMPORT = Pattern.compile("(?m)^import \"([^\"]+)\";");

    static Stream<Path> protoFiles() throws IOException, URISyntaxException {
        Path root = resourceRoot();
        try (Stream<Path> files = Files.walk(root.resolve("executor"))) {
            return files.filter(p -> p.toString().endsWith(".proto")).map(root::relativize).sorted().toList().stream();
        }
    }

    @Test
    void everyDomainHasItsProto() throws Exception {
        // Given
        List<String> expected = List.of(
                "executor/catalog/v1/catalog.proto", "executor/common/v1/common.proto",
                "executor/invoker/v1/invoker.proto", "executor/ledger/v1/run_ledger.proto",
                "executor/policy/v1/policy.proto", "executor/secrets/v1/secrets_proxy.proto");

        // When
        List<String> found = protoFiles().map(p -> p.toString().replace('\\', '/')).toList();

        // Then
        assertEquals(expected, found);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protoFiles")
    void declaresThePackageAndJavaPackageOfItsDirectory(Path proto) throws Exception {
        // Given
        String domain = proto.getName(1).toString();
        String version = proto.getName(2).toString();

        // When
        String text = Files.readString(resourceRoot().resolve(proto));

        // Then
        assertTrue(text.contains("syntax = \"proto3\";"), "proto3");
        assertTrue(text.contains("\npackage executor." + domain + "." + version + ";"), "package");
        assertTrue(text.contains("option java_package = \"dev.executor." + domain + "." + version + "\";"), "java_package");
        assertTrue(text.contains("option java_multiple_files = true;"), "java_multiple_files");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protoFiles")
    void importsOnlyExecutorProtosAndWellKnownTypes(Path proto) throws Exception {
        // Given
        String text = Files.readString(resourceRoot().resolve(proto));

        // When
        Matcher imports = IMPORT.matcher(text);

        // Then
        while (imports.find()) {
            String imported = imports.group(1);
            assertTrue(WELL_KNOWN_IMPORTS.contains(imported)
                            || Files.exists(resourceRoot().resolve(imported)) && imported.startsWith("executor/"),
                    proto + " imports " + imported);
        }
    }

    @Test
    void commonProtoDocumentsEveryErrorReasonAndTrailer() throws Exception {
        // Given
        String common = Files.readString(resourceRoot().resolve("executor/common/v1/common.proto"));

        // When / Then
        for (String reason : ErrorReasons.ALL) {
            assertTrue(common.contains("// | " + reason + " "), reason);
        }
        assertTrue(common.contains(ErrorReasons.REASON_TRAILER));
        assertTrue(common.contains(ErrorReasons.DETAIL_TRAILER));
        assertEquals(21, ErrorReasons.ALL.size());
    }

    private static Path resourceRoot() throws URISyntaxException {
        return Path.of(ProtoFilesTest.class.getClassLoader().getResource("executor").toURI()).getParent();
    }
}
