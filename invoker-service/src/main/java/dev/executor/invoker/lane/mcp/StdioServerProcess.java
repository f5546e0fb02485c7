package dev.executor.invoker.lane.mcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.process.ProcessTrees;
import io.smallrye.mutiny.Uni;

/**
 * One running stdio MCP server: newline-delimited JSON-RPC over its stdin/stdout, requests
 * multiplexed by id. Three daemon threads serve it (stdout reader, stdin writer, stderr drain);
 * all end when the process ends. Thread-safe.
 *
 * <p>Lifecycle: {@link #start} launches the process and the {@code initialize} handshake;
 * {@link #ready()} completes once {@code notifications/initialized} is queued. When the process
 * exits (crash, kill, protocol violation) every pending request fails with {@code UPSTREAM_ERROR}
 * and {@code onDeath} tells the pool. {@link #stop} closes stdin, then terminates and finally
 * kills the process tree.
 */
final class StdioServerProcess {

    private static final Logger LOG = Logger.getLogger(StdioServerProcess.class);
    private static final int STDERR_LINE_CHARS = 512;
    private static final byte[] STOP = new byte[0];

    private final String label;
    private final List<String> command;
    private final Map<String, String> environment;
    private final ObjectMapper mapper;
    private final String protocolVersion;
    private final int maxMessageBytes;
    private final Consumer<StdioServerProcess> onDeath;

    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final BlockingQueue<byte[]> outbox;
    private final CompletableFuture<StdioServerProcess> ready = new CompletableFuture<>();
    private final AtomicBoolean dead = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastUsedNanos = System.nanoTime();
    private volatile Process process;
    private volatile String negotiatedVersion;
    private volatile JsonNode initializeResult;

    StdioServerProcess(String label, List<String> command, Map<String, String> environment, ObjectMapper mapper, String protocolVersion,
            int maxMessageBytes, int maxInFlight, Consumer<StdioServerProcess> onDeath) {
        this.label = label;
        this.command = command;
        this.environment = environment;
        this.mapper = mapper;
        this.protocolVersion = protocolVersion;
        this.maxMessageBytes = maxMessageBytes;
        this.onDeath = onDeath;
        // Requests are bounded by the in-flight limit; the slack is for notifications and replies to the server.
        this.outbox = new ArrayBlockingQueue<>(maxInFlight + 64);
    }

    /** Starts the process and the handshake; blocking (fork/exec), so never on an event loop. */
    void start(Duration startTimeout) {
        if (dead.get()) {
            return; // stopped before it started (shutdown)
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().clear();
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            die("could not be started: " + e.getMessage());
            return;
        }
        if (dead.get()) {
            ProcessTrees.kill(process);
            return;
        }
        long pid = process.pid();
        thread("mcp-stdio-out-" + pid, this::readStdout);
        thread("mcp-stdio-in-" + pid, this::writeStdin);
        thread("mcp-stdio-err-" + pid, this::drainStderr);
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> init = new CompletableFuture<>();
        pending.put(id, init);
        if (!outbox.offer(bytes(JsonRpc.request(mapper, id, "initialize", JsonRpc.initializeParams(mapper, protocolVersion))))) {
            die("could not be sent initialize");
            return;
        }
        init.orTimeout(startTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((response, failure) -> {
            pending.remove(id);
            if (failure != null) {
                die(failure instanceof java.util.concurrent.TimeoutException
                        ? "did not answer initialize within " + startTimeout.toMillis() + " ms"
                        : "failed during initialize: " + failure.getMessage());
                return;
            }
            try {
                JsonNode result = JsonRpc.result(response, "initialize", label);
                negotiatedVersion = result.path("protocolVersion").asText(protocolVersion);
                initializeResult = result;
                outbox.offer(bytes(JsonRpc.notification(mapper, "notifications/initialized", null)));
                LOG.debugf("MCP stdio server %s (pid %d) initialized, protocol %s", label, pid, negotiatedVersion);
                ready.complete(this);
            } catch (LaneException e) {
                die("refused initialize: " + e.getMessage());
            }
        });
    }

    /** Completes when the server is initialized; fails with {@code UPSTREAM_ERROR} if it never is. */
    CompletableFuture<StdioServerProcess> ready() {
        return ready;
    }

    boolean isDead() {
        return dead.get();
    }

    boolean isReady() {
        return ready.isDone() && !ready.isCompletedExceptionally();
    }

    String label() {
        return label;
    }

    long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    String protocolVersion() {
        return negotiatedVersion;
    }

    /** The server's {@code initialize} result (serverInfo, capabilities), once ready; else null. */
    JsonNode initializeResult() {
        return initializeResult;
    }

    int inFlight() {
        return inFlight.get();
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    /** Counts a call against this process until {@link #release()}. */
    void acquire() {
        inFlight.incrementAndGet();
        lastUsedNanos = System.nanoTime();
    }

    void release() {
        lastUsedNanos = System.nanoTime();
        inFlight.decrementAndGet();
    }

    /**
     * Sends request {@code method} and emits its response message (result or error). Cancelling
     * the Uni (e.g. on timeout) sends {@code notifications/cancelled} for it. Emits on this
     * process's reader thread.
     */
    Uni<JsonNode> request(String method, JsonNode params) {
        return Uni.createFrom().emitter(emitter -> {
            if (dead.get()) {
                emitter.fail(died());
                return;
            }
            long id = ids.incrementAndGet();
            CompletableFuture<JsonNode> response = new CompletableFuture<>();
            pending.put(id, response);
            emitter.onTermination(() -> {
                if (pending.remove(id) != null && !dead.get()) {
                    // Still pending: the caller gave up (timeout or cancellation); tell the server.
                    outbox.offer(bytes(JsonRpc.notification(mapper, "notifications/cancelled",
                            JsonRpc.cancelledParams(mapper, id, "The caller gave up on the request."))));
                }
            });
            if (!outbox.offer(bytes(JsonRpc.request(mapper, id, method, params)))) {
                pending.remove(id);
                emitter.fail(new LaneException(ErrorReasons.RATE_LIMITED,
                        "The MCP server " + label + " is not reading requests fast enough; try again shortly.", null, true));
                return;
            }
            if (dead.get() && pending.remove(id) != null) {
                emitter.fail(died());
                return;
            }
            response.whenComplete((message, failure) -> {
                if (failure != null) {
                    emitter.fail(failure);
                } else {
                    emitter.complete(message);
                }
            });
        });
    }

    /**
     * Stops the server as the MCP stdio transport asks: stdin closed, SIGTERM after {@code grace},
     * SIGKILL to the whole tree after another {@code grace}. Blocking.
     */
    void stop(Duration grace) {
        boolean wasAlive = dead.compareAndSet(false, true);
        outbox.clear();
        outbox.offer(STOP);
        Process p = process;
        if (p != null && p.isAlive()) {
            // Listed now: once the server exits, what it started (e.g. npx's node) is re-parented.
            List<ProcessHandle> started = p.descendants().toList();
            waitForExit(p, grace);
            if (p.isAlive()) {
                ProcessTrees.terminate(p);
                waitForExit(p, grace);
            }
            if (p.isAlive()) {
                ProcessTrees.kill(p);
            }
            started.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
        if (wasAlive) {
            LOG.debugf("MCP stdio server %s (pid %d) stopped", label, pid());
            onDeath.accept(this);
        }
        ready.completeExceptionally(new LaneException(ErrorReasons.UPSTREAM_ERROR, "The MCP server " + label + " was stopped.", null, true));
        failPending("was stopped");
    }

    private static void waitForExit(Process p, Duration grace) {
        try {
            p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readStdout() {
        Process p = process;
        try (InputStream in = p.getInputStream()) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
            byte[] buffer = new byte[65536];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        line.write(buffer, start, i - start);
                        handleLine(line);
                        line.reset();
                        start = i + 1;
                    }
                }
                line.write(buffer, start, n - start);
                if (line.size() > maxMessageBytes) {
                    throw new IOException("sent a message longer than " + maxMessageBytes + " bytes");
                }
            }
            die(exitDescription(p, "closed its output"));
        } catch (IOException e) {
            die(dead.get() ? "was stopped" : exitDescription(p, e.getMessage()));
        }
    }

    /** "exited with code N" when the process ends within a second, else {@code otherwise}. */
    private static String exitDescription(Process p, String otherwise) {
        try {
            Process exited = p.onExit().get(1, TimeUnit.SECONDS);
            return "exited with code " + exited.exitValue();
        } catch (Exception e) {
            return otherwise;
        }
    }

    private void handleLine(ByteArrayOutputStream line) {
        if (line.size() == 0) {
            return;
        }
        JsonNode message;
        try {
            message = mapper.readTree(line.toByteArray());
        } catch (IOException e) {
            LOG.debugf("MCP stdio server %s wrote a line that is not JSON; ignored", label);
            return;
        }
        if (message == null) {
            return;
        }
        if (message.isArray()) {
            message.forEach(this::handleMessage);
        } else {
            handleMessage(message);
        }
    }

    private void handleMessage(JsonNode message) {
        JsonNode id = message.get("id");
        JsonNode method = message.get("method");
        if (method == null && id != null && id.canConvertToLong()) {
            CompletableFuture<JsonNode> waiting = pending.remove(id.asLong());
            if (waiting != null) {
                waiting.complete(message);
            }
            return;
        }
        if (method != null && id != null && !id.isNull()) {
            answerServerRequest(id, method.asText());
            return;
        }
        if (method != null) {
            LOG.tracef("MCP stdio server %s: notification %s", label, method.asText());
        }
    }

    /** The client offers no capabilities: {@code ping} is answered, anything else is "method not found". */
    private void answerServerRequest(JsonNode id, String method) {
        ObjectNode reply = mapper.createObjectNode().put("jsonrpc", "2.0");
        reply.set("id", id);
        if ("ping".equals(method)) {
            reply.putObject("result");
        } else {
            reply.putObject("error").put("code", -32601).put("message", "The Executor invoker does not support " + method + ".");
        }
        outbox.offer(bytes(reply));
    }

    private void writeStdin() {
        Process p = process;
        try (OutputStream out = p.getOutputStream()) {
            while (true) {
                byte[] message = outbox.take();
                if (message == STOP) {
                    return;
                }
                out.write(message);
                out.write('\n');
                if (outbox.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            die(dead.get() ? "was stopped" : exitDescription(p, "stopped reading its input (" + e.getMessage() + ")"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainStderr() {
        Process p = process;
        try (InputStream in = p.getErrorStream()) {
            StringBuilder line = new StringBuilder();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        logStderr(line);
                    } else if (line.length() < STDERR_LINE_CHARS) {
                        line.append((char) (b & 0xff));
                    }
                }
            }
            logStderr(line);
        } catch (IOException e) {
            // Closed when the process ends.
        }
    }

    private void logStderr(StringBuilder line) {
        if (!line.isEmpty()) {
            if (LOG.isDebugEnabled()) {
                LOG.debugf("MCP stdio server %s stderr: %s", label,
                        new String(line.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
            }
            line.setLength(0);
        }
    }

    /** Marks the process dead (once), kills what is left of it, fails every pending request. */
    private void die(String why) {
        if (dead.compareAndSet(false, true)) {
            LOG.debugf("MCP stdio server %s (pid %d) %s", label, pid(), why);
            Process p = process;
            if (p != null && p.isAlive()) {
                ProcessTrees.kill(p);
            }
            outbox.clear();
            outbox.offer(STOP);
            // The pool learns first, so a caller retrying on the failure below already sees the backoff.
            onDeath.accept(this);
            ready.completeExceptionally(new LaneException(ErrorReasons.UPSTREAM_ERROR,
                    "The MCP server " + label + " " + why + ".", null, true));
            failPending(why);
        }
    }

    private void failPending(String why) {
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<JsonNode> waiting = pending.remove(id);
            if (waiting != null) {
                waiting.completeExceptionally(new LaneException(ErrorReasons.UPSTREAM_ERROR,
                        "The MCP server " + label + " " + why + " before answering; it is restarted on the next call.", null, true));
            }
        }
    }

    private LaneException died() {
        return new LaneException(ErrorReasons.UPSTREAM_ERROR, "The MCP server " + label + " is not running; it is restarted on the next call.",
                null, true);
    }

    private byte[] bytes(JsonNode message) {
        try {
            return mapper.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new LaneException(ErrorReasons.INTERNAL, "Could not write a JSON-RPC message.");
        }
    }

    private static void thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }
}
