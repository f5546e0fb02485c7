package dev.executor.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The rendered NetworkPolicies as a reachability model: pods are label sets in the deployment's
 * namespace (or a named other namespace); a connection is allowed when a policy selecting the
 * source allows it as egress and a policy selecting the destination allows it as ingress (there is
 * a default deny, tested separately).
 */
final class NetworkModel {

    /** A pod: its namespace ("" = the deployment's own) and its labels. */
    record Pod(String name, String namespace, Map<String, String> labels) {
        static Pod local(String name, Map<String, String> labels) {
            return new Pod(name, "", labels);
        }
    }

    static final Pod KAFKA = Pod.local("kafka", Map.of(
            "strimzi.io/cluster", "executor-kafka", "strimzi.io/kind", "Kafka", "strimzi.io/name", "executor-kafka-kafka"));
    static final Pod POSTGRES = Pod.local("postgres", Map.of("cnpg.io/cluster", "executor-db", "cnpg.io/podRole", "instance"));
    static final Pod KEYCLOAK = Pod.local("keycloak", Map.of("app.kubernetes.io/name", "keycloak"));
    static final Pod DNS = new Pod("kube-dns", "kube-system", Map.of("k8s-app", "kube-dns"));

    static Pod service(String name) {
        return Pod.local(name, Map.of("app.kubernetes.io/name", name, "app.kubernetes.io/part-of", "executor"));
    }

    private final List<JsonNode> policies;

    NetworkModel(List<JsonNode> docs) {
        this.policies = Repo.ofKind(docs, "NetworkPolicy");
    }

    List<JsonNode> policies() {
        return policies;
    }

    List<JsonNode> selecting(Pod pod) {
        List<JsonNode> result = new ArrayList<>();
        for (JsonNode p : policies) {
            if (pod.namespace().isEmpty() && matches(p.path("spec").path("podSelector"), pod.labels())) {
                result.add(p);
            }
        }
        return result;
    }

    boolean canConnect(Pod from, Pod to, int port) {
        return egressAllows(from, to, port) && ingressAllows(from, to, port);
    }

    boolean egressAllows(Pod from, Pod to, int port) {
        if (!from.namespace().isEmpty()) {
            return true; // not governed by this deployment's policies
        }
        for (JsonNode p : selecting(from)) {
            for (JsonNode rule : p.path("spec").path("egress")) {
                if (portMatches(rule.path("ports"), port) && peersMatch(rule.path("to"), to)) {
                    return true;
                }
            }
        }
        return false;
    }

    boolean ingressAllows(Pod from, Pod to, int port) {
        if (!to.namespace().isEmpty()) {
            return true;
        }
        for (JsonNode p : selecting(to)) {
            for (JsonNode rule : p.path("spec").path("ingress")) {
                if (portMatches(rule.path("ports"), port) && peersMatch(rule.path("from"), from)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** An absent/empty peer list means every peer, including the world. */
    private static boolean peersMatch(JsonNode peers, Pod pod) {
        if (peers.isMissingNode() || peers.isEmpty()) {
            return true;
        }
        for (JsonNode peer : peers) {
            if (peer.has("ipBlock")) {
                continue; // pods are addressed by selectors here; ipBlocks are checked as "outside" rules
            }
            boolean nsOk = peer.has("namespaceSelector")
                    ? namespaceMatches(peer.path("namespaceSelector"), pod.namespace())
                    : pod.namespace().isEmpty();
            boolean podOk = !peer.has("podSelector") || matches(peer.path("podSelector"), pod.labels());
            if (nsOk && podOk) {
                return true;
            }
        }
        return false;
    }

    private static boolean namespaceMatches(JsonNode selector, String namespace) {
        if (selector.isEmpty()) {
            return true;
        }
        String name = namespace.isEmpty() ? "executor" : namespace;
        return matches(selector, Map.of("kubernetes.io/metadata.name", name));
    }

    private static boolean portMatches(JsonNode ports, int port) {
        if (ports.isMissingNode() || ports.isEmpty()) {
            return true;
        }
        for (JsonNode p : ports) {
            if (p.path("port").asInt(-1) == port) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(JsonNode selector, Map<String, String> labels) {
        for (var e : selector.path("matchLabels").properties()) {
            if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode expr : selector.path("matchExpressions")) {
            String value = labels.get(expr.path("key").asText());
            List<String> values = new ArrayList<>();
            expr.path("values").forEach(v -> values.add(v.asText()));
            boolean ok = switch (expr.path("operator").asText()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Egress rules that reach beyond pod selectors: any ipBlock, or no destination restriction at all. */
    static boolean reachesOutside(JsonNode egressRule) {
        JsonNode to = egressRule.path("to");
        if (to.isMissingNode() || to.isEmpty()) {
            return true;
        }
        for (JsonNode peer : to) {
            if (peer.has("ipBlock")) {
                return true;
            }
        }
        return false;
    }
}
