package dev.executor.secrets;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a secret lives: {@code <kind>://<location>}, e.g. {@code env://EXECUTOR_SECRET_GITHUB},
 * {@code file:///var/run/secrets/executor/github/token}, {@code stored://<uuid>}. The kind selects
 * the {@link dev.executor.secrets.provider.SecretProvider}. A SecretRef is not itself a secret, but
 * it never leaves this service: APIs and events show only the kind.
 *
 * @param kind     provider kind, lower case ({@code env}, {@code file}, {@code stored}, ...)
 * @param location everything after {@code ://}
 */
public record SecretRef(String kind, String location) {

    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9+.-]{0,31}");

    public SecretRef {
        if (kind == null || !KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("A SecretRef must look like <kind>://<location>, e.g. env://MY_TOKEN");
        }
        if (location == null || location.isEmpty()) {
            throw new IllegalArgumentException("A SecretRef needs a location after " + kind + "://");
        }
    }

    /** Parses {@code kind://location}; throws {@link IllegalArgumentException} with an actionable message. */
    public static SecretRef parse(String ref) {
        if (ref == null) {
            throw new IllegalArgumentException("A SecretRef must look like <kind>://<location>, e.g. env://MY_TOKEN");
        }
        int sep = ref.indexOf("://");
        if (sep <= 0) {
            throw new IllegalArgumentException("A SecretRef must look like <kind>://<location>, e.g. env://MY_TOKEN");
        }
        return new SecretRef(ref.substring(0, sep).toLowerCase(Locale.ROOT), ref.substring(sep + 3));
    }

    /** For {@code file:///abs/path}: the path; URI-decoded. */
    public String path() {
        return URI.create("file://" + location).getPath();
    }

    @Override
    public String toString() {
        return kind + "://" + location;
    }
}
