package dev.executor.launcher.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The Keycloak server distribution ({@code org.keycloak:keycloak-quarkus-dist:zip} from Maven
 * Central), unpacked once into {@code <cache>/keycloak-<version>} and shared by every instance.
 *
 * <p>Concurrency: unpacking and the first (re-augmenting) start happen under {@link #lock()}, an
 * exclusive lock on {@code <cache>/keycloak-<version>.lock} that holds across JVMs and threads.
 */
final class KeycloakDistribution {

    static final String PROPERTIES = "/dev/executor/launcher/launcher.properties";
    private static final String UNPACKED_MARKER = ".executor-unpacked";
    private static final ReentrantLock IN_JVM = new ReentrantLock();

    private final String version;
    private final Path zip;
    private final Path home;
    private final Path lockFile;

    private KeycloakDistribution(String version, Path zip, Path cacheDir) {
        this.version = version;
        this.zip = zip;
        this.home = cacheDir.resolve("keycloak-" + version);
        this.lockFile = cacheDir.resolve("keycloak-" + version + ".lock");
    }

    /**
     * Locates the zip: {@code explicitZip}, else {@code -Dexecutor.keycloak.dist.zip} /
     * {@code $EXECUTOR_KEYCLOAK_DIST_ZIP}, else the path recorded at build time in
     * {@code launcher.properties}, else the local Maven repository
     * ({@code -Dmaven.repo.local} or {@code ~/.m2/repository}).
     */
    static KeycloakDistribution locate(Path explicitZip) {
        Properties props = new Properties();
        try (InputStream in = KeycloakDistribution.class.getResourceAsStream(PROPERTIES)) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + PROPERTIES, e);
        }
        String version = filtered(props.getProperty("keycloak.version"), "26.7.3");
        Path zip = firstExisting(
                explicitZip,
                pathOf(System.getProperty("executor.keycloak.dist.zip")),
                pathOf(System.getenv("EXECUTOR_KEYCLOAK_DIST_ZIP")),
                pathOf(filtered(props.getProperty("keycloak.dist.zip"), null)),
                localRepository().resolve(Paths.get("org", "keycloak", "keycloak-quarkus-dist", version,
                        "keycloak-quarkus-dist-" + version + ".zip")));
        if (zip == null) {
            throw new IllegalStateException("Keycloak distribution " + version + " not found. Fetch it with: "
                    + "mvn dependency:get -Dartifact=org.keycloak:keycloak-quarkus-dist:" + version + ":zip "
                    + "(or point -Dexecutor.keycloak.dist.zip at the zip)");
        }
        return new KeycloakDistribution(version, zip, Dirs.cacheDir());
    }

    String version() {
        return version;
    }

    Path home() {
        return home;
    }

    Path kcSh() {
        return home.resolve("bin").resolve("kc.sh");
    }

    /** Unpacks the zip unless a complete copy is already there. Takes {@link #lock()} itself. */
    void install() {
        try (Lock ignored = lock()) {
            if (Files.exists(home.resolve(UNPACKED_MARKER))) {
                return;
            }
            Path staging = home.resolveSibling(home.getFileName() + ".unpacking-" + UUID.randomUUID());
            try {
                unzip(zip, staging);
                Path root = staging.resolve("keycloak-" + version);
                Path unpacked = Files.isDirectory(root) ? root : staging;
                try (Stream<Path> scripts = Files.list(unpacked.resolve("bin"))) {
                    scripts.filter(p -> p.toString().endsWith(".sh")).forEach(p -> p.toFile().setExecutable(true, false));
                }
                Files.writeString(unpacked.resolve(UNPACKED_MARKER), zip + "\n");
                Dirs.deleteRecursively(home);
                Files.move(unpacked, home, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Dirs.deleteRecursively(staging);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot unpack " + zip + " into " + home, e);
        }
    }

    /** Whether a start-dev with {@code buildOptions} already re-augmented this copy. */
    boolean isAugmented(String buildOptions) {
        try {
            Path marker = home.resolve(".executor-augmented");
            return Files.exists(marker) && Files.readString(marker).equals(buildOptions);
        } catch (IOException e) {
            return false;
        }
    }

    void markAugmented(String buildOptions) {
        try {
            Files.writeString(home.resolve(".executor-augmented"), buildOptions);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the augmentation marker in " + home, e);
        }
    }

    /** An exclusive lock over this distribution, across threads and JVMs. */
    Lock lock() throws IOException {
        IN_JVM.lock();
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.lock();
            return new Lock(channel, fileLock);
        } catch (IOException | RuntimeException e) {
            IN_JVM.unlock();
            throw e;
        }
    }

    /** Held until closed; closing twice is harmless. */
    static final class Lock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock fileLock;
        private boolean released;

        private Lock(FileChannel channel, FileLock fileLock) {
            this.channel = channel;
            this.fileLock = fileLock;
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            try {
                fileLock.release();
                channel.close();
            } catch (IOException e) {
                // closing the channel releases the lock anyway
            } finally {
                IN_JVM.unlock();
            }
        }
    }

    private static void unzip(Path zip, Path target) throws IOException {
        Files.createDirectories(target);
        Path normalizedTarget = target.toAbsolutePath().normalize();
        try (ZipFile zipFile = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = zipFile.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                Path out = normalizedTarget.resolve(entry.getName()).normalize();
                if (!out.startsWith(normalizedTarget)) {
                    throw new IOException("Zip entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    try (InputStream in = zipFile.getInputStream(entry)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    private static Path localRepository() {
        String repo = System.getProperty("maven.repo.local");
        return repo != null && !repo.isBlank() ? Paths.get(repo)
                : Paths.get(System.getProperty("user.home"), ".m2", "repository");
    }

    private static String filtered(String value, String fallback) {
        return value == null || value.isBlank() || value.contains("${") ? fallback : value.trim();
    }

    private static Path pathOf(String value) {
        return value == null || value.isBlank() ? null : Paths.get(value);
    }

    private static Path firstExisting(Path... candidates) {
        for (Path candidate : candidates) {
            if (candidate != null && Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
