package dev.executor.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/** Each service runs with probes, limits, its configuration by reference and a graceful shutdown. */
class WorkloadRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void everyDeploymentHasProbesAndResourceLimits(String overlay) {
        // Given
        List<JsonNode> deployments = Repo.ofKind(Repo.render(overlay), "Deployment");
        List<String> names = deployments.stream().map(d -> d.path("metadata").path("name").asText()).toList();
        assertTrue(names.containsAll(Repo.SERVICES), overlay + ": missing service Deployments, have " + names);
        List<String> problems = new ArrayList<>();

        // When
        for (JsonNode d : deployments) {
            String name = d.path("metadata").path("name").asText();
            for (JsonNode c : d.path("spec").path("template").path("spec").path("containers")) {
                String where = name + "/" + c.path("name").asText();
                for (String probe : List.of("livenessProbe", "readinessProbe")) {
                    if (!c.has(probe)) {
                        problems.add(where + " has no " + probe);
                    }
                }
                for (String kind : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        if (c.path("resources").path(kind).path(resource).asText().isEmpty()) {
                            problems.add(where + " has no resources." + kind + "." + resource);
                        }
                    }
                }
            }
        }

        // Then
        assertTrue(problems.isEmpty(), overlay + ": " + problems);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void servicesProbeTheirSmallRyeHealthEndpointsOnTheirPort(String overlay) {
        for (String service : Repo.SERVICES) {
            // Given
            JsonNode c = container(overlay, service);
            int port = Repo.httpPort(service);

            // Then
            assertEquals("/q/health/live", c.path("livenessProbe").path("httpGet").path("path").asText(), service);
            assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText(), service);
            assertEquals(port, c.path("readinessProbe").path("httpGet").path("port").asInt(), service);
            assertEquals(port, c.path("ports").path(0).path("containerPort").asInt(), service);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void shutdownFinishesInFlightWorkWithinTheGracePeriod(String overlay) {
        for (String service : Repo.SERVICES) {
            // Given
            JsonNode pod = Repo.named(Repo.render(overlay), "Deployment", service).path("spec").path("template").path("spec");
            String timeout = Repo.properties(service).getProperty("%prod.quarkus.shutdown.timeout");
            assertTrue(timeout != null, service + " sets no %prod.quarkus.shutdown.timeout: SIGTERM would drop in-flight calls");

            // When
            long shutdown = Duration.parse("PT" + timeout.toUpperCase()).toSeconds();
            long preStop = container(overlay, service).path("lifecycle").path("preStop").path("sleep").path("seconds").asLong(0);
            long grace = pod.path("terminationGracePeriodSeconds").asLong(30);

            // Then
            assertTrue(preStop > 0, service + ": no preStop pause for endpoint removal");
            assertTrue(preStop + shutdown < grace, service + ": preStop " + preStop + " s + shutdown " + shutdown
                    + " s does not fit the " + grace + " s grace period");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void configurationReachesEachServiceAsConfigMapAndSecretReferences(String overlay) {
        List<JsonNode> docs = Repo.render(overlay);
        for (String service : Repo.SERVICES) {
            // Given
            JsonNode c = container(overlay, service);
            Properties props = Repo.properties(service);
            TreeSet<String> env = new TreeSet<>();
            for (JsonNode from : c.path("envFrom")) {
                String cm = from.path("configMapRef").path("name").asText();
                docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")
                                && d.path("metadata").path("name").asText().equals(cm))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(service + " refers to a missing ConfigMap " + cm))
                        .path("data").fieldNames().forEachRemaining(env::add);
            }

            // Then: endpoints
            assertTrue(env.contains("KAFKA_BOOTSTRAP_SERVERS"), service + ": no Kafka bootstrap");
            assertTrue(env.contains("QUARKUS_OIDC_AUTH_SERVER_URL"), service + ": no OIDC server");
            for (String key : props.stringPropertyNames()) {
                Matcher m = Pattern.compile("quarkus\\.grpc\\.clients\\.([^.]+)\\.host").matcher(key);
                if (m.matches()) {
                    String client = m.group(1).toUpperCase().replace('-', '_');
                    assertTrue(env.contains("QUARKUS_GRPC_CLIENTS_" + client + "_HOST"), service + ": gRPC client " + client);
                }
            }
            if (Repo.usesDatabase(service)) {
                assertTrue(env.contains("QUARKUS_DATASOURCE_REACTIVE_URL") && env.contains("QUARKUS_DATASOURCE_JDBC_URL"),
                        service + ": no database URLs");
                // and the credentials as Secret references under the names the service reads
                Matcher password = Pattern.compile("\\$\\{([A-Z0-9_]+)").matcher(
                        props.getProperty("%prod.quarkus.datasource.password", ""));
                assertTrue(password.find(), service + ": %prod password is not read from the environment");
                for (String var : List.of(password.group(1), "QUARKUS_DATASOURCE_USERNAME")) {
                    JsonNode ref = envVar(c, var).path("valueFrom").path("secretKeyRef");
                    assertFalse(ref.path("name").asText().isEmpty(), service + ": " + var + " is not a Secret reference");
                }
            }
            for (JsonNode e : c.path("env")) {
                assertFalse(e.path("name").asText().matches("(?i).*(PASSWORD|SECRET|TOKEN).*") && e.has("value"),
                        service + ": literal value for " + e.path("name").asText());
            }
        }
    }

    static JsonNode container(String overlay, String service) {
        return Repo.named(Repo.render(overlay), "Deployment", service)
                .path("spec").path("template").path("spec").path("containers").path(0);
    }

    private static JsonNode envVar(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return e;
            }
        }
        throw new AssertionError(container.path("name").asText() + " has no env " + name);
    }
}
