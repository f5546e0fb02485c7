package dev.executor.policy;

import java.util.Objects;
import java.util.Set;

/**
 * One level of a scope chain: {@code org:acme}, {@code workspace:payments}, {@code user:alice}.
 * Every record (source, connection, policy, toolkit) is placed in exactly one scope.
 *
 * @param kind {@code org}, {@code workspace} or {@code user}
 * @param id   identifier within the kind; the {@code <scope>} segment of a tool address
 */
public record Scope(String kind, String id) {

    public static final String ORG = "org";
    public static final String WORKSPACE = "workspace";
    public static final String USER = "user";
    /** The kinds, outer to inner. */
    public static final Set<String> KINDS = Set.of(ORG, WORKSPACE, USER);

    public Scope {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("Unknown scope kind '" + kind + "'; use org, workspace or user.");
        }
        if (id.isBlank() || id.chars().anyMatch(c -> Character.isWhitespace(c) || c == '.' || c == ':')) {
            throw new IllegalArgumentException("Scope id '" + id + "' must be non-empty, without spaces, dots or colons.");
        }
    }

    public static Scope org(String id) {
        return new Scope(ORG, id);
    }

    public static Scope workspace(String id) {
        return new Scope(WORKSPACE, id);
    }

    public static Scope user(String id) {
        return new Scope(USER, id);
    }

    /**
     * Parses {@code kind:id}, e.g. {@code org:acme}.
     *
     * @throws IllegalArgumentException with a message a person can act on
     */
    public static Scope parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("A scope is required, e.g. 'org:acme'.");
        }
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("Scope '" + text + "' must look like 'org:acme', 'workspace:payments' or 'user:alice'.");
        }
        return new Scope(text.substring(0, colon), text.substring(colon + 1));
    }

    /** {@code kind:id}. */
    @Override
    public String toString() {
        return kind + ":" + id;
    }
}
