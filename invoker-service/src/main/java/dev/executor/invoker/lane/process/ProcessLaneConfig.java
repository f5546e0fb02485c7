package dev.executor.invoker.lane.process;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code invoker.process.*}: the process lane (CLI tools). */
@ConfigMapping(prefix = "invoker.process")
public interface ProcessLaneConfig {

    /**
     * Executables the lane may start, by the name a binding uses ({@code kubectl}) or by absolute
     * path ({@code /usr/bin/kubectl}). Empty (the default): none, every call is refused with
     * {@code PERMISSION_DENIED}.
     */
    Optional<List<String>> allowedExecutables();

    /** PATH of the started processes, also used to resolve bare names; default: the invoker's own PATH. */
    Optional<String> path();

    /** Further environment variables for the started processes (plain config: never put a secret here). */
    Map<String, String> env();

    /** Bytes kept of stdout and of stderr each; the rest is read and dropped, and the output says {@code truncated}. */
    @WithDefault("1048576")
    int maxOutputBytes();

    /** Time limit when neither the binding nor the call sets one. */
    @WithDefault("30s")
    Duration defaultTimeout();

    /** Processes running at once; a call beyond it is refused with {@code RATE_LIMITED}, never queued. */
    @WithDefault("16")
    int maxConcurrent();
}
