package dev.executor.invoker.lane.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.v1.LaneFacts;
import dev.executor.catalog.v1.ProcessBinding;
import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.common.v1.Principal;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneCall;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.LaneResult;
import io.smallrye.mutiny.subscription.Cancellable;

/** The process lane against real executables: /bin/echo, /bin/sh with fixed scripts, /usr/bin/env. */
class ProcessLaneTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Prints the number of argv entries, then each entry on its own line. */
    private static final String PRINT_ARGV = "printf '%s\\n' \"$#\" \"$@\"";

    record Config(Optional<List<String>> allowedExecutables, Optional<String> path, Map<String, String> env, int maxOutputBytes,
            Duration defaultTimeout, int maxConcurrent) implements ProcessLaneConfig {
    }

    private ProcessLane lane;

    @AfterEach
    void closeLane() {
        if (lane != null) {
            lane.close();
        }
    }

    private ProcessLane lane(List<String> allowed) {
        return lane(new Config(Optional.of(allowed), Optional.of("/usr/bin:/bin"), Map.of("EXECUTOR_LANE", "process"), 1_048_576,
                Duration.ofSeconds(30), 4));
    }

    private ProcessLane lane(Config config) {
        lane = new ProcessLane(config, MAPPER);
        return lane;
    }

    static LaneCall call(String executable, List<String> template, ObjectNode arguments, Duration bindingTimeout, Duration callTimeout) {
        ProcessBinding.Builder binding = ProcessBinding.newBuilder().setExecutable(executable).addAllArgsTemplate(template);
        if (bindingTimeout != null) {
            binding.setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(bindingTimeout.toSeconds())
                    .setNanos(bindingTimeout.toNanosPart()));
        }
        ResolveToolResponse tool = ResolveToolResponse.newBuilder()
                .setLane(LaneFacts.newBuilder().setLane("process").setProcess(binding)).build();
        return new LaneCall("run-1", tool, arguments, Principal.getDefaultInstance(), callTimeout, null);
    }

    private static ObjectNode args(Object... pairs) {
        ObjectNode node = MAPPER.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            node.set((String) pairs[i], MAPPER.valueToTree(pairs[i + 1]));
        }
        return node;
    }

    private static List<String> printedArgv(LaneResult result) {
        List<String> lines = Arrays.asList(result.output().get("stdout").asText().split("\n", -1));
        int count = Integer.parseInt(lines.get(0));
        return lines.subList(1, 1 + count);
    }

    private LaneResult run(LaneCall call) {
        return lane.execute(call).await().atMost(WAIT);
    }

    private LaneException failure(LaneCall call) {
        return assertThrows(LaneException.class, () -> run(call));
    }

    @Test
    void replacesPlaceholdersWithArgumentsOneArgvEntryEach() {
        // Given
        lane(List.of("/bin/sh"));
        LaneCall call = call("/bin/sh", List.of("-c", PRINT_ARGV, "sh", "get", "{name}", "--namespace={ns}", "--limit={limit}", "--all={all}"),
                args("name", "my pod", "ns", "prod", "limit", 5, "all", true), null, null);

        // When
        LaneResult result = run(call);

        // Then
        assertEquals(List.of("get", "my pod", "--namespace=prod", "--limit=5", "--all=true"), printedArgv(result));
        assertEquals(0, result.output().get("exitCode").asInt());
        assertFalse(result.toolError());
        assertFalse(result.output().get("truncated").asBoolean());
    }

    @Test
    void dropsEntriesOfMissingOptionalArguments() {
        // Given
        lane(List.of("/bin/sh"));
        LaneCall call = call("/bin/sh", List.of("-c", PRINT_ARGV, "sh", "logs", "{pod}", "--since={since}", "{container}"),
                args("pod", "web-1", "container", null), null, null);

        // When
        LaneResult result = run(call);

        // Then
        assertEquals(List.of("logs", "web-1"), printedArgv(result));
    }

    @Test
    void expandsArraysToOneEntryPerElement() {
        // Given
        lane(List.of("/bin/sh"));
        LaneCall call = call("/bin/sh", List.of("-c", PRINT_ARGV, "sh", "{files}", "--tag={tags}", "--none={empty}"),
                args("files", List.of("a.txt", "b c.txt"), "tags", List.of("x", 2), "empty", List.of()), null, null);

        // When
        LaneResult result = run(call);

        // Then
        assertEquals(List.of("a.txt", "b c.txt", "--tag=x", "--tag=2"), printedArgv(result));
    }

    @Test
    void refusesObjectArgumentsBeforeStartingAnything() {
        // Given
        lane(List.of("/bin/sh"));
        LaneCall call = call("/bin/sh", List.of("-c", PRINT_ARGV, "sh", "{filter}"), args("filter", Map.of("a", 1)), null, null);

        // When
        LaneException e = failure(call);

        // Then
        assertEquals(ErrorReasons.INVALID_ARGUMENTS, e.reason());
        assertTrue(e.getMessage().contains("'filter' is an object"), e.getMessage());
    }

    @Test
    void passesShellMetacharactersVerbatimAsOneArgvEntry(@TempDir Path dir) {
        // Given: an argument that a shell would run as two more commands
        lane(List.of("/bin/sh"));
        Path canary = dir.resolve("pwned");
        String hostile = "; rm -rf / ; touch " + canary + " $(touch " + canary + ") `touch " + canary + "` && echo done";
        LaneCall call = call("/bin/sh", List.of("-c", PRINT_ARGV, "sh", "{query}"), args("query", hostile), null, null);

        // When
        LaneResult result = run(call);

        // Then: it arrived as one argv entry, character for character, and nothing ran
        assertEquals(List.of(hostile), printedArgv(result));
        assertFalse(Files.exists(canary));
    }

    @Test
    void returnsStdoutAsJsonWhenItIsJson() {
        // Given
        lane(List.of("/bin/echo"));
        LaneCall call = call("/bin/echo", List.of("{{\"count\": {n}, \"items\": [1, 2]}}"), args("n", 3), null, null);

        // When
        LaneResult result = run(call);

        // Then
        JsonNode json = result.output().get("json");
        assertEquals(3, json.get("count").asInt());
        assertEquals(2, json.get("items").size());
        assertEquals("{\"count\": 3, \"items\": [1, 2]}\n", result.output().get("stdout").asText());
    }

    @Test
    void leavesJsonOutWhenStdoutIsPlainText() {
        // Given
        lane(List.of("/bin/echo"));

        // When
        LaneResult result = run(call("/bin/echo", List.of("hello", "{who}"), args("who", "world"), null, null));

        // Then
        assertEquals("hello world\n", result.output().get("stdout").asText());
        assertFalse(result.output().has("json"));
    }

    @Test
    void reportsNonZeroExitAsToolErrorWithStderr() {
        // Given
        lane(List.of("/bin/sh"));
        LaneCall call = call("/bin/sh", List.of("-c", "echo partial; echo \"no such pod: $1\" >&2; exit 3", "sh", "{pod}"),
                args("pod", "web-9"), null, null);

        // When
        LaneResult result = run(call);

        // Then
        assertTrue(result.toolError());
        assertEquals(3, result.output().get("exitCode").asInt());
        assertEquals("partial\n", result.output().get("stdout").asText());
        assertEquals("no such pod: web-9\n", result.output().get("stderr").asText());
    }

    @Test
    void killsTheWholeProcessTreeWhenTheBindingTimeoutPasses(@TempDir Path dir) throws Exception {
        // Given: a script that starts a child and waits for it
        lane(List.of("/bin/sh"));
        Path pids = dir.resolve("pids");
        LaneCall call = call("/bin/sh", List.of("-c", "sleep 300 & echo $$ $! > \"$1\"; wait", "sh", "{file}"),
                args("file", pids.toString()), Duration.ofMillis(800), null);

        // When
        LaneException e = failure(call);

        // Then: the call failed as a timeout, and the shell and its sleep are both gone
        assertEquals(ErrorReasons.UPSTREAM_TIMEOUT, e.reason());
        assertTrue(e.getMessage().contains("800 ms"), e.getMessage());
        assertAllDead(pids);
    }

    @Test
    void capsTheBindingTimeoutAtTheCallTimeout() {
        // Given: the binding allows a minute, the call only 300 ms
        lane(List.of("/bin/sleep"));
        LaneCall call = call("/bin/sleep", List.of("60"), args(), Duration.ofSeconds(60), Duration.ofMillis(300));

        // When
        LaneException e = failure(call);

        // Then
        assertEquals(ErrorReasons.UPSTREAM_TIMEOUT, e.reason());
        assertTrue(e.getMessage().contains("300 ms"), e.getMessage());
    }

    @Test
    void killsTheProcessTreeWhenTheCallIsCancelled(@TempDir Path dir) throws Exception {
        // Given: a running command
        lane(List.of("/bin/sh"));
        Path pids = dir.resolve("pids");
        LaneCall call = call("/bin/sh", List.of("-c", "sleep 300 & echo $$ $! > \"$1\"; wait", "sh", "{file}"),
                args("file", pids.toString()), null, null);
        Cancellable running = lane.execute(call).subscribe().with(r -> {
        }, f -> {
        });
        await().atMost(WAIT).until(() -> Files.exists(pids) && Files.readString(pids).trim().split(" ").length == 2);

        // When
        running.cancel();

        // Then
        assertAllDead(pids);
    }

    @Test
    void killsRunningProcessesWhenTheLaneCloses(@TempDir Path dir) throws Exception {
        // Given: a running command
        lane(List.of("/bin/sh"));
        Path pids = dir.resolve("pids");
        lane.execute(call("/bin/sh", List.of("-c", "sleep 300 & echo $$ $! > \"$1\"; wait", "sh", "{file}"),
                args("file", pids.toString()), null, null)).subscribe().with(r -> {
                }, f -> {
                });
        await().atMost(WAIT).until(() -> Files.exists(pids) && Files.readString(pids).trim().split(" ").length == 2);

        // When: the invoker shuts down
        lane.close();

        // Then
        assertAllDead(pids);
    }

    @Test
    void truncatesOutputBeyondTheLimitAndSaysSo() {
        // Given: a limit of 1000 bytes and a command printing 100,000
        lane(new Config(Optional.of(List.of("/bin/sh")), Optional.of("/usr/bin:/bin"), Map.of(), 1000, Duration.ofSeconds(30), 4));
        LaneCall call = call("/bin/sh", List.of("-c", "head -c 100000 /dev/zero | tr '\\0' a; echo err >&2"), args(), null, null);

        // When
        LaneResult result = run(call);

        // Then
        assertEquals(1000, result.output().get("stdout").asText().length());
        assertTrue(result.output().get("truncated").asBoolean());
        assertEquals("err\n", result.output().get("stderr").asText());
        assertEquals(0, result.output().get("exitCode").asInt());
    }

    @Test
    void refusesEveryExecutableWhenTheAllowListIsEmpty() {
        // Given
        lane(List.of());

        // When
        LaneException e = failure(call("/bin/echo", List.of("hi"), args(), null, null));

        // Then
        assertEquals(ErrorReasons.PERMISSION_DENIED, e.reason());
        assertTrue(e.getMessage().contains("invoker.process.allowed-executables"), e.getMessage());
    }

    @Test
    void refusesAnExecutableNotInTheAllowList() {
        // Given
        lane(List.of("/bin/echo"));

        // When
        LaneException e = failure(call("/bin/sh", List.of("-c", "echo hi"), args(), null, null));

        // Then
        assertEquals(ErrorReasons.PERMISSION_DENIED, e.reason());
        assertTrue(e.getMessage().contains("'/bin/sh' is not in invoker.process.allowed-executables"), e.getMessage());
    }

    @Test
    void resolvesAnAllowedBareNameOnTheConfiguredPath() {
        // Given
        lane(List.of("echo"));

        // When
        LaneResult result = run(call("echo", List.of("found"), args(), null, null));

        // Then
        assertEquals("found\n", result.output().get("stdout").asText());
    }

    @Test
    void givesTheProcessOnlyPathAndTheConfiguredEnvironment() {
        // Given: this JVM has HOME, JAVA_HOME and more in its environment
        lane(List.of("/usr/bin/env"));

        // When
        LaneResult result = run(call("/usr/bin/env", List.of(), args(), null, null));

        // Then
        Map<String, String> env = Arrays.stream(result.output().get("stdout").asText().split("\n")).filter(l -> !l.isEmpty())
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
        assertEquals(Map.of("PATH", "/usr/bin:/bin", "EXECUTOR_LANE", "process"), env);
    }

    @Test
    void refusesACallBeyondTheConcurrencyLimitInsteadOfQueueing(@TempDir Path dir) throws Exception {
        // Given: one slot, taken by a running command
        lane(new Config(Optional.of(List.of("/bin/sh", "/bin/echo")), Optional.empty(), Map.of(), 1000, Duration.ofSeconds(30), 1));
        Path pids = dir.resolve("pids");
        Cancellable running = lane.execute(call("/bin/sh", List.of("-c", "sleep 300 & echo $$ $! > \"$1\"; wait", "sh", "{file}"),
                args("file", pids.toString()), null, null)).subscribe().with(r -> {
                }, f -> {
                });
        await().atMost(WAIT).until(() -> Files.exists(pids) && Files.readString(pids).trim().split(" ").length == 2);

        // When
        LaneException e = failure(call("/bin/echo", List.of("hi"), args(), null, null));

        // Then
        assertEquals(ErrorReasons.RATE_LIMITED, e.reason());
        assertTrue(e.retryable());
        running.cancel();
        assertAllDead(pids);
        await().atMost(WAIT).untilAsserted(() -> assertEquals("hi\n", run(call("/bin/echo", List.of("hi"), args(), null, null))
                .output().get("stdout").asText()));
    }

    @Test
    void refusesArgumentsWithNulCharacters() {
        // Given
        lane(List.of("/bin/echo"));

        // When
        LaneException e = failure(call("/bin/echo", List.of("{x}"), args("x", "a\u0000b"), null, null));

        // Then
        assertEquals(ErrorReasons.INVALID_ARGUMENTS, e.reason());
    }

    private static void assertAllDead(Path pidFile) throws Exception {
        List<Long> pids = Arrays.stream(Files.readString(pidFile).trim().split(" ")).map(Long::parseLong).toList();
        assertEquals(2, pids.size());
        await().atMost(WAIT).untilAsserted(() -> {
            for (long pid : pids) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " still alive");
            }
        });
    }
}
