package dev.executor.launcher.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Directory helpers shared by the servers. */
final class Dirs {

    private Dirs() {
    }

    /**
     * The cache of unpacked distributions: {@code $EXECUTOR_CACHE_DIR}, else the system property
     * {@code executor.cache.dir}, else {@code ~/.cache/executor}.
     */
    static Path cacheDir() {
        String env = System.getenv("EXECUTOR_CACHE_DIR");
        String prop = System.getProperty("executor.cache.dir");
        Path dir = env != null && !env.isBlank() ? Paths.get(env)
                : prop != null && !prop.isBlank() ? Paths.get(prop)
                : Paths.get(System.getProperty("user.home"), ".cache", "executor");
        try {
            return Files.createDirectories(dir.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create cache dir " + dir, e);
        }
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temp dir", e);
        }
    }

    /** Deletes {@code dir} recursively; missing files are ignored. */
    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }
}
