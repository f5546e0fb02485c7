package dev.executor.catalog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * ({@code fixtures/search/github-queries.tsv}): top-1, top-3 and mean reciprocal rank.
 */
class SearchQualityTest {

    static final double TOP3_FLOOR = 0.84;
    static final double TOP1_FLOOR = 0.60;

    private static SearchIndex index;

    @BeforeAll
    static void indexGithub() throws Exception {
        Manifest github = new OpenApiImporter(Fixtures.loader()).normalize(Fixtures.githubRest(), SourceConfig.inline("-"));
        index = new SearchIndex();
        index.replace("github-id", entries("github-id", "github", github));
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
        List<String[]> queries = Fixtures.text("search/github-queries.tsv").lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.split("\t")).toList();

        // When
        int first = 0;
        int top3 = 0;
        double reciprocal = 0;
        StringBuilder report = new StringBuilder();
        for (String[] q : queries) {
            String expected = q[1].replace('/', '_').replace('-', '_');
            List<SearchIndex.Hit> hits = index.search(q[0], e -> true, 0, 10).hits();
            int rank = 0;
            for (int i = 0; i < hits.size(); i++) {
                if (hits.get(i).entry().name().equals(expected)) {
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

        // Then
        double p1 = (double) first / queries.size();
        double p3 = (double) top3 / queries.size();
        double mrr = reciprocal / queries.size();
        System.out.printf("Search quality over %d queries: top-1 %.1f%%, top-3 %.1f%%, MRR %.3f%n%s", queries.size(), 100 * p1,
                100 * p3, mrr, report);
        assertTrue(p3 >= TOP3_FLOOR, "top-3 " + p3 + "\n" + report);
        assertTrue(p1 >= TOP1_FLOOR, "top-1 " + p1 + "\n" + report);
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
