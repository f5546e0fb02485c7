package dev.executor.catalog.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Every {@code catalog.*} key of this service. */
@ConfigMapping(prefix = "catalog")
public interface CatalogConfig {

    /** Limits applied while fetching and parsing a source's document. */
    @WithName("import")
    Import importing();

    /** Search behaviour. */
    Search search();

    /** How search and describe ask policy-service what the caller may see. */
    Policy policy();

    /** How stdio MCP sources are probed through invoker-service. */
    Invoker invoker();

    interface Import {
        /** Largest document accepted, in bytes (GitHub's REST description is 13 MB). */
        @WithDefault("33554432")
        long maxDocumentBytes();

        /** Deepest JSON/YAML nesting accepted; deeper documents are refused as hostile. */
        @WithDefault("160")
        int maxNestingDepth();

        /** Connect + read timeout when fetching a document or introspecting an endpoint. */
        @WithDefault("20s")
        Duration fetchTimeout();
    }

    interface Search {
        /** Page size when the caller asks for none. */
        @WithDefault("20")
        int defaultPageSize();

        /** Largest page a caller may ask for. */
        @WithDefault("100")
        int maxPageSize();
    }

    interface Policy {
        /**
         * Candidate addresses per {@code FilterVisible} call; a search with more candidates sends
         * several calls at once.
         */
        @WithDefault("500")
        int filterBatchSize();

        /**
         * How long one {@code FilterVisible} call may take before search or describe fails with
         * {@code UNAVAILABLE} (never answered unfiltered).
         */
        @WithDefault("3s")
        Duration timeout();
    }

    interface Invoker {
        /**
         * Deadline of one {@code InvokerService.ProbeMcpServer} call (a stdio MCP server started,
         * listed and stopped). Longer than the invoker's own bound (its start timeout plus its
         * default call timeout, 90 s by default), so the invoker's own answer normally arrives first.
         */
        @WithDefault("100s")
        Duration probeTimeout();
    }
}
