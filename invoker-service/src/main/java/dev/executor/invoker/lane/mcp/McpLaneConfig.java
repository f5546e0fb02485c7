package dev.executor.invoker.lane.mcp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code invoker.mcp.*}: the MCP client lane. */
@ConfigMapping(prefix = "invoker.mcp")
public interface McpLaneConfig {

    /** Protocol version offered in {@code initialize}; the server's answer is what the session then uses. */
    @WithDefault("2025-06-18")
    String protocolVersion();

    /** Time limit of a call when the invoker passes none. */
    @WithDefault("30s")
    Duration defaultTimeout();

    Stdio stdio();

    /** {@code invoker.mcp.stdio.*}: MCP servers run as local processes. */
    interface Stdio {

        /**
         * Commands that may be started as stdio MCP servers, by name ({@code npx}, {@code node}) or
         * absolute path. Empty (the default): none, stdio tools are refused with {@code PERMISSION_DENIED}.
         */
        Optional<List<String>> allowedCommands();

        /** PATH of the server processes, also used to resolve bare names; default: the invoker's own PATH. */
        Optional<String> path();

        /**
         * Further environment variables for the server processes, e.g. {@code HOME} for {@code npx}'s
         * cache (plain config: never put a secret here).
         */
        Map<String, String> env();

        /** Processes kept per server (command + args); a second starts only while the first is busy. */
        @WithDefault("2")
        int maxProcessesPerServer();

        /** Calls in flight per process; beyond it (all processes full) calls fail at once with {@code RATE_LIMITED}. */
        @WithDefault("64")
        int maxInFlightPerProcess();

        /** A process with no call for this long is stopped; the next call starts a new one. */
        @WithDefault("10m")
        Duration idleTimeout();

        /** Time for a new process to answer {@code initialize} (includes e.g. {@code npx} fetching the package). */
        @WithDefault("60s")
        Duration startTimeout();

        /** Longest JSON-RPC line read from a server; a longer one is a protocol violation and the process is restarted. */
        @WithDefault("16777216")
        int maxMessageBytes();

        /** Pause before starting a server again after its start failed; doubles per failure up to 32 times this. */
        @WithDefault("1s")
        Duration restartBackoff();
    }
}
