package dev.executor.policy;

/**
 * A tool address {@code <source>.<scope>.<connection>.<tool>}, e.g. {@code github.acme.work.issues_create}.
 * The tool segment is everything after the third dot, so tool names may contain dots.
 *
 * @param source     source name
 * @param scopeId    id of the scope the connection is placed in
 * @param connection connection name
 * @param tool       tool name within the source
 */
public record Address(String source, String scopeId, String connection, String tool) {

    /**
     * Parses an address.
     *
     * @throws IllegalArgumentException when it does not have four non-empty segments
     */
    public static Address parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("A tool address is required, e.g. 'github.acme.work.issues_create'.");
        }
        String[] parts = text.split("\\.", 4);
        if (parts.length < 4 || java.util.Arrays.stream(parts).anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("'" + text
                    + "' is not a tool address; use <source>.<scope>.<connection>.<tool>, e.g. 'github.acme.work.issues_create'.");
        }
        return new Address(parts[0], parts[1], parts[2], parts[3]);
    }

    /** The connection part, {@code <source>.<scope>.<connection>}: how policies may name a connection. */
    public String connectionKey() {
        return source + "." + scopeId + "." + connection;
    }

    @Override
    public String toString() {
        return source + "." + scopeId + "." + connection + "." + tool;
    }
}
