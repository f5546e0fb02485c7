package dev.executor.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.executor.testsupport.KeycloakResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The official MCP conformance suite ({@code conformance/run.sh gateway}) against this gateway in
 * direct mode, for the scenarios the gateway answers on its own (no upstream MCP server involved):
 * handshake, ping, logging level, tool listing, concurrent POST streams and DNS-rebinding
 * protection. The whole suite, with the fixture server behind the invoker, runs in the acceptance
 * suite ({@code ConformanceIT}; see conformance/README.md). Needs npm registry access on first run.
 */
@QuarkusTest
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreamsResource.class)
class McpConformanceTest {

    private static final List<String> GATEWAY_SCENARIOS = List.of("server-initialize", "ping", "logging-set-level",
            "tools-list", "server-sse-multiple-streams", "dns-rebinding-protection");

    @TestHTTPResource("/")
    URI base;

    @Test
    void passesTheConformanceScenariosThatTheGatewayAnswersItself() throws Exception {
        // Given an agent token and the gateway's direct-mode endpoint for a toolkit
        String token = KeycloakResource.tokens().agent();
        String gateway = "http://localhost:" + base.getPort();

        // When each scenario runs
        List<String> failed = new ArrayList<>();
        StringBuilder logs = new StringBuilder();
        for (String scenario : GATEWAY_SCENARIOS) {
            Path log = Files.createTempFile("conformance-" + scenario, ".log");
            ProcessBuilder pb = new ProcessBuilder("bash", "conformance/run.sh", "gateway", gateway, "triage", "--scenario", scenario)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("MCP_TOKEN", token);
            Process p = pb.start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                failed.add(scenario + " (timeout)");
            } else if (p.exitValue() != 0) {
                failed.add(scenario);
                logs.append("\n--- ").append(scenario).append('\n').append(tail(log));
            }
        }

        // Then
        assertEquals(List.of(), failed, logs.toString());
    }

    private static String tail(Path log) throws IOException {
        String text = Files.readString(log, StandardCharsets.UTF_8);
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }
}
