package dev.executor.catalog.source.mcp;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.executor.launcher.infra.FreePorts;

/**
 * The MCP reference server {@code @modelcontextprotocol/server-everything}, pinned, installed with
 * npm into {@code target/mcp-everything} on first use (needs {@code npm} and {@code node} on the PATH
 * and the npm registry) and run with Node on a free loopback port, once per JVM per transport; a
 * shutdown hook stops it.
 *
 * <p>The package's {@code dist/index.js} takes the transport as its first argument ({@code stdio},
 * {@code sse}, {@code streamableHttp}) and the port from {@code PORT}; Streamable HTTP serves
 * {@code /mcp}, SSE serves {@code /sse} (+ {@code /message}).
 */
public final class McpEverything {

    public static final String PACKAGE = "@modelcontextprotocol/server-everything";
    public static final String VERSION = "2026.8.31";
    /** Tools version {@value #VERSION} lists to a client that declares no capabilities. */
    public static final int TOOL_COUNT = 13;

    private static final Path HOME = Path.of("target", "mcp-everything").toAbsolutePath();
    private static McpEverything streamable;
    private static McpEverything sse;

    private final Process process;
    private final int port;

    private McpEverything(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** {@code http://127.0.0.1:<port>/mcp} of the shared Streamable HTTP server. */
    public static synchronized String streamableHttpUrl() {
        if (streamable == null) {
            streamable = start("streamableHttp");
        }
        return "http://127.0.0.1:" + streamable.port + "/mcp";
    }

    /** {@code http://127.0.0.1:<port>/sse} of the shared legacy SSE server. */
    public static synchronized String sseUrl() {
        if (sse == null) {
            sse = start("sse");
        }
        return "http://127.0.0.1:" + sse.port + "/sse";
    }

    private static McpEverything start(String transport) {
        Path main = install().resolve("dist/index.js");
        int port = FreePorts.pick();
        try {
            ProcessBuilder pb = new ProcessBuilder("node", main.toString(), transport)
                    .redirectErrorStream(true)
                    .redirectOutput(HOME.resolve(transport + ".log").toFile());
            pb.environment().put("PORT", String.valueOf(port));
            Process process = pb.start();
            McpEverything server = new McpEverything(process, port);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "mcp-everything-stop"));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !process.isAlive() || FreePorts.isListening(port));
            if (!process.isAlive()) {
                throw new IllegalStateException("server-everything (" + transport + ") exited; see " + HOME.resolve(transport + ".log"));
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start node; is Node.js on the PATH?", e);
        }
    }

    /** The package directory, installed with npm if missing. */
    static synchronized Path install() {
        Path pkg = HOME.resolve("node_modules").resolve(PACKAGE);
        try {
            if (Files.exists(pkg.resolve("package.json")) && Files.readString(pkg.resolve("package.json")).contains("\"" + VERSION + "\"")) {
                return pkg;
            }
            Files.createDirectories(HOME);
            List<String> command = List.of("npm", "install", "--prefix", HOME.toString(), "--no-audit", "--no-fund", "--ignore-scripts",
                    "--no-save", "--loglevel=error", PACKAGE + "@" + VERSION);
            Process npm = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(HOME.resolve("npm-install.log").toFile()).start();
            if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                npm.destroyForcibly();
                throw new IllegalStateException("npm install " + PACKAGE + "@" + VERSION + " failed; see " + HOME.resolve("npm-install.log"));
            }
            return pkg;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run npm; is Node.js/npm on the PATH?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void stop() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }
}
