package dev.executor.invoker.lane.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneException;

/**
 * The executables one lane may start and the environment they start with. Shared by the process
 * lane and the MCP stdio transport; immutable and thread-safe.
 *
 * <p>An executable is allowed when its name as written in the binding (e.g. {@code kubectl} or
 * {@code /usr/bin/kubectl}), or the absolute path it resolves to on {@link #path()}, is in the
 * allow-list, or when a bare name in the allow-list resolves to the same file (allowing
 * {@code node} allows {@code /usr/bin/node} if that is the node on PATH). An empty allow-list
 * allows nothing. Bare names are resolved here, against the
 * configured PATH, never against the invoker's own environment at {@code exec} time.
 *
 * <p>A started process gets {@code PATH} plus the configured variables and nothing else: the
 * invoker's own environment may hold credentials and is never passed on.
 */
public final class Executables {

    private final Set<String> allowed;
    private final String allowListKey;
    private final String path;
    private final Map<String, String> environment;

    /**
     * @param allowed      the allow-list; empty allows nothing
     * @param allowListKey the config key of the allow-list, named in refusals
     * @param path         the PATH for resolving and for the child; empty: the invoker's own PATH
     * @param extraEnv     further variables for the child (never secrets: they are plain config)
     */
    public Executables(List<String> allowed, String allowListKey, Optional<String> path, Map<String, String> extraEnv) {
        this.allowed = Set.copyOf(new LinkedHashSet<>(allowed));
        this.allowListKey = allowListKey;
        this.path = path.filter(p -> !p.isBlank()).orElseGet(() -> {
            String own = System.getenv("PATH");
            return own == null || own.isBlank() ? "/usr/local/bin:/usr/bin:/bin" : own;
        });
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", this.path);
        env.putAll(extraEnv);
        this.environment = Map.copyOf(env);
    }

    /** The PATH children get and bare names are resolved against. */
    public String path() {
        return path;
    }

    /** The complete environment of a child process. */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * The absolute path to start for {@code executable}.
     *
     * @throws LaneException {@code PERMISSION_DENIED} when it is not allowed, {@code UPSTREAM_ERROR}
     *                       when it is allowed but cannot be found
     */
    public Path resolve(String executable) {
        if (executable == null || executable.isBlank()) {
            throw new LaneException(ErrorReasons.INTERNAL, "The tool's binding names no executable.");
        }
        if (allowed.isEmpty()) {
            throw new LaneException(ErrorReasons.PERMISSION_DENIED, "No executable may be started by this invoker: '" + executable
                    + "' is refused. An operator allows executables with " + allowListKey + ".");
        }
        Path resolved = locate(executable);
        boolean ok = allowed.contains(executable) || (resolved != null && (allowed.contains(resolved.toString()) || allowedByName(resolved)));
        if (!ok) {
            throw new LaneException(ErrorReasons.PERMISSION_DENIED,
                    "The executable '" + executable + "' is not in " + allowListKey + "; an operator must allow it first.");
        }
        if (resolved == null) {
            throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The executable '" + executable + "' is allowed but was not found"
                    + (executable.contains("/") ? "." : " on the configured PATH."));
        }
        return resolved;
    }

    /** Whether an allowed bare name resolves to {@code resolved}: allowing {@code node} allows the node on PATH, by any spelling. */
    private boolean allowedByName(Path resolved) {
        for (String name : allowed) {
            if (!name.contains("/") && resolved.equals(locate(name))) {
                return true;
            }
        }
        return false;
    }

    private Path locate(String executable) {
        if (executable.contains("/")) {
            Path p = Path.of(executable);
            // A relative path would depend on the invoker's working directory.
            return p.isAbsolute() && Files.isRegularFile(p) && Files.isExecutable(p) ? p.normalize() : null;
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty() || !dir.startsWith("/")) {
                continue;
            }
            Path candidate = Path.of(dir, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The command line to start: the resolved executable followed by {@code args}. */
    public static List<String> command(Path executable, List<String> args) {
        List<String> command = new ArrayList<>(args.size() + 1);
        command.add(executable.toString());
        command.addAll(args);
        return command;
    }
}
