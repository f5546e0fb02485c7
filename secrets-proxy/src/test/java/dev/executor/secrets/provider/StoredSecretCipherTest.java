package dev.executor.secrets.provider;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.executor.secrets.provider.stored.StoredSecretCipher;

class StoredSecretCipherTest {

    private static final Map<String, String> ENV = Map.of("K1", key(), "K2", key());

    @Test
    void sealsWithAFreshNonceAndOpensOnlyWithTheSameAssociatedData() {
        // Given
        StoredSecretCipher cipher = new StoredSecretCipher(Optional.of(List.of("k1=env:K1")), Optional.empty(), ENV::get);
        byte[] plain = "canary".getBytes(StandardCharsets.UTF_8);

        // When
        var a = cipher.seal(plain, "stored_secret:a");
        var b = cipher.seal(plain, "stored_secret:a");

        // Then
        assertThat(a.keyId(), equalTo("k1"));
        assertFalse(java.util.Arrays.equals(a.nonce(), b.nonce()));
        assertThat(new String(a.ciphertext(), StandardCharsets.ISO_8859_1), not(containsString("canary")));
        assertArrayEquals(plain, cipher.open(a, "stored_secret:a"));
        assertThrows(SecretUnavailableException.class, () -> cipher.open(a, "stored_secret:b"));
    }

    @Test
    void opensValuesSealedUnderAnOlderKeyAfterRotationToANewActiveKey() {
        // Given a value sealed under k1
        StoredSecretCipher before = new StoredSecretCipher(Optional.of(List.of("k1=env:K1")), Optional.empty(), ENV::get);
        var old = before.seal("v".getBytes(StandardCharsets.UTF_8), "x");

        // When k2 becomes active with k1 still in the ring
        StoredSecretCipher after = new StoredSecretCipher(Optional.of(List.of("k1=env:K1", "k2=env:K2")), Optional.of("k2"), ENV::get);

        // Then the old value opens, is stale, and re-seals under k2
        assertTrue(after.isStale(old));
        var resealed = after.seal(after.open(old, "x"), "x");
        assertThat(resealed.keyId(), equalTo("k2"));
        assertThat(new String(after.open(resealed, "x"), StandardCharsets.UTF_8), equalTo("v"));
    }

    @Test
    void refusesKeysThatAreNotAes256() {
        var e = assertThrows(IllegalStateException.class, () -> new StoredSecretCipher(Optional.of(List.of("k1=env:SHORT")),
                Optional.empty(), Map.of("SHORT", Base64.getEncoder().encodeToString(new byte[16]))::get));
        assertThat(e.getMessage(), containsString("32 bytes"));
    }

    private static String key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }
}
