package dev.executor.gateway;

import java.util.Map;

import dev.executor.launcher.infra.FreePorts;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Starts {@link FakeDownstreams} on a free loopback port and points the gateway's four gRPC clients at it. */
public class FakeDownstreamsResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        String p = String.valueOf(FakeDownstreams.start(FreePorts.pick()));
        Map<String, String> config = new java.util.HashMap<>();
        for (String client : new String[] { "invoker", "catalog", "policy", "ledger" }) {
            // test-port too: in test mode Quarkus otherwise points a client at the application's own test port
            config.put("quarkus.grpc.clients." + client + ".port", p);
            config.put("quarkus.grpc.clients." + client + ".test-port", p);
        }
        config.put("gateway.approval.ledger-api-url", "http://127.0.0.1:" + FakeDownstreams.startLedgerHttp());
        return config;
    }

    @Override
    public void stop() {
        FakeDownstreams.stop();
    }
}
