package dev.executor.catalog.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.catalog.Fixtures;
import dev.executor.catalog.Manifest;
import dev.executor.catalog.ToolDefinition;
import dev.executor.catalog.service.SearchIndex;
import dev.executor.catalog.service.Signatures;
import dev.executor.catalog.source.SourceConfig;
import dev.executor.catalog.source.openapi.OpenApiImporter;

/**
 * Catalog benchmarks (not a test): GitHub REST import time and peak heap, describe latency, and
 * search latency at 10,000 and 100,000 tools. Results go in docs/benchmarks.md, "Catalog".
 *
 * <pre>
 * ./mvnw -pl catalog-service test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp
 * java -Xms64m -cp catalog-service/target/test-classes:catalog-service/target/classes:$(cat catalog-service/target/bench.cp) \
 *     dev.executor.catalog.bench.CatalogBenchmark [import|describe|search|all]
 * </pre>
 * Run {@code import} in its own JVM for a clean heap figure.
 */
public final class CatalogBenchmark {

    private static final int IMPORT_RUNS = 7;

    public static void main(String[] args) throws Exception {
        String what = args.length == 0 ? "all" : args[0];
        System.out.printf("JVM %s, %d cores, max heap %d MB%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (1024 * 1024));
        String github = Fixtures.githubRest();
        OpenApiImporter importer = new OpenApiImporter(Fixtures.loader());
        if (what.equals("import") || what.equals("all")) {
            importBench(importer, github);
        }
        Manifest manifest = importer.normalize(github, SourceConfig.inline("-"));
        if (what.equals("describe") || what.equals("all")) {
            describeBench(manifest);
        }
        if (what.equals("search") || what.equals("all")) {
            searchBench(manifest, importer);
        }
    }

    /** Parse + normalize of the 13 MB document (text already in memory), cold first then warm runs. */
    static void importBench(OpenApiImporter importer, String github) throws Exception {
        double[] ms = new double[IMPORT_RUNS];
        long peak = 0;
        for (int i = 0; i < IMPORT_RUNS; i++) {
            System.gc();
            resetPeaks();
            long t = System.nanoTime();
            Manifest m = importer.normalize(github, SourceConfig.inline("-"));
            ms[i] = (System.nanoTime() - t) / 1e6;
            peak = Math.max(peak, heapPeak());
            if (m.tools().size() != 1223) {
                throw new IllegalStateException("expected 1223 tools");
            }
            System.out.printf("  import run %d: %.0f ms%n", i + 1, ms[i]);
        }
        double cold = ms[0];
        double[] warm = Arrays.copyOfRange(ms, 1, ms.length);
        Arrays.sort(warm);
        double[] all = ms.clone();
        Arrays.sort(all);
        System.out.printf("IMPORT github 1223 ops: first (cold JVM) %.0f ms, median of %d %.0f ms, median warm %.0f ms, peak heap %d MB%n",
                cold, IMPORT_RUNS, all[all.length / 2], warm[warm.length / 2], peak / (1024 * 1024));
    }

    /** Lookup by name, signature and serialization of both schemas: what describe does besides the DB read. */
    static void describeBench(Manifest manifest) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, ToolDefinition> byName = manifest.tools().stream().collect(Collectors.toMap(ToolDefinition::name, Function.identity()));
        List<String> names = new ArrayList<>(byName.keySet());
        int n = 20_000;
        long[] ns = new long[n];
        long sink = 0;
        for (int i = 0; i < n + 5_000; i++) {
            String name = names.get((i * 7919) % names.size());
            long t = System.nanoTime();
            ToolDefinition tool = byName.get(name);
            String out = json.writeValueAsString(Map.of("name", tool.name(), "signature",
                    Signatures.of(tool.name(), tool.inputSchema(), tool.outputName(), tool.sideEffect()), "input", tool.inputSchema(),
                    "output", tool.outputSchema() == null ? Map.of() : tool.outputSchema()));
            long d = System.nanoTime() - t;
            sink += out.length();
            if (i >= 5_000) {
                ns[i - 5_000] = d;
            }
        }
        report("DESCRIBE github (in-process: lookup + signature + schema JSON)", ns, sink);
    }

    static void searchBench(Manifest github, OpenApiImporter importer) throws Exception {
        Manifest stripe = importer.normalize(Fixtures.text("openapi/stripe/stripe.com.json"), SourceConfig.inline("-"));
        List<String> queries = Fixtures.text("search/github-queries.tsv").lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("\t")[0]).toList();
        for (int target : new int[] { 10_000, 100_000 }) {
            SearchIndex index = new SearchIndex();
            index.replace("stripe", entries("stripe", stripe));
            int tools = stripe.tools().size();
            for (int copy = 0; tools < target; copy++) {
                index.replace("github" + copy, entries("github" + copy, github));
                tools += github.tools().size();
            }
            int n = target >= 100_000 ? 1_000 : 5_000;
            long[] ns = new long[n];
            long sink = 0;
            for (int i = 0; i < n + 500; i++) {
                String q = queries.get(i % queries.size());
                long t = System.nanoTime();
                SearchIndex.Result r = index.search(q, e -> true, 0, 10);
                long d = System.nanoTime() - t;
                sink += r.total();
                if (i >= 500) {
                    ns[i - 500] = d;
                }
            }
            report("SEARCH " + index.size() + " tools (top 10, 25 real queries)", ns, sink);
        }
    }

    static List<SearchIndex.Entry> entries(String source, Manifest m) {
        List<SearchIndex.Entry> out = new ArrayList<>();
        for (ToolDefinition t : m.tools()) {
            List<String> params = new ArrayList<>();
            t.inputSchema().path("properties").fieldNames().forEachRemaining(params::add);
            out.add(new SearchIndex.Entry(source, source, t.name(), t.labels().getOrDefault("operation_id", ""), t.description(),
                    t.sideEffect(), Signatures.of(t.name(), t.inputSchema(), t.outputName(), t.sideEffect()), params));
        }
        return out;
    }

    private static void report(String label, long[] ns, long sink) {
        long[] sorted = ns.clone();
        Arrays.sort(sorted);
        System.out.printf("%s: n=%d p50 %.3f ms, p99 %.3f ms, max %.3f ms (sink %d)%n", label, ns.length, sorted[ns.length / 2] / 1e6,
                sorted[(int) (ns.length * 0.99)] / 1e6, sorted[ns.length - 1] / 1e6, sink % 7);
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
