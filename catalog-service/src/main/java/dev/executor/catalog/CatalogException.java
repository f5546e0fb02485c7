package dev.executor.catalog;

import java.util.List;

import dev.executor.contracts.ErrorReasons;

/**
 * A request the catalog refuses, with a machine-readable reason (see {@code ErrorReasons}) and a
 * message a person can act on. REST maps it to problem+json, gRPC to a status plus trailers.
 */
public class CatalogException extends RuntimeException {

    private final String reason;
    private final List<String> suggestions;

    public CatalogException(String reason, String message) {
        this(reason, message, List.of());
    }

    public CatalogException(String reason, String message, List<String> suggestions) {
        super(message, null, false, false);
        this.reason = reason;
        this.suggestions = List.copyOf(suggestions);
    }

    public String reason() {
        return reason;
    }

    public List<String> suggestions() {
        return suggestions;
    }

    public static CatalogException sourceNotFound(String id) {
        return new CatalogException(ErrorReasons.SOURCE_NOT_FOUND, "No source with id '" + id + "'.");
    }
}
