package dev.executor.secrets.provider;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.executor.secrets.SecretRef;
import dev.executor.secrets.provider.env.EnvSecretProvider;
import dev.executor.secrets.provider.file.FileSecretProvider;

class FileAndEnvSecretProviderTest {

    @TempDir
    Path tmp;

    @Test
    void readsAKubernetesStyleMountedSecretThroughItsSymlinks() throws Exception {
        // Given a secret volume: root/token -> ..data/token -> ..2026_11_22/token
        Path root = Files.createDirectory(tmp.resolve("secrets"));
        Path version = Files.createDirectory(root.resolve("..2026_11_22"));
        Files.writeString(version.resolve("token"), "tok-1\n");
        Files.createSymbolicLink(root.resolve("..data"), version.getFileName());
        Files.createSymbolicLink(root.resolve("token"), Path.of("..data/token"));
        FileSecretProvider provider = new FileSecretProvider(List.of(root));

        // When
        var value = provider.resolve(SecretRef.parse("file://" + root.resolve("token")), UUID.randomUUID()).await().indefinitely();

        // Then
        assertThat(value.reveal(), equalTo("tok-1"));
    }

    @Test
    void refusesPathsOutsideTheAllowedRootsIncludingThroughSymlinks() throws Exception {
        // Given
        Path root = Files.createDirectory(tmp.resolve("secrets"));
        Path outside = Files.writeString(tmp.resolve("db-password"), "hunter2");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        FileSecretProvider provider = new FileSecretProvider(List.of(root));

        // When / Then
        assertThrows(IllegalArgumentException.class, () -> provider.validate(SecretRef.parse("file://" + root + "/../db-password")));
        var e = assertThrows(SecretUnavailableException.class, () -> provider.resolve(SecretRef.parse("file://" + root.resolve("escape")),
                UUID.randomUUID()).await().indefinitely());
        assertThat(e.getMessage(), not(containsString("hunter2")));
    }

    @Test
    void readsOnlyPrefixedEnvironmentVariables() {
        // Given
        EnvSecretProvider provider = new EnvSecretProvider("EXECUTOR_SECRET_",
                Map.of("EXECUTOR_SECRET_GITHUB", "gh-1", "SECRETS_DB_PASSWORD", "db")::get);

        // When / Then
        assertThat(provider.resolve(SecretRef.parse("env://EXECUTOR_SECRET_GITHUB"), null).await().indefinitely().reveal(),
                equalTo("gh-1"));
        assertThrows(IllegalArgumentException.class, () -> provider.validate(SecretRef.parse("env://SECRETS_DB_PASSWORD")));
        assertThrows(SecretUnavailableException.class,
                () -> provider.resolve(SecretRef.parse("env://EXECUTOR_SECRET_MISSING"), null).await().indefinitely());
    }
}
