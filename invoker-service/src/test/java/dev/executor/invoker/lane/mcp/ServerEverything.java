package dev.executor.invoker.lane.mcp;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The real MCP server {@code @modelcontextprotocol/server-everything}, pinned, installed with npm
 * into {@code target/mcp-server-everything} on first use (needs npm and registry access once).
 */
final class ServerEverything {

    static final String VERSION = "2026.8.31";
    static final Path PREFIX = Path.of("target", "mcp-server-everything").toAbsolutePath();
    static final Path PACKAGE = PREFIX.resolve("node_modules/@modelcontextprotocol/server-everything");

    private ServerEverything() {
    }

    /** The server's entry script, installing the package first when it is missing or another version. */
    static synchronized Path entry() {
        try {
            Path manifest = PACKAGE.resolve("package.json");
            if (!Files.exists(manifest) || !VERSION.equals(new ObjectMapper().readTree(manifest.toFile()).path("version").asText())) {
                Files.createDirectories(PREFIX);
                Process npm = new ProcessBuilder("npm", "install", "--prefix", PREFIX.toString(), "--no-audit", "--no-fund",
                        "--loglevel=error", "@modelcontextprotocol/server-everything@" + VERSION)
                        .redirectErrorStream(true).redirectOutput(PREFIX.resolve("npm-install.log").toFile()).start();
                if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                    npm.destroyForcibly();
                    throw new IllegalStateException("npm install of server-everything failed: "
                            + Files.readString(PREFIX.resolve("npm-install.log"), StandardCharsets.UTF_8));
                }
            }
            return PACKAGE.resolve("dist/index.js");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Absolute path of {@code node} on this JVM's PATH. */
    static String node() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "node");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        throw new IllegalStateException("node is not on the PATH");
    }

    /** Server-everything processes that are children of this JVM. */
    static List<ProcessHandle> children() {
        List<ProcessHandle> found = new ArrayList<>();
        ProcessHandle.current().children().forEach(child -> {
            String line = child.info().commandLine().orElse("") + " " + String.join(" ", child.info().arguments().orElse(new String[0]));
            if (line.contains("server-everything")) {
                found.add(child);
            }
        });
        return found;
    }

    /** A free loopback port. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts {@code node index.js streamableHttp} on {@code port}, listening when this returns. */
    static Process startStreamableHttp(int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(node(), entry().toString(), "streamableHttp");
        builder.environment().put("PORT", Integer.toString(port));
        return startListening(builder, port);
    }

    /**
     * Starts {@code src/test/resources/mcp/json-response-server.cjs}, a server answering with
     * {@code application/json} on the SDK that server-everything installs: {@code stateless} (no
     * session id) or {@code stateful} (unknown sessions get 404).
     */
    static Process startJsonResponseServer(int port, String mode) throws Exception {
        entry();
        Path script = Path.of(ServerEverything.class.getResource("/mcp/json-response-server.cjs").toURI());
        return startListening(new ProcessBuilder(node(), script.toString(), PREFIX.toString(), Integer.toString(port), mode), port);
    }

    private static Process startListening(ProcessBuilder builder, int port) throws Exception {
        builder.redirectErrorStream(true).redirectOutput(PREFIX.resolve("mcp-http-" + port + ".log").toFile());
        Process server = builder.start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!server.isAlive()) {
                throw new IllegalStateException("the MCP server exited with " + server.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
        return server;
    }
}
