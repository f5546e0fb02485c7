package dev.executor.invoker.lane.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.v1.ProcessBinding;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.Lane;
import dev.executor.invoker.lane.LaneCall;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.LaneResult;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * The {@code process} lane: runs a CLI tool's declared command, never through a shell.
 *
 * <p>The argv comes from the binding's template ({@link ArgvTemplate}); the executable must be in
 * {@code invoker.process.allowed-executables}. The child starts in a fresh empty working
 * directory (deleted afterwards) with {@code PATH} plus the configured variables, stdin closed.
 * It must finish within the binding's timeout, capped by the call's; on timeout, or when the
 * returned Uni is cancelled, it is killed with all its descendants. stdout and stderr are kept up
 * to {@code max-output-bytes} each (the rest is drained and dropped).
 *
 * <p>Output: {@code {exitCode, stdout, stderr, truncated}} plus {@code json} when stdout is one
 * valid JSON value. A non-zero exit code is a tool error. At most {@code max-concurrent} processes
 * run at once; a call beyond that fails at once with {@code RATE_LIMITED}. Blocking work runs on
 * the lane's own threads (never an event loop); the Uni emits on one of them.
 */
@ApplicationScoped
public class ProcessLane implements Lane {

    private static final Logger LOG = Logger.getLogger(ProcessLane.class);

    private final Executables executables;
    private final int maxOutputBytes;
    private final Duration defaultTimeout;
    private final int maxConcurrent;
    private final Semaphore permits;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    private final ObjectMapper mapper;
    private final ObjectReader strictReader;
    private final Set<Execution> running = ConcurrentHashMap.newKeySet();

    public ProcessLane(ProcessLaneConfig config, ObjectMapper mapper) {
        this.executables = new Executables(config.allowedExecutables().orElse(List.of()), "invoker.process.allowed-executables",
                config.path(), config.env());
        this.maxOutputBytes = config.maxOutputBytes();
        this.defaultTimeout = config.defaultTimeout();
        this.maxConcurrent = config.maxConcurrent();
        this.permits = new Semaphore(maxConcurrent);
        // Two threads per running process (stdout, stderr); admission is bounded by the semaphore,
        // so the queue never holds more than the permits allow.
        this.workers = new ThreadPoolExecutor(2 * maxConcurrent, 2 * maxConcurrent, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemonThreads("process-lane-"));
        this.workers.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads("process-lane-timer-"));
        scheduler.setRemoveOnCancelPolicy(true);
        this.timer = scheduler;
        this.mapper = mapper;
        this.strictReader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public Uni<LaneResult> execute(LaneCall call) {
        return Uni.createFrom().deferred(() -> {
            if (!call.tool().hasLane() || !call.tool().getLane().hasProcess()) {
                return Uni.createFrom().failure(new LaneException(ErrorReasons.INTERNAL, "The tool has no process binding."));
            }
            ProcessBinding binding = call.tool().getLane().getProcess();
            Path executable = executables.resolve(binding.getExecutable());
            List<String> argv = ArgvTemplate.expand(binding.getArgsTemplateList(), call.arguments());
            Duration timeout = timeout(binding, call);
            Execution execution = new Execution(call.runId(), Executables.command(executable, argv), timeout);
            return Uni.createFrom().<LaneResult>emitter(execution::start);
        });
    }

    private Duration timeout(ProcessBinding binding, LaneCall call) {
        Duration timeout = defaultTimeout;
        if (binding.hasTimeout() && (binding.getTimeout().getSeconds() > 0 || binding.getTimeout().getNanos() > 0)) {
            timeout = Duration.ofSeconds(binding.getTimeout().getSeconds(), binding.getTimeout().getNanos());
        }
        if (call.timeout() != null && call.timeout().compareTo(timeout) < 0) {
            timeout = call.timeout();
        }
        return timeout;
    }

    /** Kills the processes still running (the invoker is stopping) and stops the lane's threads. */
    @PreDestroy
    void close() {
        running.forEach(Execution::kill);
        timer.shutdownNow();
        workers.shutdown();
    }

    private record Captured(byte[] bytes, boolean truncated) {
    }

    /** One run of one command; lives from start to the single signal it emits. */
    private final class Execution {

        private final String runId;
        private final List<String> command;
        private final Duration timeout;
        /** Set once the Uni got its signal (from here, from the deadline, or by cancellation). */
        private final AtomicBoolean signalled = new AtomicBoolean();
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile UniEmitter<? super LaneResult> emitter;
        private volatile Process process;
        private volatile ScheduledFuture<?> deadline;
        private Path workDir;

        Execution(String runId, List<String> command, Duration timeout) {
            this.runId = runId;
            this.command = command;
            this.timeout = timeout;
        }

        void start(UniEmitter<? super LaneResult> emitter) {
            this.emitter = emitter;
            if (!permits.tryAcquire()) {
                finished.set(true); // nothing to release
                fail(new LaneException(ErrorReasons.RATE_LIMITED,
                        maxConcurrent + " commands are already running on this invoker; try again shortly.", null, true));
                return;
            }
            emitter.onTermination(() -> {
                if (signalled.compareAndSet(false, true)) {
                    // Cancelled by the subscriber: nobody wants the result any more.
                    kill();
                }
            });
            try {
                workers.execute(this::run);
            } catch (RuntimeException rejected) {
                finish();
                fail(new LaneException(ErrorReasons.UNAVAILABLE, "The process lane is shutting down; try again.", null, true));
            }
        }

        private void run() {
            long started = System.nanoTime();
            try {
                workDir = Files.createTempDirectory("executor-process-");
                ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                        .redirectInput(ProcessBuilder.Redirect.PIPE);
                builder.environment().clear();
                builder.environment().putAll(executables.environment());
                if (signalled.get()) {
                    return;
                }
                process = builder.start();
                running.add(this);
                deadline = timer.schedule(this::onDeadline, timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (signalled.get()) {
                    kill();
                }
                process.getOutputStream().close();
                CompletableFuture<Captured> stderr = CompletableFuture.supplyAsync(() -> capture(process.getErrorStream()), workers);
                Captured stdout = capture(process.getInputStream());
                int exitCode = process.waitFor();
                Captured err = stderr.get(remaining(started), TimeUnit.NANOSECONDS);
                if (exitCode != 0) {
                    LOG.debugf("run %s: command %s exited with %d", runId, command.get(0), exitCode);
                }
                complete(new LaneResult(output(exitCode, stdout, err), exitCode != 0));
            } catch (TimeoutException e) {
                // The command exited, but something it left behind still holds its stderr open.
                onDeadline();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                fail(new LaneException(ErrorReasons.UNAVAILABLE, "The invoker is shutting down; the command was stopped.", null, true));
            } catch (IOException | ExecutionException e) {
                kill();
                LOG.debugf("run %s: command %s could not run: %s", runId, command.get(0), e.getMessage());
                fail(new LaneException(ErrorReasons.UPSTREAM_ERROR, "The command '" + command.get(0) + "' could not be started: "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
            } finally {
                finish();
            }
        }

        private void onDeadline() {
            // The outcome is claimed before the kill: once the process dies, run() wakes up and would
            // otherwise report the killed command's exit code as its result. Failing here also ends
            // the call when a reader is still blocked on a pipe that something the command left
            // behind holds open.
            fail(new LaneException(ErrorReasons.UPSTREAM_TIMEOUT,
                    "The command '" + command.get(0) + "' did not finish within " + timeout.toMillis() + " ms and was killed."));
            kill();
        }

        private void complete(LaneResult result) {
            if (signalled.compareAndSet(false, true)) {
                emitter.complete(result);
            }
        }

        private void fail(LaneException failure) {
            if (signalled.compareAndSet(false, true)) {
                emitter.fail(failure);
            }
        }

        private long remaining(long started) {
            return Math.max(1, timeout.toNanos() - (System.nanoTime() - started));
        }

        private Captured capture(InputStream in) {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            boolean truncated = false;
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    int room = maxOutputBytes - kept.size();
                    if (n > room) {
                        truncated = true;
                    }
                    if (room > 0) {
                        kept.write(buffer, 0, Math.min(n, room));
                    }
                }
            } catch (IOException e) {
                // The stream closes under us when the process is killed.
            }
            return new Captured(kept.toByteArray(), truncated);
        }

        private void kill() {
            Process p = process;
            if (p != null && p.isAlive()) {
                ProcessTrees.kill(p);
            }
        }

        private void finish() {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            running.remove(this);
            ScheduledFuture<?> d = deadline;
            if (d != null) {
                d.cancel(false);
            }
            permits.release();
            if (workDir != null) {
                deleteQuietly(workDir);
            }
        }
    }

    private ObjectNode output(int exitCode, Captured stdout, Captured stderr) {
        ObjectNode out = mapper.createObjectNode();
        out.put("exitCode", exitCode);
        String text = decode(stdout.bytes());
        out.put("stdout", text);
        out.put("stderr", decode(stderr.bytes()));
        out.put("truncated", stdout.truncated() || stderr.truncated());
        if (!stdout.truncated() && !text.isBlank()) {
            try {
                out.set("json", strictReader.readTree(text));
            } catch (JsonProcessingException notJson) {
                // Plain text output: stdout alone says it.
            }
        }
        return out;
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debugf("could not delete %s: %s", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.debugf("could not delete %s: %s", dir, e.getMessage());
        }
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
