package dev.executor.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.executor.launcher.infra.KafkaBroker;
import dev.executor.testsupport.KeycloakResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.vertx.core.json.JsonObject;

/**
 * The cache-event consumers are an optimisation: when the broker the gateway was consuming from
 * goes away, the gateway stays started, live and ready and keeps serving MCP (its caches then
 * expire by their TTLs). Uses a broker of its own, because this test stops it.
 */
@QuarkusTest
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreamsResource.class)
@WithTestResource(KafkaOutageTest.OwnBroker.class)
class KafkaOutageTest {

    /** A real broker only this test class uses, so it can be stopped. */
    public static class OwnBroker implements QuarkusTestResourceLifecycleManager {

        static KafkaBroker broker;

        @Override
        public Map<String, String> start() {
            broker = KafkaBroker.builder().build().start();
            return Map.of("kafka.bootstrap.servers", broker.bootstrapServers(),
                    "mp.messaging.connector.smallrye-kafka.bootstrap.servers", broker.bootstrapServers());
        }

        @Override
        public void stop() {
            if (broker != null) {
                broker.stop();
                broker = null;
            }
        }
    }

    @Inject
    KafkaClientService kafka;

    @Test
    void staysStartedLiveAndReadyAndKeepsServingWhenKafkaGoesAway() {
        // Given a gateway whose cache consumers are connected and own their partitions
        for (String channel : List.of("policy-events", "catalog-events")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> !kafka.getConsumer(channel).getAssignments()
                    .await().atMost(Duration.ofSeconds(5)).isEmpty());
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(KafkaOutageTest::probesAreUp);

        // When the broker stops
        OwnBroker.broker.stop();

        // Then no probe reports the gateway down, for as long as we look (the consumers notice the
        // lost connection within a second and keep reconnecting in the background)
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(KafkaOutageTest::probesAreUp);
        // and MCP is served as before
        JsonRpc rpc = new JsonRpc("/mcp", KeycloakResource.tokens().agent()).initialize();
        JsonObject tools = rpc.request("tools/list", new JsonObject()).getJsonObject("result");
        assertEquals(4, tools.getJsonArray("tools").size());
    }

    private static void probesAreUp() {
        for (String probe : List.of("/q/health/started", "/q/health/live", "/q/health/ready")) {
            given().get(probe).then().statusCode(200).body("status", equalTo("UP"));
        }
    }
}
