package dev.executor.catalog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.executor.catalog.Fixtures;
import dev.executor.catalog.Manifest;
import dev.executor.catalog.ToolDefinition;
import dev.executor.catalog.source.SourceConfig;
import dev.executor.catalog.source.openapi.OpenApiImporter;

/**
 * Search quality over the real GitHub REST catalog (1,223 tools) with the shared query set
 * ({@code fixtures/search/github-queries.tsv}): top-1, top-3 and mean reciprocal rank. A second,
 * held-out set over the Stripe catalog ({@code search/stripe-queries.tsv} in the test resources,
 * written before the ranking was tuned) checks that gains on GitHub are not fitted to its queries.
 */
class SearchQualityTest {

    /**
     * Measured: GitHub top-1 84%, top-3 100%, MRR 0.900 (was 60% / 84% / 0.731 before query-shape
     * signals). The floors leave one query of slack and stay above issue 3's bar (70% / 90%).
     */
    static final double TOP3_FLOOR = 0.96;
    static final double TOP1_FLOOR = 0.80;
    /** Measured on the held-out set: top-1 88%, top-3 100%, MRR 0.933 (was 80% / 96% / 0.883 before); one query of slack. */
    static final double STRIPE_TOP3_FLOOR = 0.96;
    static final double STRIPE_TOP1_FLOOR = 0.84;

    private static SearchIndex index;
    private static SearchIndex stripeIndex;

    @BeforeAll
    static void indexGithub() throws Exception {
        OpenApiImporter importer = new OpenApiImporter(Fixtures.loader());
        Manifest github = importer.normalize(Fixtures.githubRest(), SourceConfig.inline("-"));
        index = new SearchIndex();
        index.replace("github-id", entries("github-id", "github", github));
        Manifest stripe = importer.normalize(Fixtures.text("openapi/stripe/stripe.com.json"), SourceConfig.inline("-"));
        stripeIndex = new SearchIndex();
        stripeIndex.replace("stripe-id", entries("stripe-id", "stripe", stripe));
    }

    static List<SearchIndex.Entry> entries(String sourceId, String sourceName, Manifest manifest) {
        List<SearchIndex.Entry> out = new ArrayList<>();
        for (ToolDefinition t : manifest.tools()) {
            List<String> params = new ArrayList<>();
            t.inputSchema().path("properties").fieldNames().forEachRemaining(params::add);
            out.add(new SearchIndex.Entry(sourceId, sourceName, t.name(), t.labels().getOrDefault("operation_id", ""),
                    t.description(), t.sideEffect(), Signatures.of(t.name(), t.inputSchema(), t.outputName(), t.sideEffect()), params));
        }
        return out;
    }

    @Test
    void findsTheExpectedGithubOperationForNaturalLanguageQueries() {
        // Given
        List<String[]> queries = parse(Fixtures.text("search/github-queries.tsv"));

        // When
        Quality q = evaluate("GitHub", index, queries);

        // Then
        assertTrue(q.top3() >= TOP3_FLOOR, "top-3 " + q.top3() + "\n" + q.report());
        assertTrue(q.top1() >= TOP1_FLOOR, "top-1 " + q.top1() + "\n" + q.report());
    }

    @Test
    void findsTheExpectedStripeOperationForHeldOutQueries() throws Exception {
        // Given queries written before any tuning, over an API the GitHub set never sees
        List<String[]> queries;
        try (InputStream in = SearchQualityTest.class.getResourceAsStream("/search/stripe-queries.tsv")) {
            queries = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }

        // When
        Quality q = evaluate("Stripe (held out)", stripeIndex, queries);

        // Then
        assertTrue(q.top3() >= STRIPE_TOP3_FLOOR, "top-3 " + q.top3() + "\n" + q.report());
        assertTrue(q.top1() >= STRIPE_TOP1_FLOOR, "top-1 " + q.top1() + "\n" + q.report());
    }

    record Quality(double top1, double top3, double mrr, String report) {
    }

    static List<String[]> parse(String tsv) {
        return tsv.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.split("\t")).toList();
    }

    /** Top-1, top-3 and MRR of {@code queries} (query, expected operation id) over {@code idx}, printed per query. */
    static Quality evaluate(String label, SearchIndex idx, List<String[]> queries) {
        int first = 0;
        int top3 = 0;
        double reciprocal = 0;
        StringBuilder report = new StringBuilder();
        for (String[] q : queries) {
            // The expected operation id, or the tool name it sanitizes to ("repos/get" -> repos_get)
            String expected = q[1].replace('/', '_').replace('-', '_');
            List<SearchIndex.Hit> hits = idx.search(q[0], e -> true, 0, 10).hits();
            int rank = 0;
            for (int i = 0; i < hits.size(); i++) {
                SearchIndex.Entry e = hits.get(i).entry();
                if (e.name().equals(expected) || e.operationId().equals(q[1])) {
                    rank = i + 1;
                    break;
                }
            }
            first += rank == 1 ? 1 : 0;
            top3 += rank >= 1 && rank <= 3 ? 1 : 0;
            reciprocal += rank == 0 ? 0 : 1.0 / rank;
            report.append(String.format("%-45s %-45s rank %s  (top: %s)%n", q[0], expected, rank == 0 ? ">10" : rank,
                    hits.isEmpty() ? "-" : hits.get(0).entry().name()));
        }
        double p1 = (double) first / queries.size();
        double p3 = (double) top3 / queries.size();
        double mrr = reciprocal / queries.size();
        System.out.printf("%s search quality over %d queries: top-1 %.1f%%, top-3 %.1f%%, MRR %.3f%n%s", label, queries.size(),
                100 * p1, 100 * p3, mrr, report);
        return new Quality(p1, p3, mrr, report.toString());
    }

    @Test
    void filtersBySideEffectAndSource() {
        // When
        SearchIndex.Result reads = index.search("delete repository", e -> e.sideEffect() == dev.executor.catalog.SideEffect.READ, 0, 5);
        SearchIndex.Result other = index.search("delete repository", e -> e.sourceName().equals("stripe"), 0, 5);

        // Then
        assertTrue(reads.hits().stream().allMatch(h -> h.entry().sideEffect() == dev.executor.catalog.SideEffect.READ));
        assertEquals(0, other.total());
    }

    @Test
    void givesTheSameRankingWhenQueriesRepeatAndInterleave() {
        // Given the scoring buffers are reused from one query to the next
        List<String> first = index.search("list pull requests", e -> true, 0, 10).hits().stream().map(h -> h.entry().name()).toList();

        // When other queries run in between
        index.search("delete a repository webhook", e -> true, 0, 10);
        index.search("create issue", e -> e.sideEffect() == dev.executor.catalog.SideEffect.READ, 0, 3);

        // Then
        assertEquals(first, index.search("list pull requests", e -> true, 0, 10).hits().stream().map(h -> h.entry().name()).toList());
    }

    @Test
    void listsEverythingForABlankQuery() {
        assertEquals(1223, index.search("  ", e -> true, 0, 5).total());
    }

    @Test
    void writesACompactSignature() {
        // Given
        SearchIndex.Entry create = index.entries("github-id").stream().filter(e -> e.name().equals("issues_create")).findFirst().orElseThrow();

        // Then
        assertTrue(create.signature().startsWith("issues_create(owner: string, repo: string, title: string | integer"), create.signature());
        assertTrue(create.signature().endsWith(") -> issue  [write]"), create.signature());
        assertTrue(create.signature().contains("body?: string"), create.signature());
    }
}
