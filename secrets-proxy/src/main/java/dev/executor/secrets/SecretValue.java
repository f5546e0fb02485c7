package dev.executor.secrets;

import java.nio.charset.StandardCharsets;

/**
 * A resolved secret value. Its {@code toString} never reveals the value, so a secret that slips
 * into a log statement or an exception message prints as {@code [secret]}. Call {@link #reveal()}
 * only where the value is injected into an outgoing request or encrypted.
 */
public final class SecretValue {

    private final String value;

    private SecretValue(String value) {
        this.value = value;
    }

    public static SecretValue of(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("A secret value must not be empty");
        }
        return new SecretValue(value);
    }

    public static SecretValue of(byte[] utf8) {
        return of(new String(utf8, StandardCharsets.UTF_8));
    }

    /** The value itself: inject or encrypt it, never log or return it. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "[secret]";
    }
}
