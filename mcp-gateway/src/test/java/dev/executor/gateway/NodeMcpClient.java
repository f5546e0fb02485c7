package dev.executor.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vertx.core.json.JsonObject;

/**
 * Runs {@code src/test/node/mcp-client/client.mjs}, a client built on the official MCP TypeScript
 * SDK (version pinned by its package-lock.json), installed once into {@code target/mcp-client} with
 * {@code npm ci}: needs Node 18+ and npm registry access on a clean machine.
 */
final class NodeMcpClient {

    private static final Path SOURCE = Path.of("src/test/node/mcp-client");
    private static final Path DIR = Path.of("target/mcp-client");
    private static boolean installed;

    private NodeMcpClient() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            Files.createDirectories(DIR);
            boolean changed = false;
            for (String f : List.of("package.json", "package-lock.json", "client.mjs")) {
                Path target = DIR.resolve(f);
                byte[] bytes = Files.readAllBytes(SOURCE.resolve(f));
                if (!Files.exists(target) || !java.util.Arrays.equals(bytes, Files.readAllBytes(target))) {
                    Files.write(target, bytes);
                    changed |= f.startsWith("package");
                }
            }
            if (changed || !Files.isDirectory(DIR.resolve("node_modules/@modelcontextprotocol/sdk"))) {
                run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
            }
            installed = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one scenario and returns the JSON the script printed. */
    static JsonObject run(String scenario, String url, String token, Map<String, String> env) {
        install();
        String stdout = run(List.of("node", "client.mjs", scenario, url, token), env, 120);
        String[] lines = stdout.strip().split("\n");
        return new JsonObject(lines[lines.length - 1]);
    }

    private static String run(List<String> command, Map<String, String> env, int timeoutSeconds) {
        try {
            Path log = Files.createTempFile("node-mcp-client", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).directory(DIR.toFile()).redirectError(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(command + " exited " + p.exitValue() + ": " + Files.readString(log));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

}
