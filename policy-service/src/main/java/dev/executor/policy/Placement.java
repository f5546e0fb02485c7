package dev.executor.policy;

/**
 * Where sources and connections live, as learnt from the catalog and connection events. Visibility
 * of an address is decided from these.
 */
public sealed interface Placement {

    Scope scope();

    /**
     * A source placed in a scope.
     *
     * @param sourceId opaque id
     * @param name     the {@code <source>} segment of addresses
     * @param kind     openapi, graphql, mcp, cli or a plugin kind; names the plugin defaults in explanations
     * @param scope    where it is placed
     */
    record SourcePlacement(String sourceId, String name, String kind, Scope scope) implements Placement {
    }

    /**
     * A connection placed in a scope: the {@code <scope>.<connection>} part of addresses.
     *
     * @param connectionId opaque id
     * @param sourceId     id of its source (may be null when the event did not carry it)
     * @param sourceName   the {@code <source>} segment
     * @param name         the {@code <connection>} segment
     * @param scope        where it is placed; its id is the {@code <scope>} segment
     */
    record ConnectionPlacement(String connectionId, String sourceId, String sourceName, String name, Scope scope)
            implements Placement {

        public String key() {
            return sourceName + "." + scope.id() + "." + name;
        }
    }
}
