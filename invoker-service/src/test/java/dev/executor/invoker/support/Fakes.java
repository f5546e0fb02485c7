package dev.executor.invoker.support;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.secrets.v1.ForwardRequest;

/**
 * What the fake catalog, policy, secrets-proxy and run-ledger answer, set by tests. The state lives
 * in a JDK map under a system property as bytes, so the test (loaded by Quarkus' class loader) and
 * the fake servers (started by the test resource) see the same values whatever class loader each
 * runs in.
 */
public final class Fakes {

    private Fakes() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> shared() {
        return (Map<String, Object>) System.getProperties().computeIfAbsent("executor.invoker.fakes",
                k -> new ConcurrentHashMap<String, Object>());
    }

    @SuppressWarnings("unchecked")
    static List<byte[]> list(String name) {
        return (List<byte[]>) shared().computeIfAbsent(name, k -> new CopyOnWriteArrayList<byte[]>());
    }

    public static void tool(String address, ResolveToolResponse tool) {
        shared().put("tool:" + address, tool.toByteArray());
    }

    public static void decision(String address, DecideResponse decision) {
        shared().put("decision:" + address, decision.toByteArray());
    }

    /** Requests secrets-proxy was asked to forward, oldest first. */
    public static List<ForwardRequest> forwarded() {
        return list("forwards").stream().map(b -> {
            try {
                return ForwardRequest.parseFrom(b);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    public static List<ForwardRequest> forwardedFor(String runId) {
        return forwarded().stream().filter(f -> f.getRunId().equals(runId)).toList();
    }

    /** The {@code authorization} metadata of every call the fakes received. */
    public static List<String> authorizations() {
        return list("auth").stream().map(String::new).toList();
    }

    /** Outputs stored through RunLedger.StoreOutput, by handle. */
    public static byte[] storedOutput(String handle) {
        return (byte[]) shared().get("output:" + handle);
    }

    /** The credential the fake secrets-proxy injects; it must never surface anywhere. */
    public static final String INJECTED_SECRET = "s3cr3t-token-value-never-shown";
}
