package dev.executor.acceptance;

import static dev.executor.acceptance.Platform.json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An agent over MCP: the official TypeScript SDK client ({@code src/test/node/mcp-agent}) with
 * Streamable HTTP, run as a node process that makes the given tool calls on one session and prints
 * what it got as one JSON object.
 */
final class McpAgent {

    private static Path installed;

    private McpAgent() {
    }

    /** Runs the client against {@code url} and returns what it printed; fails if the client did. */
    static JsonNode run(String url, String token, List<Map<String, Object>> calls) {
        return finish(start(url, token, calls, Map.of()));
    }

    /** Starts the client; {@code env} adds environment variables (READY_FILE / GO_FILE, see agent.mjs). */
    static Running start(String url, String token, List<Map<String, Object>> calls, Map<String, String> env) {
        Path dir = install();
        try {
            Path err = Files.createTempFile("mcp-agent", ".err");
            ProcessBuilder pb = new ProcessBuilder("node", "agent.mjs", url, token).directory(dir.toFile())
                    .redirectError(err.toFile()).redirectOutput(Files.createTempFile("mcp-agent", ".out").toFile());
            pb.environment().put("CALLS", Platform.JSON.writeValueAsString(calls));
            pb.environment().putAll(env);
            return new Running(pb.start(), pb.redirectOutput().file().toPath(), err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the client and returns what it printed; fails if it failed. */
    static JsonNode finish(Running running) {
        try {
            if (!running.process.waitFor(150, TimeUnit.SECONDS)) {
                running.process.destroyForcibly();
                throw new AssertionError("the MCP client did not finish:\n" + Files.readString(running.stderr));
            }
            String[] lines = Files.readString(running.stdout, StandardCharsets.UTF_8).strip().split("\n");
            JsonNode out = json(lines[lines.length - 1]);
            if (!out.path("ok").asBoolean()) {
                throw new AssertionError("MCP client failed: " + out.path("error").asText() + "\n" + Files.readString(running.stderr));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    record Running(Process process, Path stdout, Path stderr) {
    }

    static Map<String, Object> call(String name, Map<String, Object> arguments) {
        return Map.of("name", name, "arguments", arguments);
    }

    /** The text content of a CallToolResult. */
    static String text(JsonNode callToolResult) {
        StringBuilder sb = new StringBuilder();
        callToolResult.path("content").forEach(c -> sb.append(c.path("text").asText()));
        return sb.toString();
    }

    private static synchronized Path install() {
        if (installed != null) {
            return installed;
        }
        Path root = Platform.get().root;
        Path source = root.resolve("acceptance/src/test/node/mcp-agent");
        Path dir = root.resolve("acceptance/target/mcp-agent");
        try {
            Npm.ci(source, dir);
            Files.copy(source.resolve("agent.mjs"), dir.resolve("agent.mjs"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        installed = dir;
        return dir;
    }
}
