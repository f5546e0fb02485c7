package dev.executor.secrets.provider.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.executor.secrets.SecretRef;
import dev.executor.secrets.SecretValue;
import dev.executor.secrets.config.SecretsProxyConfig;
import dev.executor.secrets.provider.SecretProvider;
import dev.executor.secrets.provider.SecretUnavailableException;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * {@code file:///path}: the content of a file, read at call time. This is how Kubernetes delivers
 * secrets (a Secret mounted as a volume; kubelet swaps the {@code ..data} symlink on rotation, so
 * reading on every call picks the new value up). One trailing newline is dropped.
 *
 * <p>Only files under {@code secrets-proxy.providers.file.roots} can be read; the check is made on
 * the real path (symlinks resolved), so {@code ..} or a link cannot escape the roots. Reads run on
 * the worker pool.
 */
@ApplicationScoped
@Identifier("file")
public class FileSecretProvider implements SecretProvider {

    private static final int MAX_BYTES = 64 * 1024;

    private final List<Path> roots;

    @Inject
    public FileSecretProvider(SecretsProxyConfig config) {
        this(config.providers().file().roots());
    }

    public FileSecretProvider(List<Path> roots) {
        this.roots = roots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public void validate(SecretRef ref) {
        Path path = lexicalPath(ref);
        if (roots.stream().noneMatch(path::startsWith)) {
            throw new IllegalArgumentException("file:// refs must point under " + roots);
        }
    }

    @Override
    public Uni<SecretValue> resolve(SecretRef ref, UUID connectionId) {
        return Uni.createFrom().item(() -> read(ref)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private SecretValue read(SecretRef ref) {
        validate(ref);
        Path real;
        try {
            real = lexicalPath(ref).toRealPath();
        } catch (NoSuchFileException e) {
            throw new SecretUnavailableException("secret file " + ref.path() + " does not exist");
        } catch (IOException e) {
            throw new SecretUnavailableException("secret file " + ref.path() + " cannot be read");
        }
        boolean inside = roots.stream().anyMatch(root -> {
            try {
                return real.startsWith(root.toRealPath());
            } catch (IOException e) {
                return false;
            }
        });
        if (!inside) {
            throw new SecretUnavailableException("secret file " + ref.path() + " resolves outside the allowed roots");
        }
        try {
            if (!Files.isRegularFile(real) || Files.size(real) > MAX_BYTES) {
                throw new SecretUnavailableException("secret file " + ref.path() + " is not a regular file under 64 KiB");
            }
            String value = Files.readString(real);
            if (value.endsWith("\r\n")) {
                value = value.substring(0, value.length() - 2);
            } else if (value.endsWith("\n")) {
                value = value.substring(0, value.length() - 1);
            }
            if (value.isEmpty()) {
                throw new SecretUnavailableException("secret file " + ref.path() + " is empty");
            }
            return SecretValue.of(value);
        } catch (IOException e) {
            throw new SecretUnavailableException("secret file " + ref.path() + " cannot be read");
        }
    }

    private static Path lexicalPath(SecretRef ref) {
        String path;
        try {
            path = ref.path();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("file:// refs must be absolute file URLs, e.g. file:///var/run/secrets/executor/token");
        }
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("file:// refs must be absolute file URLs, e.g. file:///var/run/secrets/executor/token");
        }
        return Path.of(path).normalize();
    }
}
