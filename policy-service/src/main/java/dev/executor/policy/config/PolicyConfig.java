package dev.executor.policy.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of policy-service ({@code policy.*}). */
@ConfigMapping(prefix = "policy")
public interface PolicyConfig {

    /** The in-memory decision snapshot. */
    Snapshot snapshot();

    /** Policy events. */
    Events events();

    interface Snapshot {
        /**
         * How often the snapshot is reloaded from the database even without a change event: a safety
         * net for missed events. Changes made through this replica and policy events from other
         * replicas reload it immediately.
         */
        @WithDefault("30s")
        Duration refreshInterval();

        /** How often a service that has no snapshot yet (database not reachable) retries loading it. */
        @WithDefault("1s")
        Duration retryInterval();
    }

    interface Events {
        /**
         * How long an admin change waits for the broker to acknowledge its event before answering
         * anyway (the change is already committed; the failure is logged).
         */
        @WithDefault("5s")
        Duration publishTimeout();
    }
}
