package dev.executor.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * Every rendered object is valid against its schema, offline: Kubernetes kinds and Strimzi CRDs
 * bind to their typed models (fabric8's are generated from the Kubernetes OpenAPI, Strimzi's
 * define its CRDs) with no unknown field anywhere; KEDA and CloudNativePG objects validate against
 * the JSON Schemas in src/test/resources/schemas. An object of any other kind fails: add its schema.
 */
class ManifestSchemaTest {

    /** apiVersion/kind → typed model. */
    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("v1/ServiceAccount", io.fabric8.kubernetes.api.model.ServiceAccount.class),
            Map.entry("v1/Service", io.fabric8.kubernetes.api.model.Service.class),
            Map.entry("v1/ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("v1/Secret", io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry("apps/v1/Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", io.fabric8.kubernetes.api.model.networking.v1.Ingress.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler",
                    io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", io.fabric8.kubernetes.api.model.rbac.Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", io.fabric8.kubernetes.api.model.rbac.RoleBinding.class),
            Map.entry("kafka.strimzi.io/v1beta2/Kafka", io.strimzi.api.kafka.model.kafka.Kafka.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaNodePool", io.strimzi.api.kafka.model.nodepool.KafkaNodePool.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaTopic", io.strimzi.api.kafka.model.topic.KafkaTopic.class));

    /** apiVersion/kind → JSON Schema (classpath). */
    private static final Map<String, String> SCHEMAS = Map.of(
            "keda.sh/v1alpha1/ScaledObject", "schemas/keda-scaledobject.json",
            "postgresql.cnpg.io/v1/Cluster", "schemas/cnpg-cluster.json",
            "postgresql.cnpg.io/v1/Database", "schemas/cnpg-database.json",
            "postgresql.cnpg.io/v1/ScheduledBackup", "schemas/cnpg-scheduledbackup.json");

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .build();

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void everyRenderedObjectMatchesItsSchema(String overlay) {
        // Given
        List<JsonNode> docs = Repo.render(overlay);
        assertFalse(docs.isEmpty(), overlay + " rendered nothing");

        // When
        List<String> errors = new ArrayList<>();
        for (JsonNode doc : docs) {
            errors.addAll(validate(doc));
        }

        // Then
        assertTrue(errors.isEmpty(), overlay + ": " + errors.size() + " schema error(s):\n  " + String.join("\n  ", errors));
    }

    @ParameterizedTest
    @ValueSource(strings = {"keda-scaledobject.json", "cnpg-cluster.json", "cnpg-database.json"})
    void schemasRejectAnUnknownSpecField(String schema) {
        // Given a valid object of the schema's kind with a misspelt field
        JsonNode doc = switch (schema) {
            case "keda-scaledobject.json" -> parse("""
                    {"apiVersion":"keda.sh/v1alpha1","kind":"ScaledObject","metadata":{"name":"x"},
                     "spec":{"scaleTargetRef":{"name":"x"},"maxReplicas":3,"triggers":[]}}""");
            case "cnpg-cluster.json" -> parse("""
                    {"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"x"},
                     "spec":{"instances":1,"storage":{"size":"1Gi"},"instance":2}}""");
            default -> parse("""
                    {"apiVersion":"postgresql.cnpg.io/v1","kind":"Database","metadata":{"name":"x"},
                     "spec":{"cluster":{"name":"x"},"name":"x","owner":"x","ownr":"y"}}""");
        };

        // When
        List<String> errors = validate(doc);

        // Then
        assertFalse(errors.isEmpty(), "the schema accepted an unknown field: " + schema);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Deployment", "KafkaTopic"})
    void typedModelsRejectAnUnknownField(String kind) {
        // Given an object with a misspelt field deep inside
        JsonNode doc = kind.equals("Deployment") ? parse("""
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},
                 "spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
                 "spec":{"containers":[{"name":"x","image":"x","livenesProbe":{}}]}}}}""")
                : parse("""
                {"apiVersion":"kafka.strimzi.io/v1beta2","kind":"KafkaTopic","metadata":{"name":"x"},
                 "spec":{"partitions":3,"replicas":1,"livenesProbe":{}}}""");

        // When
        List<String> errors = validate(doc);

        // Then
        assertTrue(errors.stream().anyMatch(e -> e.contains("livenesProbe")), errors.toString());
    }

    static List<String> validate(JsonNode doc) {
        String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        String where = type + " " + doc.path("metadata").path("name").asText();
        List<String> errors = new ArrayList<>();
        if (doc.path("metadata").path("name").asText().isEmpty()) {
            errors.add(where + ": metadata.name is missing");
        }
        Class<?> model = MODELS.get(type);
        String schema = SCHEMAS.get(type);
        if (model != null) {
            try {
                Object typed = STRICT.treeToValue(doc, model);
                unknownFields(typed, where, errors, new IdentityHashMap<>());
            } catch (IOException | IllegalArgumentException e) {
                errors.add(where + ": " + e.getMessage().lines().findFirst().orElse(""));
            }
        } else if (schema != null) {
            for (ValidationMessage m : schema(schema).validate(doc)) {
                errors.add(where + ": " + m.getMessage());
            }
        } else {
            errors.add(where + ": no schema for this kind; add its model or JSON Schema to ManifestSchemaTest");
        }
        return errors;
    }

    /**
     * fabric8 and Strimzi models keep unknown fields in additionalProperties instead of failing, so
     * walk the bound object and report every non-empty one.
     */
    private static void unknownFields(Object o, String path, List<String> errors, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, errors, seen));
            return;
        }
        if (o instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", errors, seen);
            }
            return;
        }
        Class<?> type = o.getClass();
        String pkg = type.getPackageName();
        if (type.isEnum() || !(pkg.startsWith("io.fabric8.kubernetes.api.model") || pkg.startsWith("io.strimzi.api"))) {
            return;
        }
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class
                    || !m.getName().startsWith("get") || m.getReturnType().isPrimitive()) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    errors.add(path + ": unknown field(s) " + extra.keySet());
                }
            } else {
                String property = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                unknownFields(value, path + "." + property, errors, seen);
            }
        }
    }

    private static JsonSchema schema(String resource) {
        try (InputStream in = ManifestSchemaTest.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing " + resource);
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return STRICT.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Set<String> knownTypes() {
        var all = new java.util.TreeSet<>(MODELS.keySet());
        all.addAll(SCHEMAS.keySet());
        return all;
    }
}
