package dev.executor.secrets.provider.stored;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.executor.secrets.config.SecretsProxyConfig;
import dev.executor.secrets.provider.SecretUnavailableException;

/**
 * AES-256-GCM under a key ring. Every sealed value records the id of the key it was sealed with, so
 * keys can rotate: add the new key to the ring, make it active, run rotate (re-seals every value
 * under the active key), then drop the old key. Each value gets a fresh random 96-bit nonce; the
 * associated data binds a ciphertext to its row, so ciphertexts cannot be swapped between rows.
 *
 * <p>Keys come from {@code secrets-proxy.stored.keys}: {@code <id>=env:<VAR>} or
 * {@code <id>=file:<path>}, each holding a base64 32-byte key. Thread-safe (a new {@link Cipher}
 * per call); never logs key material.
 */
@Singleton
public class StoredSecretCipher {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    /** A sealed value as stored. */
    public record Sealed(String keyId, byte[] nonce, byte[] ciphertext) {
    }

    private final Map<String, SecretKeySpec> keys;
    private final String activeKeyId;
    private final SecureRandom random = new SecureRandom();

    @Inject
    public StoredSecretCipher(SecretsProxyConfig config) {
        this(config.stored().keys(), config.stored().activeKey(), System::getenv);
    }

    public StoredSecretCipher(Optional<List<String>> ring, Optional<String> active, UnaryOperator<String> environment) {
        Map<String, SecretKeySpec> loaded = new LinkedHashMap<>();
        for (String entry : ring.orElse(List.of())) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalStateException("secrets-proxy.stored.keys entries must be <key-id>=env:<VAR> or <key-id>=file:<path>");
            }
            String id = entry.substring(0, eq).trim();
            loaded.put(id, new SecretKeySpec(load(id, entry.substring(eq + 1).trim(), environment), "AES"));
        }
        this.keys = Map.copyOf(loaded);
        this.activeKeyId = active.orElse(loaded.isEmpty() ? null : loaded.keySet().iterator().next());
        if (activeKeyId != null && !keys.containsKey(activeKeyId)) {
            throw new IllegalStateException("secrets-proxy.stored.active-key " + activeKeyId + " is not in secrets-proxy.stored.keys");
        }
    }

    private static byte[] load(String id, String location, UnaryOperator<String> environment) {
        String encoded;
        if (location.startsWith("env:")) {
            encoded = environment.apply(location.substring(4));
            if (encoded == null) {
                throw new IllegalStateException("stored-secret key " + id + ": environment variable " + location.substring(4) + " is not set");
            }
        } else if (location.startsWith("file:")) {
            try {
                encoded = Files.readString(Path.of(location.substring(5)), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalStateException("stored-secret key " + id + ": cannot read " + location.substring(5));
            }
        } else {
            throw new IllegalStateException("stored-secret key " + id + ": the location must be env:<VAR> or file:<path>");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("stored-secret key " + id + " is not base64");
        }
        if (key.length != 32) {
            throw new IllegalStateException("stored-secret key " + id + " must be 32 bytes (AES-256), base64-encoded");
        }
        return key;
    }

    public boolean enabled() {
        return activeKeyId != null;
    }

    public String activeKeyId() {
        return activeKeyId;
    }

    /** Seals {@code plaintext} under the active key, bound to {@code aad}. */
    public Sealed seal(byte[] plaintext, String aad) {
        if (!enabled()) {
            throw new SecretUnavailableException("stored secrets are disabled: no key in secrets-proxy.stored.keys");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(activeKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            return new Sealed(activeKeyId, nonce, cipher.doFinal(plaintext));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Opens a sealed value; fails when its key is not in the ring or the value/aad was tampered with. */
    public byte[] open(Sealed sealed, String aad) {
        SecretKeySpec key = keys.get(sealed.keyId());
        if (key == null) {
            throw new SecretUnavailableException("stored secret is sealed under key " + sealed.keyId() + ", which is not in the key ring");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed.nonce()));
            cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed.ciphertext());
        } catch (GeneralSecurityException e) {
            throw new SecretUnavailableException("stored secret cannot be decrypted (wrong key or tampered row)");
        }
    }

    /** Whether {@code sealed} should be re-sealed under the active key. */
    public boolean isStale(Sealed sealed) {
        return !sealed.keyId().equals(activeKeyId);
    }
}
