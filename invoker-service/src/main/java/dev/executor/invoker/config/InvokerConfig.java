package dev.executor.invoker.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code invoker.*}: limits and timings of the enforcement point. */
@ConfigMapping(prefix = "invoker")
public interface InvokerConfig {

    /** Name of this instance in the run table's {@code owner} column (defaults to a random id). */
    Optional<String> instanceId();

    Call call();

    Output output();

    Retry retry();

    Breaker breaker();

    Resolve resolve();

    Approval approval();

    Async async();

    TokenCache tokenCache();

    Retention retention();

    interface Call {
        /** Upstream time limit of one call (all attempts together). */
        @WithDefault("30s")
        Duration timeout();

        /** Longest an Invoke may wait for a terminal status; longer {@code wait}s are cut to this. */
        @WithDefault("60s")
        Duration maxWait();

        /** Calls executing at once in this instance; beyond it callers get RATE_LIMITED at once. */
        @WithDefault("512")
        int maxInFlight();

        /**
         * How long a Run claimed by this instance stays its own after the call's timeout; a Run whose
         * claim lapsed (its invoker died) is failed by any instance's recovery pass.
         */
        @WithDefault("30s")
        Duration leaseMargin();

        /** How often the recovery pass looks for lapsed claims. */
        @WithDefault("10s")
        Duration recoveryEvery();
    }

    interface Output {
        /** Outputs larger than this (bytes of JSON) are stored in run-ledger and returned as a handle. */
        @WithDefault("65536")
        int inlineLimit();

        /** Outputs larger than this are refused (the Run fails) instead of stored. */
        @WithDefault("16777216")
        int maxSize();
    }

    interface Retry {
        /** Attempts for a retryable failure of a safe call (a read, or a call with an idempotency key). */
        @WithDefault("3")
        int maxAttempts();

        @WithDefault("100ms")
        Duration backoff();
    }

    interface Breaker {
        /** Consecutive upstream failures of one source that open its circuit. */
        @WithDefault("5")
        int failureThreshold();

        /** How long an open circuit refuses calls before letting one through. */
        @WithDefault("10s")
        Duration openFor();
    }

    interface Resolve {
        /** How long a resolved tool is reused without asking the catalog (events evict earlier). */
        @WithDefault("60s")
        Duration cacheTtl();

        @WithDefault("10000")
        int cacheSize();
    }

    interface Approval {
        /** Where an approver decides; {@code {runId}} is replaced. */
        @WithDefault("http://127.0.0.1:8085/api/approvals/{runId}")
        String url();

        /** How long a pending Run waits for a decision (run-ledger expires it afterwards). */
        @WithDefault("24h")
        Duration ttl();
    }

    interface Async {
        /** Requests of one Kafka batch executed at once. */
        @WithDefault("64")
        int concurrency();

        /** Time limit of one async request (the Kafka path has no caller waiting). */
        @WithDefault("60s")
        Duration timeout();
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

        /** How many verified tokens are kept (gRPC callers are service accounts; Kafka requests carry agents' tokens). */
        @WithDefault("4096")
        int maxSize();
    }

    interface Retention {
        /**
         * How long a finished Run stays in the invoker's working table (repeats of an idempotent call
         * are answered from it); run-ledger keeps the history for {@code ledger.retention}.
         */
        @WithDefault("7d")
        Duration runs();

        /** How long an idempotency key holds: a retry with the same key after this starts a new Run. */
        @WithDefault("24h")
        Duration idempotencyKeys();

        /** How often the purge runs, and how many rows of each kind one pass deletes at most. */
        @WithDefault("1h")
        Duration every();

        @WithDefault("10000")
        int batch();
    }
}
