package dev.executor.ledger;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.RunEvent;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.OidcStubResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Benchmark harness, not a test (surefire skips it: its name does not end in Test). Run with
 * {@code bench/run-ledger.sh} or {@code ./mvnw -pl run-ledger test -Dtest=RunLedgerBench}; it prints
 * its figures and asserts nothing about time.
 * <ol>
 * <li>Ingest: publishes {@code bench.runs} runs × 4 events to a real broker and samples how fast the
 * running ledger applies them to PostgreSQL (processed_event rows per second).</li>
 * <li>Queries: bulk-inserts {@code bench.rows} Runs with generate_series, then times
 * {@code GET /api/runs} end to end (HTTP, token check, SQL, JSON) for the common filters: p50/p99.</li>
 * </ol>
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "ledger"))
@WithTestResource(KafkaResource.class)
@WithTestResource(OidcStubResource.class)
class RunLedgerBench {

    private static final int RUNS = Integer.getInteger("bench.runs", 50_000);
    private static final int ROWS = Integer.getInteger("bench.rows", 1_000_000);
    private static final int ITERATIONS = Integer.getInteger("bench.iterations", 200);

    @Test
    void ingestThenQuery() throws Exception {
        LedgerFixture.awaitReady();
        ingest();
        queries();
    }

    private void ingest() throws Exception {
        // Pre-serialize so the producer is not what is measured.
        List<ProducerRecord<String, String>> records = new ArrayList<>(RUNS * 4);
        Instant t0 = Instant.now();
        for (int i = 0; i < RUNS; i++) {
            RunEvents run = new RunEvents("user-" + (i % 500), "github.org" + (i % 20) + ".work.tool" + (i % 300), t0);
            for (RunEvent e : run.lifecycle()) {
                CloudEvent<RunEvent> envelope = RunEvents.envelope(e);
                records.add(new ProducerRecord<>(Topics.RUN_EVENTS, run.runId, RunEvents.json(envelope)));
            }
        }
        long before = count("processed_event");
        long target = before + records.size();
        var props = new java.util.Properties();
        props.put("bootstrap.servers", KafkaResource.broker().bootstrapServers());
        props.put("linger.ms", "20");
        props.put("batch.size", "262144");
        props.put("acks", "1");
        long start = System.nanoTime();
        List<long[]> samples = new ArrayList<>();
        try (var producer = new KafkaProducer<String, String>(props, new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            List<Future<?>> sent = new ArrayList<>(records.size());
            records.forEach(r -> sent.add(producer.send(r)));
            producer.flush();
        }
        double produced = (System.nanoTime() - start) / 1e9;
        await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
            long n = count("processed_event");
            samples.add(new long[] { System.nanoTime(), n });
            return n >= target;
        });
        double total = (samples.getLast()[0] - start) / 1e9;
        // Sustained: best 10 s window once the consumer is going.
        double best = 0;
        for (int i = 0; i < samples.size(); i++) {
            for (int j = i + 1; j < samples.size(); j++) {
                double dt = (samples.get(j)[0] - samples.get(i)[0]) / 1e9;
                if (dt >= 10) {
                    best = Math.max(best, (samples.get(j)[1] - samples.get(i)[1]) / dt);
                    break;
                }
            }
        }
        System.out.printf("%nBENCH ingest events=%d runs=%d produce_s=%.1f end_to_end_s=%.1f overall_events_per_s=%.0f "
                + "sustained_10s_events_per_s=%.0f%n", records.size(), RUNS, produced, total, records.size() / total, best);
    }

    private void queries() {
        long existing = count("run");
        if (existing < ROWS) {
            long t = System.nanoTime();
            LedgerFixture.execute("""
                    INSERT INTO ledger.run (id, address, source, scope_id, principal_subject, principal_chain, status,
                        created_at, updated_at, finished_at, last_sequence, surface, verdict, policy_version)
                    SELECT gen_random_uuid(),
                        'src' || (g % 100) || '.org' || (g % 50) || '.work.tool' || (g % 2000),
                        'src' || (g % 100), 'org' || (g % 50), 'user-' || (g % 1000),
                        ('[{"subject":"user-' || (g % 1000) || '","agent":true}]')::jsonb,
                        (ARRAY['succeeded','succeeded','succeeded','succeeded','failed','blocked','denied',
                               'cancelled','expired','pending_approval'])[1 + g % 10],
                        now() - (g * interval '7 seconds'), now(), now(), 4, 'mcp', 'allow', 17
                    FROM generate_series(1, ROWS_TO_ADD) g
                    """.replace("ROWS_TO_ADD", Long.toString(ROWS - existing)));
            LedgerFixture.execute("ANALYZE ledger.run");
            System.out.printf("BENCH generated rows=%d seconds=%.1f%n", ROWS - existing, (System.nanoTime() - t) / 1e9);
        }
        String admin = OidcStubResource.tokens().admin();
        String approver = OidcStubResource.stub().mint("olivia", "executor-cli", List.of("executor-approver"), "org7",
                List.of("org8"));
        Instant dayAgo = Instant.now().minus(Duration.ofDays(1));
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("newest (no filter)", new Object[] { admin, Map.of() });
        cases.put("principal", new Object[] { admin, Map.of("principal", "user-42") });
        cases.put("scope", new Object[] { admin, Map.of("scope", "org:org7") });
        cases.put("address", new Object[] { admin, Map.of("address", "src7.org7.work.tool7") });
        cases.put("source", new Object[] { admin, Map.of("source", "src7") });
        cases.put("status=failed", new Object[] { admin, Map.of("status", "failed") });
        cases.put("time range (1 day)", new Object[] { admin, Map.of("from", dayAgo.toString(),
                "to", dayAgo.plus(Duration.ofHours(1)).toString()) });
        cases.put("principal+status", new Object[] { admin, Map.of("principal", "user-42", "status", "failed") });
        cases.put("approver visibility", new Object[] { approver, Map.of() });
        System.out.printf("BENCH query rows=%d iterations=%d limit=50 (GET /api/runs, end to end)%n", count("run"), ITERATIONS);
        for (var c : cases.entrySet()) {
            String token = (String) c.getValue()[0];
            @SuppressWarnings("unchecked")
            Map<String, String> params = (Map<String, String>) c.getValue()[1];
            for (int i = 0; i < 20; i++) {
                given().auth().oauth2(token).queryParams(params).get("/api/runs").then().statusCode(200);
            }
            long[] nanos = new long[ITERATIONS];
            String cursor = null;
            for (int i = 0; i < ITERATIONS; i++) {
                long t = System.nanoTime();
                var req = given().auth().oauth2(token).queryParams(params);
                var body = req.get("/api/runs").then().statusCode(200).extract();
                nanos[i] = System.nanoTime() - t;
                cursor = body.path("nextCursor");
            }
            Arrays.sort(nanos);
            System.out.printf("BENCH query %-22s p50_ms=%.1f p99_ms=%.1f%s%n", c.getKey(), nanos[ITERATIONS / 2] / 1e6,
                    nanos[(int) Math.ceil(ITERATIONS * 0.99) - 1] / 1e6, cursor == null ? " (single page)" : "");
        }
        // Deep page: the 20th page through a keyset cursor costs the same as the first.
        String cursor = null;
        for (int i = 0; i < 20; i++) {
            var req = given().auth().oauth2(admin).queryParam("source", "src7");
            if (cursor != null) {
                req.queryParam("cursor", cursor);
            }
            cursor = req.get("/api/runs").then().statusCode(200).extract().path("nextCursor");
        }
        long[] nanos = new long[ITERATIONS];
        for (int i = 0; i < ITERATIONS; i++) {
            long t = System.nanoTime();
            given().auth().oauth2(admin).queryParam("source", "src7").queryParam("cursor", cursor).get("/api/runs")
                    .then().statusCode(200);
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        System.out.printf("BENCH query %-22s p50_ms=%.1f p99_ms=%.1f%n", "source, page 21", nanos[ITERATIONS / 2] / 1e6,
                nanos[(int) Math.ceil(ITERATIONS * 0.99) - 1] / 1e6);
    }

    private static long count(String table) {
        return Long.parseLong(LedgerFixture.rows("SELECT count(*) AS n FROM ledger." + table).getFirst().get("n"));
    }
}
