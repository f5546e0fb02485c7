package dev.executor.gateway;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.Change;
import dev.executor.contracts.events.ExecutorEvent;
import dev.executor.contracts.events.PolicyChanged;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.contracts.events.ScopeRef;
import dev.executor.contracts.events.SourceRefreshed;
import dev.executor.contracts.events.ToolkitChanged;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Policy and catalog changes reach the gateway's caches through a real Kafka broker: a listing or
 * summary served from cache is recomputed as soon as the event arrives, not after its TTL (30 s,
 * far longer than these tests wait). Events are built exactly as policy-service and catalog-service
 * publish them: a structured CloudEvent (JSON) keyed by the changed record's id, with the
 * CloudEvents content-type header. How long each change took to show is printed (for
 * docs/benchmarks.md), never asserted.
 */
@QuarkusTest
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreamsResource.class)
@WithTestResource(KafkaResource.class)
class CacheEventsTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final List<Long> propagationMillis = new ArrayList<>();

    @Inject
    KafkaClientService kafka;

    @Inject
    ObjectMapper mapper;

    private static KafkaProducer<String, String> producer;
    /** How long the broker took to acknowledge the last record sent (part of each measured figure). */
    private static long lastAckMillis;

    @BeforeEach
    void consumersAreAssigned() {
        // Both cache channels read from the latest offset: an event sent before they own their
        // partitions would never reach them, so wait until they do.
        for (String channel : List.of("policy-events", "catalog-events")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> !kafka.getConsumer(channel).getAssignments()
                    .await().atMost(Duration.ofSeconds(5)).isEmpty());
        }
        if (producer == null) {
            producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaResource.broker().bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
            // A running policy-service or catalog-service already knows its topic's partitions:
            // fetch them now so the first measured event does not include the producer's own start-up.
            producer.partitionsFor(Topics.POLICY_EVENTS);
            producer.partitionsFor(Topics.CATALOG_EVENTS);
        }
    }

    @AfterAll
    static void report() {
        if (producer != null) {
            producer.close();
            producer = null;
        }
        if (!propagationMillis.isEmpty()) {
            List<Long> sorted = propagationMillis.stream().sorted().toList();
            System.out.printf("[cache-propagation] event sent -> gateway serves the change: n=%d min=%d ms median=%d ms max=%d ms (all: %s)%n",
                    sorted.size(), sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), propagationMillis);
        }
    }

    @Test
    void aToolkitChangeReachesTheDirectModeListingWithoutWaitingForItsTtl() {
        // Given a toolkit holding one tool, whose direct-mode listing the gateway has cached
        String toolkit = "oncall-direct";
        FakeDownstreams.toolkits.put(toolkit, List.of("get_pet"));
        JsonRpc rpc = new JsonRpc("/mcp/toolkits/" + toolkit + "?mode=direct", KeycloakResource.tokens().agent()).initialize();
        assertEquals(List.of("get_pet", "run_status"), listed(rpc));

        for (int round = 1; round <= 5; round++) {
            // Given an admin changed the toolkit in policy-service: the gateway still serves its cached listing
            List<String> members = round % 2 == 1 ? List.of("get_pet", "list_pets") : List.of("get_pet");
            FakeDownstreams.toolkits.put(toolkit, members);
            assertEquals(round % 2 == 1 ? List.of("get_pet", "run_status") : List.of("get_pet", "list_pets", "run_status"), listed(rpc),
                    "served from cache until the event");

            // When policy-service announces the change
            List<String> expected = new ArrayList<>(members);
            expected.add("run_status");
            Instant sent = publish(new ToolkitChanged("tk-oncall", toolkit, new ScopeRef("org", "acme"), Change.UPDATED, 100 + round,
                    PrincipalRef.human("admin-1", "admin"), Instant.now()));

            // Then the next listing is the new one
            measure("ToolkitChanged -> direct-mode listing, round " + round, sent, () -> expected.equals(listed(rpc)));
        }
    }

    @Test
    void aPolicyChangeReachesTheSearchSummaryInTheToolDescriptions() {
        // Given a toolkit endpoint whose search description (cached per scope chain + toolkit) counts one tool
        String toolkit = "oncall-summary";
        FakeDownstreams.toolkits.put(toolkit, List.of("get_pet"));
        JsonRpc rpc = new JsonRpc("/mcp/toolkits/" + toolkit, KeycloakResource.tokens().agent()).initialize();
        assertThat(searchDescription(rpc), containsString("1 tools from 1 source (petstore: 1)"));
        // and policy now makes a second tool visible in it, which the cached summary does not show yet
        FakeDownstreams.toolkits.put(toolkit, List.of("get_pet", "list_pets"));
        assertThat(searchDescription(rpc), containsString("1 tools from 1 source (petstore: 1)"));

        // When policy-service announces a policy change
        Instant sent = publish(new PolicyChanged("pol-7", new ScopeRef("org", "acme"), Change.CREATED, 200,
                PolicyChanged.AttachedTo.SOURCE, "src-1", PrincipalRef.human("admin-1", "admin"), Instant.now()));

        // Then the description counts both tools
        measure("PolicyChanged -> search summary", sent,
                () -> searchDescription(rpc).contains("2 tools from 1 source (petstore: 2)"));
    }

    @Test
    void aCatalogRefreshReachesTheDirectModeListing() {
        // Given a toolkit listing cached while its source offered one matching tool
        String toolkit = "oncall-catalog";
        FakeDownstreams.toolkits.put(toolkit, List.of("get_pet"));
        JsonRpc rpc = new JsonRpc("/mcp/toolkits/" + toolkit + "?mode=direct", KeycloakResource.tokens().agent()).initialize();
        assertEquals(List.of("get_pet", "run_status"), listed(rpc));
        // and a refresh of the source added a second tool the toolkit's predicates match
        FakeDownstreams.toolkits.put(toolkit, List.of("get_pet", "list_pets"));
        assertEquals(List.of("get_pet", "run_status"), listed(rpc));

        // When catalog-service announces the refresh
        Instant sent = publish(new SourceRefreshed("src-1", "v2", "v1", 1, 0, 0, 0, Instant.now()));

        // Then the listing shows the new tool
        measure("SourceRefreshed -> direct-mode listing", sent,
                () -> List.of("get_pet", "list_pets", "run_status").equals(listed(rpc)));
    }

    @Test
    void anUnreadableRecordOnThePolicyTopicStillEmptiesTheCachesAndStopsNothing() {
        // Given a cached listing that is out of date
        String toolkit = "oncall-poison";
        FakeDownstreams.toolkits.put(toolkit, List.of("get_pet"));
        JsonRpc rpc = new JsonRpc("/mcp/toolkits/" + toolkit + "?mode=direct", KeycloakResource.tokens().agent()).initialize();
        assertEquals(List.of("get_pet", "run_status"), listed(rpc));
        FakeDownstreams.toolkits.put(toolkit, List.of("list_pets"));

        // When a record that is not a CloudEvent arrives on the policy topic
        send(Topics.POLICY_EVENTS, "garbage", "not json at all");

        // Then the caches are emptied all the same, and the channel keeps consuming afterwards
        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).until(() -> List.of("list_pets", "run_status").equals(listed(rpc)));
        FakeDownstreams.toolkits.put(toolkit, List.of("get_pet"));
        assertEquals(List.of("list_pets", "run_status"), listed(rpc));
        publish(new ToolkitChanged("tk-poison", toolkit, new ScopeRef("org", "acme"), Change.UPDATED, 300,
                PrincipalRef.human("admin-1", "admin"), Instant.now()));
        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).until(() -> List.of("get_pet", "run_status").equals(listed(rpc)));
        assertFalse(kafka.getConsumer("policy-events").getAssignments().await().atMost(Duration.ofSeconds(5)).isEmpty());
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Publishes {@code event} the way its producing service does; returns when it was handed to the producer. */
    private Instant publish(ExecutorEvent event) {
        String source = event instanceof SourceRefreshed ? "/executor/catalog-service" : "/executor/policy-service";
        try {
            return send(Topics.of(event), event.key(), mapper.writeValueAsString(CloudEvent.of(source, null, event)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant send(String topic, String key, String value) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        record.headers().add(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Instant sent = Instant.now();
        try {
            producer.send(record).get();
            lastAckMillis = Duration.between(sent, Instant.now()).toMillis();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return sent;
    }

    /** Waits (generously, never a timed assertion) until {@code changed} holds, and records how long it took. */
    private static void measure(String what, Instant sent, Supplier<Boolean> changed) {
        await().atMost(BOUND).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(changed::get);
        long millis = Duration.between(sent, Instant.now()).toMillis();
        propagationMillis.add(millis);
        System.out.printf("[cache-propagation] %s: %d ms (of which broker ack %d ms)%n", what, millis, lastAckMillis);
    }

    private static List<String> listed(JsonRpc rpc) {
        JsonArray tools = rpc.request("tools/list", new JsonObject()).getJsonObject("result").getJsonArray("tools");
        List<String> names = new ArrayList<>();
        tools.forEach(t -> names.add(((JsonObject) t).getString("name")));
        return names;
    }

    private static String searchDescription(JsonRpc rpc) {
        JsonArray tools = rpc.request("tools/list", new JsonObject()).getJsonObject("result").getJsonArray("tools");
        for (Object t : tools) {
            if ("search".equals(((JsonObject) t).getString("name"))) {
                return ((JsonObject) t).getString("description");
            }
        }
        throw new AssertionError("no search tool in " + tools.encode());
    }
}
