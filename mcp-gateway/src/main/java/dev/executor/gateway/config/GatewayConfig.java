package dev.executor.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** mcp-gateway settings ({@code gateway.*}). */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /**
     * Browser origins allowed to call {@code /mcp} (exact {@code scheme://host[:port]} values). A
     * request without an {@code Origin} header (a non-browser client) is always allowed; any other
     * origin is refused with 403. Empty by default: loopback origins ({@code http://localhost},
     * {@code http://127.0.0.1}, {@code http://[::1]}, any port) are the only ones accepted then.
     */
    Optional<List<String>> allowedOrigins();

    /**
     * Values of the {@code Host} header accepted on {@code /mcp} ({@code host} or
     * {@code host:port}; an entry without a port matches any port), against DNS rebinding. Unset:
     * {@code localhost}, {@code 127.0.0.1} and {@code [::1]} with the port the request arrived on.
     * Behind an ingress, list the public host name(s).
     */
    Optional<List<String>> allowedHosts();

    /**
     * Public base URL of this gateway (e.g. {@code https://executor.example.com}), used in the
     * OAuth protected resource metadata and the {@code resource_metadata} challenge. Unset: taken
     * from the request's scheme and (validated) {@code Host}.
     */
    Optional<String> publicUrl();

    /**
     * Issuer advertised as authorization server in the protected resource metadata. Unset: the
     * {@code quarkus.oidc.auth-server-url} realm.
     */
    Optional<String> authorizationServer();

    /** Execution settings of {@code execute} and direct-mode tools. */
    Execute execute();

    /** Settings of {@code run_status}. */
    RunStatus runStatus();

    /** Approvals through MCP elicitation. */
    Approval approval();

    /** Caches of catalog facts shown in tool descriptions. */
    Catalog catalog();

    /** Direct mode ({@code /mcp/toolkits/{toolkit}?mode=direct}). */
    Direct direct();

    interface Execute {
        /**
         * How long {@code execute} waits for a Run to finish before answering with its id and
         * status (the agent then calls {@code run_status}). Capped by the invoker.
         */
        @WithDefault("30s")
        Duration maxWait();

        /**
         * Outputs larger than this many bytes are not inlined: the result is a resource link
         * ({@code executor://runs/{runId}/output}) readable with {@code resources/read}.
         */
        @WithDefault("65536")
        int inlineLimitBytes();

        /** Largest stored output {@code resources/read} returns in one piece; larger ones are truncated with a note. */
        @WithDefault("8388608")
        int readLimitBytes();
    }

    interface RunStatus {
        /** Longest {@code run_status} waits while a Run is pending approval or still running. */
        @WithDefault("30s")
        Duration maxWait();

        /** How often a waiting {@code run_status} re-reads the Run. */
        @WithDefault("500ms")
        Duration pollInterval();
    }

    interface Approval {
        /**
         * Where a human approves a pending Run: the run-ledger's public base URL; the approval link
         * is {@code <ledger-url>/api/approvals/{runId}/approve} unless the invoker supplied one.
         */
        @WithDefault("http://127.0.0.1:8085")
        String ledgerUrl();

        /**
         * Base URL the gateway uses to record an elicited decision in run-ledger's REST API (with the
         * approving person's own token). Unset: {@code ledger-url}.
         */
        Optional<String> ledgerApiUrl();

        /**
         * Whether a pending approval is put to the user through MCP elicitation (only for a human
         * token with {@code executor-approver}, a client that declared elicitation and a policy
         * whose approval mode is {@code ANY}).
         */
        @WithDefault("true")
        boolean elicitation();

        /** How long the gateway waits for the human's elicitation answer. */
        @WithDefault("5m")
        Duration elicitationTimeout();
    }

    interface Catalog {
        /** How long the per-principal source summary in the {@code search} description is reused. */
        @WithDefault("30s")
        Duration summaryTtl();

        /** How long the scope chain resolved for a token's claims is reused. */
        @WithDefault("60s")
        Duration scopesTtl();

        /** How long whether a tool declares an output schema is remembered (decides structuredContent). */
        @WithDefault("60s")
        Duration toolFactsTtl();
    }

    interface Direct {
        /** Most tools a direct-mode endpoint lists; larger toolkits should use the meta-tools. */
        @WithDefault("64")
        int maxTools();
    }
}
