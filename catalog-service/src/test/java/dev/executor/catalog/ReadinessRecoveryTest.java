package dev.executor.catalog;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.executor.launcher.infra.FreePorts;
import dev.executor.launcher.infra.KafkaBroker;
import dev.executor.launcher.infra.PostgresServer;
import dev.executor.testsupport.OidcStubResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The service starts while PostgreSQL and Kafka are down: it must stay up, report not-ready, and
 * turn ready on its own once both come back.
 */
@QuarkusTest
@TestProfile(ReadinessRecoveryTest.InfraDown.class)
@WithTestResource(OidcStubResource.class)
class ReadinessRecoveryTest {

    // The profile is instantiated in Quarkus' class loader as well as the test's: share the ports
    // through system properties so both sides agree.
    static final int PG_PORT = sharedPort("executor.test.recovery.pg-port");
    static final int KAFKA_PORT = sharedPort("executor.test.recovery.kafka-port");

    static PostgresServer postgres;
    static KafkaBroker kafka;

    /** Points the service at ports where nothing listens yet. */
    public static class InfraDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.reactive.url", "vertx-reactive:postgresql://127.0.0.1:" + PG_PORT + "/catalog",
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + PG_PORT + "/catalog",
                    "kafka.bootstrap.servers", "127.0.0.1:" + KAFKA_PORT);
        }
    }

    @Test
    void reportsNotReadyWhileInfraIsDownAndRecoversWhenItReturns() {
        // Given the service is running with PostgreSQL and Kafka unreachable
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));

        // When both come back on the configured ports
        postgres = PostgresServer.builder().port(PG_PORT).build().start();
        postgres.createDatabase("catalog", "catalog", "catalog");
        kafka = KafkaBroker.builder().port(KAFKA_PORT).build().start();

        // Then readiness turns UP without a restart
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
    }

    private static int sharedPort(String key) {
        return Integer.parseInt((String) System.getProperties()
                .computeIfAbsent(key, k -> String.valueOf(FreePorts.pick())));
    }

    @AfterAll
    static void stopInfra() {
        if (kafka != null) {
            kafka.stop();
        }
        if (postgres != null) {
            postgres.stop();
        }
    }
}
