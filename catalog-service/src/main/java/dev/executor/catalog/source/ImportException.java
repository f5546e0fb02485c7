package dev.executor.catalog.source;

/** A source that cannot be imported at all, with a message a person can act on. */
public class ImportException extends Exception {

    /** Why, so the lifecycle can pick the source status. */
    public enum Kind {
        /** The document is not a spec this importer understands, or is malformed. → error */
        INVALID_SPEC,
        /** The URL could not be reached or answered an error. → error */
        UNREACHABLE,
        /** The URL needs a credential; the message says which. → auth_required */
        AUTH_REQUIRED,
        /** The document exceeds a configured limit. → error */
        TOO_LARGE,
        /** The importer cannot handle this config (e.g. an unknown MCP transport). → refused, nothing kept */
        UNSUPPORTED,
        /**
         * The config is valid but another service must probe it (a stdio MCP server: only the
         * invoker runs upstream processes). → kept in draft, the message says why
         */
        DEFERRED
    }

    private final Kind kind;

    public ImportException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
