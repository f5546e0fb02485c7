package dev.executor.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

import dev.executor.catalog.source.DocumentLoader;

/** The shared third-party fixtures ({@code shared/fixtures} beside the repository). */
public final class Fixtures {

    private static final Path ROOT = locate();

    private Fixtures() {
    }

    public static Path root() {
        return ROOT;
    }

    public static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    /** The text of a fixture; {@code .gz} files are decompressed. */
    public static String text(String relative) {
        Path p = path(relative);
        try (InputStream in = relative.endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(p)) : Files.newInputStream(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String githubRest() {
        return text("openapi/github/api.github.com.json.gz");
    }

    /** A loader with the service's default limits. */
    public static DocumentLoader loader() {
        return new DocumentLoader(32L * 1024 * 1024, 160, Duration.ofSeconds(5));
    }

    private static Path locate() {
        String configured = System.getProperty("executor.fixtures");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/fixtures");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            Path sibling = dir.resolveSibling("shared").resolve("fixtures");
            if (Files.isDirectory(sibling)) {
                return sibling;
            }
        }
        throw new IllegalStateException("shared/fixtures not found above " + Path.of("").toAbsolutePath()
                + "; set -Dexecutor.fixtures=/path/to/shared/fixtures");
    }
}
