package dev.executor.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.executor.deploy.NetworkModel.Pod;

/** DESIGN.md §5 and issue 10: default deny, one way out, and data stores only for their users. */
class NetworkIsolationTest {

    private static final Set<String> PRIVATE_RANGES = Set.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16");
    private static final Set<Integer> API_SERVER_PORTS = Set.of(443, 6443);

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void deniesEverythingByDefault(String overlay) {
        // Given
        NetworkModel net = new NetworkModel(Repo.render(overlay));

        // When
        boolean defaultDeny = net.policies().stream().anyMatch(p -> p.path("spec").path("podSelector").isEmpty()
                && policyTypes(p).containsAll(List.of("Ingress", "Egress"))
                && p.path("spec").path("ingress").isEmpty() && p.path("spec").path("egress").isEmpty());

        // Then
        assertTrue(defaultDeny, overlay + ": no NetworkPolicy denies all ingress and egress of every pod");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void onlySecretsProxyMayEgressOutsideTheCluster(String overlay) {
        // Given
        NetworkModel net = new NetworkModel(Repo.render(overlay));
        List<String> violations = new ArrayList<>();
        boolean secretsProxyHasWayOut = false;

        // When
        for (JsonNode policy : net.policies()) {
            String name = policy.path("metadata").path("name").asText();
            for (JsonNode rule : policy.path("spec").path("egress")) {
                if (!NetworkModel.reachesOutside(rule)) {
                    continue;
                }
                List<String> services = Repo.SERVICES.stream()
                        .filter(s -> NetworkModel.matches(policy.path("spec").path("podSelector"), NetworkModel.service(s).labels()))
                        .toList();
                if (services.equals(List.of("secrets-proxy"))) {
                    secretsProxyHasWayOut = true;
                    for (JsonNode peer : rule.path("to")) {
                        JsonNode block = peer.path("ipBlock");
                        if (block.path("cidr").asText().contains(".")) {
                            List<String> except = new ArrayList<>();
                            block.path("except").forEach(e -> except.add(e.asText()));
                            if (!except.containsAll(PRIVATE_RANGES)) {
                                violations.add(name + ": secrets-proxy's way out does not exclude " + PRIVATE_RANGES);
                            }
                        }
                    }
                } else if (!services.isEmpty()) {
                    violations.add(name + " lets " + services + " egress outside the cluster");
                } else if (!name.endsWith("-apiserver-egress") || !onlyPorts(rule, API_SERVER_PORTS)) {
                    // Operator-managed pods may reach the Kubernetes API, and nothing else outside.
                    violations.add(name + " egresses outside the cluster beyond the API server ports " + API_SERVER_PORTS);
                }
            }
        }

        // Then
        assertTrue(violations.isEmpty(), overlay + ": " + violations);
        assertTrue(secretsProxyHasWayOut, overlay + ": secrets-proxy has no egress to upstream APIs");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void invokerReachesOnlyInternalServicesKafkaPostgresKeycloakAndDns(String overlay) {
        // Given
        NetworkModel net = new NetworkModel(Repo.render(overlay));
        Pod invoker = NetworkModel.service("invoker-service");
        // run-ledger only for RunLedger.StoreOutput (large outputs); run events still go through Kafka.
        List<Pod> allowed = List.of(NetworkModel.service("catalog-service"), NetworkModel.service("policy-service"),
                NetworkModel.service("secrets-proxy"), NetworkModel.service("run-ledger"), NetworkModel.KEYCLOAK, NetworkModel.KAFKA,
                NetworkModel.POSTGRES);
        List<String> violations = new ArrayList<>();

        // When every egress peer of every policy selecting the invoker is one of those (or DNS)
        for (JsonNode policy : net.selecting(invoker)) {
            for (JsonNode rule : policy.path("spec").path("egress")) {
                if (NetworkModel.reachesOutside(rule)) {
                    violations.add(policy.path("metadata").path("name").asText() + ": egress beyond pod selectors");
                    continue;
                }
                for (JsonNode peer : rule.path("to")) {
                    boolean dns = peer.has("namespaceSelector")
                            && NetworkModel.matches(peer.path("podSelector"), NetworkModel.DNS.labels())
                            && "kube-system".equals(peer.path("namespaceSelector").path("matchLabels")
                                    .path("kubernetes.io/metadata.name").asText());
                    boolean internal = !peer.has("namespaceSelector") && peer.has("podSelector")
                            && allowed.stream().anyMatch(p -> NetworkModel.matches(peer.path("podSelector"), p.labels()))
                            && List.of("mcp-gateway").stream().noneMatch(
                                    s -> NetworkModel.matches(peer.path("podSelector"), NetworkModel.service(s).labels()));
                    if (!dns && !internal) {
                        violations.add(policy.path("metadata").path("name").asText() + ": invoker may reach " + peer);
                    }
                }
            }
        }

        // Then
        assertTrue(violations.isEmpty(), overlay + ": " + violations);
        for (Pod target : allowed) {
            assertTrue(net.egressAllows(invoker, target, port(target)), overlay + ": invoker cannot reach " + target.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void kafkaAndPostgresAcceptExactlyTheServicesThatUseThem(String overlay) {
        // Given
        NetworkModel net = new NetworkModel(Repo.render(overlay));

        for (String service : Repo.SERVICES) {
            Pod pod = NetworkModel.service(service);

            // When
            boolean kafka = net.canConnect(pod, NetworkModel.KAFKA, 9092);
            boolean postgres = net.canConnect(pod, NetworkModel.POSTGRES, 5432);
            boolean kafkaIngress = net.ingressAllows(pod, NetworkModel.KAFKA, 9092);
            boolean postgresIngress = net.ingressAllows(pod, NetworkModel.POSTGRES, 5432);

            // Then (usage is read from the service's application.properties)
            assertEquals(Repo.usesKafka(service), kafka, overlay + ": " + service + " Kafka reachability");
            assertEquals(Repo.usesKafka(service), kafkaIngress, overlay + ": Kafka ingress for " + service);
            assertEquals(Repo.usesDatabase(service), postgres, overlay + ": " + service + " PostgreSQL reachability");
            assertEquals(Repo.usesDatabase(service), postgresIngress, overlay + ": PostgreSQL ingress for " + service);
        }
        assertTrue(net.canConnect(NetworkModel.KEYCLOAK, NetworkModel.POSTGRES, 5432), overlay + ": Keycloak needs its database");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void everyServiceReachesKeycloakAndItsGrpcDownstreams(String overlay) {
        // Given
        NetworkModel net = new NetworkModel(Repo.render(overlay));

        for (String service : Repo.SERVICES) {
            // Then: JWKS for every service
            assertTrue(net.canConnect(NetworkModel.service(service), NetworkModel.KEYCLOAK, 8080),
                    overlay + ": " + service + " cannot reach Keycloak");
            // and every gRPC client it configures (quarkus.grpc.clients.<name>.port, not test profiles)
            var props = Repo.properties(service);
            for (String key : props.stringPropertyNames()) {
                if (key.matches("quarkus\\.grpc\\.clients\\.[^.]+\\.port")) {
                    int port = Integer.parseInt(props.getProperty(key));
                    String target = Repo.SERVICES.stream().filter(s -> Repo.httpPort(s) == port).findFirst()
                            .orElseThrow(() -> new AssertionError(service + ": no service on gRPC port " + port));
                    assertTrue(net.canConnect(NetworkModel.service(service), NetworkModel.service(target), port),
                            overlay + ": " + service + " cannot call " + target + " over gRPC");
                }
            }
        }
        assertFalse(net.canConnect(NetworkModel.service("invoker-service"), NetworkModel.service("mcp-gateway"), 8080),
                overlay + ": nothing the invoker runs can call back into the MCP surface");
    }

    private static int port(Pod pod) {
        if (pod == NetworkModel.KAFKA) {
            return 9092;
        }
        if (pod == NetworkModel.POSTGRES) {
            return 5432;
        }
        if (pod == NetworkModel.KEYCLOAK) {
            return 8080;
        }
        return Repo.httpPort(pod.name());
    }

    private static boolean onlyPorts(JsonNode rule, Set<Integer> ports) {
        if (rule.path("ports").isEmpty()) {
            return false;
        }
        for (JsonNode p : rule.path("ports")) {
            if (!ports.contains(p.path("port").asInt(-1))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> policyTypes(JsonNode policy) {
        List<String> types = new ArrayList<>();
        policy.path("spec").path("policyTypes").forEach(t -> types.add(t.asText()));
        return types;
    }
}
