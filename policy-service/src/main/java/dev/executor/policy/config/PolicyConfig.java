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

    /** Verified bearer tokens kept in memory, so a caller's token is not re-verified on every call. */
    TokenCache tokenCache();

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

    interface TokenCache {
        /** Whether verified tokens are cached at all; off = every call verifies its token's signature. */
        @WithDefault("true")
        boolean enabled();

        /**
         * The longest a verified token is served from memory (never past its own {@code exp}): also
         * how long a token stays accepted after its signing key was removed from the realm.
         */
        @WithDefault("60s")
        Duration ttl();

        /** How many verified tokens are kept (callers are a handful of service accounts). */
        @WithDefault("1024")
        int maxSize();
    }
}
