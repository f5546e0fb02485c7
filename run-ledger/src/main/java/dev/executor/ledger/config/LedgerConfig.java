package dev.executor.ledger.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** run-ledger settings ({@code ledger.*}). */
@ConfigMapping(prefix = "ledger")
public interface LedgerConfig {

    Approval approval();

    RunSettings run();

    /**
     * How long terminal Runs (with their timeline, approval and outputs) are kept, counted from
     * when they finished; older ones are purged by the retention job. Default 90 days.
     */
    @WithDefault("P90D")
    Duration retention();

    /** Maximum rows the retention job deletes per pass (keeps transactions short). */
    @WithDefault("5000")
    int retentionBatch();

    /** Settings of the export and list endpoints. */
    Query query();

    Jobs jobs();

    Outbox outbox();

    interface Jobs {
        /**
         * How often approval expiry, lease recovery and retention run ({@code 30s}; {@code off}
         * disables them, as the tests do to drive them by hand).
         */
        @WithDefault("30s")
        String every();
    }

    interface Outbox {
        /** How often unpublished approval decisions are relayed to Kafka (decisions also trigger a relay at once). */
        @WithDefault("2s")
        String every();
    }

    interface Approval {
        /**
         * How long a pending approval waits for a human before it lapses into the terminal
         * {@code expired} status (an {@code ApprovalExpired} decision is emitted). An earlier
         * {@code expiresAt} on the pending event wins. Default 24 hours.
         */
        @WithDefault("PT24H")
        Duration ttl();
    }

    interface RunSettings {
        /**
         * How long a Run may stay {@code requested}, {@code admitted} or {@code running} without a
         * new event before the ledger ends it as {@code failed} with reason {@code LEASE_EXPIRED}.
         * Must exceed the invoker's longest call including retries. Default 15 minutes.
         */
        @WithDefault("PT15M")
        Duration lease();
    }

    interface Query {
        /** Page size when the caller gives none. */
        @WithDefault("50")
        int defaultPageSize();

        /** Largest page size a caller may ask for. */
        @WithDefault("500")
        int maxPageSize();
    }
}
