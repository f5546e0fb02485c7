package dev.executor.catalog.source;

import dev.executor.catalog.Manifest;

/**
 * The open seam for source kinds: turns a source's config into a normalized {@link Manifest}.
 *
 * <p>Implementations are CDI beans selected by {@code @Identifier("<kind>")} ("openapi", "graphql",
 * "mcp", or a plugin kind), looked up by {@code service/SourceImporters}.
 *
 * <ul>
 * <li><b>Lifecycle</b>: application-scoped and stateless; one call per import or refresh.</li>
 * <li><b>Threads</b>: {@link #importSource} blocks (network fetch, CPU-heavy parse) and is only ever
 * called from a worker or virtual thread, never from an event loop. It must be safe to call
 * concurrently.</li>
 * <li><b>Errors</b>: a document or endpoint that cannot be imported at all throws
 * {@link ImportException} with a reason and a message a person can act on. A single broken
 * operation must not fail the import: skip it and record a warning on the manifest.</li>
 * <li><b>Safety</b>: never follow a reference to another host or to a local file unless
 * {@link SourceConfig#allowExternalRefs()} says so; never put a credential in the manifest.</li>
 * </ul>
 */
public interface SourceImporter {

    /**
     * Fetches (when the config names a URL), parses and normalizes the source.
     *
     * @throws ImportException when nothing can be imported
     */
    Manifest importSource(SourceConfig config) throws ImportException;
}
