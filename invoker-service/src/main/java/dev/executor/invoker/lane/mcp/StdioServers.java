package dev.executor.invoker.lane.mcp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.v1.McpServerConfig;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.process.Executables;
import io.smallrye.mutiny.Uni;

/**
 * The supervised pool of stdio MCP servers, one small pool per server (command + args).
 *
 * <p>A pool starts its first process on the first call and a second (up to
 * {@code max-processes-per-server}) only while the others are busy; a call goes to the process
 * with the fewest calls in flight. A process that dies is dropped (its pending calls fail with
 * {@code UPSTREAM_ERROR}) and the next call starts a new one; a process that fails to start makes
 * the pool wait {@code restart-backoff}, doubling per failure, before trying again. Processes idle
 * for {@code idle-timeout} are stopped; {@link #close()} stops them all. Thread-safe.
 */
final class StdioServers implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StdioServers.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);
    /** Hard stops of a probe against a server that pages forever (the catalog's own limits). */
    static final int PROBE_MAX_PAGES = 100;
    static final int PROBE_MAX_TOOLS = 5000;

    private record ServerKey(String command, List<String> args) {
    }

    private final McpLaneConfig.Stdio config;
    private final Executables executables;
    private final ObjectMapper mapper;
    private final String protocolVersion;
    private final ConcurrentHashMap<ServerKey, Pool> pools = new ConcurrentHashMap<>();
    /** One-off processes of probes in progress, stopped by {@link #close()} too. */
    private final Set<StdioServerProcess> probes = ConcurrentHashMap.newKeySet();
    private final ExecutorService starter;
    private final ScheduledExecutorService reaper;
    private volatile boolean closed;

    StdioServers(McpLaneConfig.Stdio config, ObjectMapper mapper, String protocolVersion) {
        this.config = config;
        this.executables = new Executables(config.allowedCommands().orElse(List.of()), "invoker.mcp.stdio.allowed-commands", config.path(),
                config.env());
        this.mapper = mapper;
        this.protocolVersion = protocolVersion;
        this.starter = Executors.newCachedThreadPool(daemonThreads("mcp-stdio-start-"));
        this.reaper = Executors.newSingleThreadScheduledExecutor(daemonThreads("mcp-stdio-reaper-"));
        long every = Math.clamp(config.idleTimeout().toMillis() / 4, 250, 30_000);
        reaper.scheduleWithFixedDelay(this::stopIdle, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends request {@code method} to a process of {@code server} and emits its response message.
     * Fails with {@code UPSTREAM_TIMEOUT} after {@code timeout} (the server gets
     * {@code notifications/cancelled}), {@code PERMISSION_DENIED} for a command not allowed,
     * {@code RATE_LIMITED} when every process is at its in-flight limit.
     */
    Uni<JsonNode> request(McpServerConfig server, String method, JsonNode params, Duration timeout) {
        return Uni.createFrom().<JsonNode>deferred(() -> {
            if (closed) {
                throw new LaneException(ErrorReasons.UNAVAILABLE, "The invoker is shutting down.", null, true);
            }
            Path executable = executables.resolve(server.getCommand());
            ServerKey key = new ServerKey(server.getCommand(), List.copyOf(server.getArgsList()));
            Pool pool = pools.computeIfAbsent(key, k -> new Pool(k, Executables.command(executable, k.args())));
            StdioServerProcess process = pool.acquire();
            return Uni.createFrom().completionStage(process.ready().copy())
                    .onFailure(CompletionException.class).transform(Throwable::getCause)
                    .flatMap(ready -> ready.request(method, params))
                    .onTermination().invoke(process::release);
        }).ifNoItem().after(timeout).failWith(() -> new LaneException(ErrorReasons.UPSTREAM_TIMEOUT,
                "The MCP server " + server.getCommand() + " did not answer " + method + " within " + timeout.toMillis() + " ms."));
    }

    /**
     * Lists the tools of {@code server} from a one-off process of its own (never a pooled one):
     * start, {@code initialize}, {@code tools/list} page by page (at most {@link #PROBE_MAX_PAGES}
     * pages and {@link #PROBE_MAX_TOOLS} tools; a repeated cursor stops the listing), stop. The
     * process is stopped however the probe ends (answer, failure, timeout, cancellation). Fails
     * like {@link #request}: {@code PERMISSION_DENIED} for a command not allowed,
     * {@code UPSTREAM_ERROR} when it does not start or answers an error, {@code UPSTREAM_TIMEOUT}
     * after {@code timeout}.
     */
    Uni<Probe> probe(McpServerConfig server, Duration timeout) {
        return Uni.createFrom().<Probe>deferred(() -> {
            if (closed) {
                throw new LaneException(ErrorReasons.UNAVAILABLE, "The invoker is shutting down.", null, true);
            }
            Path executable = executables.resolve(server.getCommand());
            String label = "'" + server.getCommand() + "'";
            StdioServerProcess process = new StdioServerProcess(label, Executables.command(executable, server.getArgsList()),
                    executables.environment(), mapper, protocolVersion, config.maxMessageBytes(), 4, probes::remove);
            probes.add(process);
            starter.execute(() -> process.start(config.startTimeout()));
            List<JsonNode> tools = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            return Uni.createFrom().completionStage(process.ready().copy())
                    .onFailure(CompletionException.class).transform(Throwable::getCause)
                    .flatMap(ready -> listPage(ready, null, 0, new HashSet<>(), tools, warnings))
                    .map(done -> new Probe(process.initializeResult(), process.protocolVersion(), List.copyOf(tools), List.copyOf(warnings)))
                    .onTermination().invoke(() -> {
                        probes.remove(process);
                        starter.execute(() -> process.stop(STOP_GRACE));
                    });
        }).ifNoItem().after(timeout).failWith(() -> new LaneException(ErrorReasons.UPSTREAM_TIMEOUT,
                "The MCP server " + server.getCommand() + " did not start and list its tools within " + timeout.toMillis() + " ms."));
    }

    private Uni<Boolean> listPage(StdioServerProcess process, String cursor, int page, Set<String> seen, List<JsonNode> tools,
            List<String> warnings) {
        if (page == PROBE_MAX_PAGES) {
            warnings.add("tools/list still had more pages after " + PROBE_MAX_PAGES + "; the rest were not listed.");
            return Uni.createFrom().item(true);
        }
        ObjectNode params = mapper.createObjectNode();
        if (cursor != null) {
            params.put("cursor", cursor);
        }
        return process.request("tools/list", params).emitOn(starter).flatMap(response -> {
            JsonNode result = JsonRpc.result(response, "tools/list", process.label());
            JsonNode listed = result.path("tools");
            if (!listed.isArray()) {
                throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The MCP server " + process.label()
                        + " answered tools/list without a tools array.");
            }
            listed.forEach(tools::add);
            if (tools.size() > PROBE_MAX_TOOLS) {
                warnings.add("The server lists more than " + PROBE_MAX_TOOLS + " tools; only the first " + PROBE_MAX_TOOLS + " were listed.");
                tools.subList(PROBE_MAX_TOOLS, tools.size()).clear();
                return Uni.createFrom().item(true);
            }
            JsonNode next = result.path("nextCursor");
            if (!next.isTextual() || next.asText().isEmpty()) {
                return Uni.createFrom().item(true);
            }
            if (!seen.add(next.asText())) {
                warnings.add("tools/list repeated a cursor; listing stopped there.");
                return Uni.createFrom().item(true);
            }
            return listPage(process, next.asText(), page + 1, seen, tools, warnings);
        });
    }

    /**
     * What a probe found.
     *
     * @param initializeResult the server's {@code initialize} result (serverInfo, capabilities)
     * @param protocolVersion  the protocol version the server answered with
     * @param tools            the tools as {@code tools/list} gave them, in order
     * @param warnings         what the listing cut short, for a person
     */
    record Probe(JsonNode initializeResult, String protocolVersion, List<JsonNode> tools, List<String> warnings) {
    }

    /** PIDs of the running processes of {@code server} (diagnostics and tests). */
    List<Long> pids(McpServerConfig server) {
        Pool pool = pools.get(new ServerKey(server.getCommand(), List.copyOf(server.getArgsList())));
        return pool == null ? List.of() : pool.pids();
    }

    private void stopIdle() {
        long now = System.nanoTime();
        long idle = config.idleTimeout().toNanos();
        for (Pool pool : pools.values()) {
            for (StdioServerProcess process : pool.takeIdle(now, idle)) {
                LOG.debugf("MCP stdio server %s (pid %d) idle for %s; stopping it", pool.label, process.pid(), config.idleTimeout());
                starter.execute(() -> process.stop(STOP_GRACE));
            }
        }
    }

    /** Stops every process (stdin closed, then SIGTERM, then SIGKILL) and the pool's threads. */
    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (Pool pool : pools.values()) {
            for (StdioServerProcess process : pool.takeAll()) {
                stops.add(CompletableFuture.runAsync(() -> process.stop(STOP_GRACE), starter));
            }
        }
        for (StdioServerProcess process : List.copyOf(probes)) {
            stops.add(CompletableFuture.runAsync(() -> process.stop(STOP_GRACE), starter));
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(3 * STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.debugf("not every MCP stdio server stopped in time: %s", e.toString());
        }
        starter.shutdownNow();
    }

    /** The processes of one server. Guarded by its own monitor. */
    private final class Pool {

        private final String label;
        private final List<String> command;
        private final List<StdioServerProcess> processes = new ArrayList<>();
        private int startFailures;
        private long notBeforeNanos;

        Pool(ServerKey key, List<String> command) {
            // The label goes into logs and errors: the command only, arguments may be long or personal.
            this.label = "'" + key.command() + "'";
            this.command = command;
        }

        synchronized StdioServerProcess acquire() {
            processes.removeIf(StdioServerProcess::isDead);
            StdioServerProcess best = null;
            for (StdioServerProcess p : processes) {
                if (best == null || p.inFlight() < best.inFlight()) {
                    best = p;
                }
            }
            boolean wantAnother = best == null || (best.inFlight() > 0 && processes.size() < config.maxProcessesPerServer());
            if (wantAnother && System.nanoTime() - notBeforeNanos >= 0) {
                best = startProcess();
            } else if (best == null) {
                long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(notBeforeNanos - System.nanoTime()));
                throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The MCP server " + label + " failed to start " + startFailures
                        + " time(s) in a row; the next attempt is in " + waitMs + " ms.", null, true);
            }
            if (best.inFlight() >= config.maxInFlightPerProcess()) {
                throw new LaneException(ErrorReasons.RATE_LIMITED, "The MCP server " + label + " already has "
                        + best.inFlight() + " calls in flight in each of its processes; try again shortly.", null, true);
            }
            best.acquire();
            return best;
        }

        private StdioServerProcess startProcess() {
            StdioServerProcess process = new StdioServerProcess(label, command, executables.environment(), mapper, protocolVersion,
                    config.maxMessageBytes(), config.maxInFlightPerProcess(), this::onDeath);
            processes.add(process);
            process.ready().whenComplete((ready, failure) -> {
                if (failure == null) {
                    synchronized (this) {
                        startFailures = 0;
                    }
                }
            });
            starter.execute(() -> process.start(config.startTimeout()));
            return process;
        }

        private synchronized void onDeath(StdioServerProcess process) {
            processes.remove(process);
            if (!process.isReady() && !closed) {
                startFailures++;
                long backoff = config.restartBackoff().toNanos() << Math.min(startFailures - 1, 5);
                notBeforeNanos = System.nanoTime() + backoff;
            }
        }

        synchronized List<StdioServerProcess> takeIdle(long now, long idleNanos) {
            List<StdioServerProcess> idle = new ArrayList<>();
            for (StdioServerProcess p : processes) {
                if (p.inFlight() == 0 && p.isReady() && now - p.lastUsedNanos() > idleNanos) {
                    idle.add(p);
                }
            }
            processes.removeAll(idle);
            return idle;
        }

        synchronized List<StdioServerProcess> takeAll() {
            List<StdioServerProcess> all = List.copyOf(processes);
            processes.clear();
            return all;
        }

        synchronized List<Long> pids() {
            return processes.stream().filter(p -> !p.isDead()).map(StdioServerProcess::pid).toList();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
