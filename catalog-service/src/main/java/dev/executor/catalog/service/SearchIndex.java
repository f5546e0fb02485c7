package dev.executor.catalog.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import dev.executor.catalog.SideEffect;

/**
 * In-memory ranked full-text index over tools: BM25F over four fields (tool name and operation id,
 * summary, parameter names, description), with identifier-aware analysis ({@link TextAnalyzer}),
 * synonym expansion and prefix matching for longer query words.
 *
 * <p>The index is split in one immutable segment per source; importing or refreshing a source swaps
 * its segment atomically, so searches never see a half-indexed source and never lock. Statistics
 * (document count, field lengths, document frequencies) are summed over segments at query time,
 * which keeps scores comparable across sources. Thread-safe.
 */
public final class SearchIndex {

    /** Field weights: a word in the tool name says much more than one deep in the description. */
    private static final double[] WEIGHTS = { 3.0, 1.5, 0.6, 0.35 };
    private static final double[] B = { 0.5, 0.75, 0.75, 0.75 };
    private static final int FIELDS = WEIGHTS.length;
    private static final double K1 = 1.2;
    private static final double SYNONYM_WEIGHT = 0.6;
    private static final double PREFIX_WEIGHT = 0.5;
    private static final int PREFIX_MIN = 4;
    private static final double NAME_COVERAGE = 0.4;
    private static final double SUMMARY_COVERAGE = 0.4;
    private static final double DESTRUCTIVE_DAMPING = 0.8;
    private static final double NAME_PRECISION = 0.8;
    /** Like the name, a summary the query explains entirely ("List pull requests") is a title match. */
    private static final double SUMMARY_PRECISION = 0.5;
    /** A tool whose side effect is what the query's verb asks for (read, change, delete). */
    private static final double INTENT_AGREEMENT = 0.3;
    /** Verbs a query implies without naming them ("who am I" gets) count for this much of a word. */
    private static final double IMPLIED_WEIGHT = 0.5;
    /** "list customers" wants the collection, not one customer: tools needing a customer id lose this much. */
    private static final double PLURAL_MISMATCH = 0.25;
    /** "get a customer" wants one: tools taking the customer's id gain this much. */
    private static final double SINGULAR_MATCH = 0.1;
    /** A query naming no collection ("who am I") prefers a tool returning one thing over a list. */
    private static final double LIST_MISMATCH = 0.15;
    private static final int SUMMARY_CHARS = 300;
    private static final int BODY_CHARS = 600;

    /**
     * What the index keeps about one tool.
     *
     * @param operationId the source's own name for the operation (e.g. {@code repos/get}); may be empty
     */
    public record Entry(String sourceId, String sourceName, String name, String operationId, String description,
            SideEffect sideEffect, String signature, List<String> parameterNames) {
    }

    public record Hit(Entry entry, double score) {
    }

    public record Result(List<Hit> hits, int total) {
    }

    private final Map<String, Segment> segments = new ConcurrentHashMap<>();

    /** Replaces every tool of a source. */
    public void replace(String sourceId, List<Entry> entries) {
        segments.put(sourceId, new Segment(entries));
    }

    public void remove(String sourceId) {
        segments.remove(sourceId);
    }

    public int size() {
        return segments.values().stream().mapToInt(s -> s.entries.length).sum();
    }

    /** Every indexed tool of a source, in import order. */
    public List<Entry> entries(String sourceId) {
        Segment s = segments.get(sourceId);
        return s == null ? List.of() : List.of(s.entries);
    }

    /**
     * Ranked tools matching {@code text} and {@code filter}. A blank query lists every matching tool
     * by source and name.
     */
    public Result search(String text, Predicate<Entry> filter, int offset, int limit) {
        List<Segment> segs = List.copyOf(segments.values());
        Map<String, Double> weighted = TextAnalyzer.queryTerms(text == null ? "" : text, SYNONYM_WEIGHT);
        if (weighted.isEmpty()) {
            return listAll(segs, filter, offset, limit);
        }
        // Each original query word is one clause; its synonyms and prefix completions are
        // alternatives within the clause (a document scores the best alternative, not their sum).
        List<String> originals = new ArrayList<>(TextAnalyzer.tokens(text).stream().distinct().toList());
        boolean deletionAsked = originals.stream().anyMatch(TextAnalyzer::isDeletion);
        TextAnalyzer.QueryShape shape = TextAnalyzer.shape(text);
        boolean wantsOne = shape.plural().isEmpty() && originals.stream().noneMatch(TextAnalyzer::isListing);
        // Required clauses are the words typed; implied verbs come after them as optional clauses that
        // add to a score when matched but never count against coverage.
        int required = originals.size();
        for (String implied : shape.implied()) {
            if (!originals.contains(implied)) {
                originals.add(implied);
            }
        }
        int n = 0;
        double[] totalLen = new double[FIELDS];
        for (Segment s : segs) {
            n += s.entries.length;
            for (int f = 0; f < FIELDS; f++) {
                totalLen[f] += s.totalLen[f];
            }
        }
        if (n == 0) {
            return new Result(List.of(), 0);
        }
        double[] avg = new double[FIELDS];
        for (int f = 0; f < FIELDS; f++) {
            avg[f] = Math.max(1e-9, totalLen[f] / n);
        }
        List<Map<String, Double>> clauses = new ArrayList<>();
        // A word that is a synonym of an earlier one ("publish a new release") is not asked twice.
        for (int c = 1; c < originals.size(); c++) {
            Map<String, Double> earlier = new HashMap<>();
            for (int e = 0; e < c; e++) {
                earlier.putAll(TextAnalyzer.queryTerms(originals.get(e), SYNONYM_WEIGHT));
            }
            if (earlier.containsKey(originals.get(c))) {
                originals.remove(c);
                if (c < required) {
                    required--;
                }
                c--;
            }
        }
        for (int c = 0; c < originals.size(); c++) {
            String original = originals.get(c);
            double own = c < required ? 1.0 : IMPLIED_WEIGHT;
            Map<String, Double> alternatives = new HashMap<>();
            alternatives.put(original, own);
            for (Map.Entry<String, Double> e : TextAnalyzer.queryTerms(original, SYNONYM_WEIGHT).entrySet()) {
                alternatives.merge(e.getKey(), e.getValue() * own, Math::max);
            }
            if (c < required && original.length() >= PREFIX_MIN) {
                for (Segment s : segs) {
                    s.prefixed(original, t -> alternatives.merge(t, PREFIX_WEIGHT, Math::max));
                }
            }
            clauses.add(alternatives);
        }
        Map<String, Double> idf = new HashMap<>();
        final int docCount = n;
        java.util.function.Function<String, Double> rawIdf = t -> idf.computeIfAbsent(t, term -> {
            int df = 0;
            for (Segment s : segs) {
                Postings p = s.postings.get(term);
                df += p == null ? 0 : p.docs.length;
            }
            return df == 0 ? 0.0 : Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
        });
        // A synonym or completion is never worth more than the word the caller typed: otherwise a
        // rare synonym ("find" for "get") outranks the common word that was actually asked for.
        List<Map<String, Double>> clauseIdf = new ArrayList<>();
        for (int c = 0; c < clauses.size(); c++) {
            Map<String, Double> clause = clauses.get(c);
            String original = originals.get(c);
            double cap = rawIdf.apply(original);
            if (cap == 0) {
                cap = clause.keySet().stream().mapToDouble(rawIdf::apply).filter(v -> v > 0).average().orElse(0);
            }
            Map<String, Double> capped = new HashMap<>();
            for (String term : clause.keySet()) {
                capped.put(term, Math.min(rawIdf.apply(term), cap));
            }
            clauseIdf.add(capped);
        }
        PriorityQueue<Hit> top = new PriorityQueue<>(Comparator.comparingDouble(Hit::score)
                .thenComparing((Hit h) -> h.entry().name(), Comparator.reverseOrder()));
        int keep = offset + limit;
        int total = 0;
        Scratch x = SCRATCH.get();
        for (Segment s : segs) {
            x.ensure(s.entries.length);
            int docCountTouched = 0;
            for (int c = 0; c < clauses.size(); c++) {
                Map<String, Double> clause = clauses.get(c);
                Map<String, Double> idfs = clauseIdf.get(c);
                int clauseTouched = 0;
                for (Map.Entry<String, Double> alt : clause.entrySet()) {
                    Postings p = s.postings.get(alt.getKey());
                    double termIdf = idfs.getOrDefault(alt.getKey(), 0.0);
                    if (p == null || termIdf == 0) {
                        continue;
                    }
                    for (int i = 0; i < p.docs.length; i++) {
                        int d = p.docs[i];
                        double tf = 0;
                        for (int f = 0; f < FIELDS; f++) {
                            float raw = p.tf[f][i];
                            if (raw > 0) {
                                tf += WEIGHTS[f] * raw / (1 - B[f] + B[f] * s.len[f][d] / avg[f]);
                            }
                        }
                        if (x.clauseSeen[d] == 0) {
                            x.clauseSeen[d] = 1;
                            x.clauseDocs[clauseTouched++] = d;
                        }
                        if (p.tf[0][i] > 0) {
                            x.nameHit[d] = 1;
                            x.nameTf[d] = Math.max(x.nameTf[d], p.tf[0][i]);
                        }
                        if (p.tf[1][i] > 0) {
                            x.summaryHit[d] = 1;
                            x.summaryTf[d] = Math.max(x.summaryTf[d], p.tf[1][i]);
                        }
                        double v = alt.getValue() * termIdf * tf * (K1 + 1) / (tf + K1);
                        if (v > x.best[d]) {
                            x.best[d] = v;
                        }
                    }
                }
                // Fold the clause into the document totals, touching only documents it matched.
                for (int k = 0; k < clauseTouched; k++) {
                    int d = x.clauseDocs[k];
                    if (x.best[d] > 0) {
                        if (x.docSeen[d] == 0) {
                            x.docSeen[d] = 1;
                            x.docs[docCountTouched++] = d;
                        }
                        x.score[d] += x.best[d];
                        x.nameCovered[d] += x.nameTf[d];
                        x.summaryCovered[d] += x.summaryTf[d];
                        if (c < required) {
                            x.matched[d]++;
                            x.inName[d] += x.nameHit[d];
                            x.inSummary[d] += x.summaryHit[d];
                        }
                    }
                    x.best[d] = 0;
                    x.nameHit[d] = 0;
                    x.nameTf[d] = 0;
                    x.summaryTf[d] = 0;
                    x.summaryHit[d] = 0;
                    x.clauseSeen[d] = 0;
                }
            }
            // Nouns the query wants many of, or one of, against the ids a tool requires.
            markRequired(s, shape.plural(), x.pluralHit, x);
            markRequired(s, shape.singular(), x.singularHit, x);
            for (int k = 0; k < docCountTouched; k++) {
                int d = x.docs[k];
                double raw = x.score[d];
                int matchedClauses = x.matched[d];
                int nameClauses = x.inName[d];
                int summaryClauses = x.inSummary[d];
                float covered = x.nameCovered[d];
                float summaryCovered = x.summaryCovered[d];
                int pluralHits = x.pluralHit[d];
                int singularHits = x.singularHit[d];
                x.reset(d);
                if (raw <= 0 || !filter.test(s.entries[d])) {
                    continue;
                }
                total++;
                // Documents answering every word of the query beat those answering some very well.
                double coverage = (double) matchedClauses / required;
                double finalScore = raw * (0.5 + 0.5 * coverage * coverage)
                        // ...and a name or summary that says it all beats words scattered over fields.
                        * (1 + NAME_COVERAGE * nameClauses / required + SUMMARY_COVERAGE * summaryClauses / required);
                // A name the query explains entirely ("repos_get" for "get repository") beats one with
                // words the caller never asked for ("repos_get_webhook").
                double precision = s.len[0][d] == 0 ? 0 : Math.min(1.0, covered / s.len[0][d]);
                finalScore *= 1 + NAME_PRECISION * precision;
                double summaryPrecision = s.len[1][d] == 0 ? 0 : Math.min(1.0, summaryCovered / s.len[1][d]);
                finalScore *= 1 + SUMMARY_PRECISION * summaryPrecision;
                if (agrees(shape.action(), s.entries[d].sideEffect())) {
                    finalScore *= 1 + INTENT_AGREEMENT;
                }
                if (wantsOne && s.returnsList[d]) {
                    finalScore *= 1 - LIST_MISMATCH;
                }
                if (pluralHits > 0) {
                    finalScore *= pluralHits == 1 ? 1 - PLURAL_MISMATCH : Math.pow(1 - PLURAL_MISMATCH, pluralHits);
                }
                if (singularHits > 0) {
                    finalScore *= 1 + SINGULAR_MATCH;
                }
                if (!deletionAsked && s.entries[d].sideEffect() == SideEffect.DESTRUCTIVE) {
                    // Never steer a caller towards deleting something it did not ask to delete.
                    finalScore *= DESTRUCTIVE_DAMPING;
                }
                if (top.size() >= keep && finalScore < top.peek().score()) {
                    continue; // cannot enter the page: skip the allocation
                }
                Hit hit = new Hit(s.entries[d], finalScore);
                if (top.size() < keep) {
                    top.add(hit);
                } else if (top.comparator().compare(hit, top.peek()) > 0) {
                    top.poll();
                    top.add(hit);
                }
            }
        }
        List<Hit> ordered = new ArrayList<>(top);
        ordered.sort(top.comparator().reversed());
        return new Result(offset >= ordered.size() ? List.of() : ordered.subList(offset, ordered.size()), total);
    }

    private static boolean agrees(TextAnalyzer.Action action, SideEffect effect) {
        if (action == null) {
            return false;
        }
        return switch (action) {
            case READ -> effect == SideEffect.READ;
            case WRITE -> effect != SideEffect.READ;
            case DELETE -> effect == SideEffect.DESTRUCTIVE;
        };
    }

    /** Counts, per touched document, how many of {@code nouns} name an id the tool requires. */
    private static void markRequired(Segment s, java.util.Set<String> nouns, int[] into, Scratch x) {
        for (String noun : nouns) {
            int[] docs = s.required.get(noun);
            if (docs == null) {
                continue;
            }
            for (int d : docs) {
                if (x.docSeen[d] != 0) {
                    into[d]++;
                }
            }
        }
    }

    private static Result listAll(List<Segment> segs, Predicate<Entry> filter, int offset, int limit) {
        List<Entry> all = new ArrayList<>();
        for (Segment s : segs) {
            for (Entry e : s.entries) {
                if (filter.test(e)) {
                    all.add(e);
                }
            }
        }
        all.sort(Comparator.comparing(Entry::sourceName).thenComparing(Entry::name));
        List<Hit> page = all.stream().skip(offset).limit(limit).map(e -> new Hit(e, 0)).toList();
        return new Result(page, all.size());
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Per-thread scoring buffers, reused across queries so a search allocates nothing per document.
     * Invariant between uses: every slot is zero (only touched slots are written, and reset after).
     */
    private static final class Scratch {
        double[] score = new double[0];
        double[] best = new double[0];
        int[] matched = new int[0];
        int[] inName = new int[0];
        int[] inSummary = new int[0];
        float[] nameTf = new float[0];
        float[] nameCovered = new float[0];
        float[] summaryTf = new float[0];
        float[] summaryCovered = new float[0];
        int[] pluralHit = new int[0];
        int[] singularHit = new int[0];
        byte[] nameHit = new byte[0];
        byte[] summaryHit = new byte[0];
        byte[] clauseSeen = new byte[0];
        byte[] docSeen = new byte[0];
        int[] clauseDocs = new int[0];
        int[] docs = new int[0];

        void ensure(int n) {
            if (score.length >= n) {
                return;
            }
            score = new double[n];
            best = new double[n];
            matched = new int[n];
            inName = new int[n];
            inSummary = new int[n];
            nameTf = new float[n];
            nameCovered = new float[n];
            summaryTf = new float[n];
            summaryCovered = new float[n];
            pluralHit = new int[n];
            singularHit = new int[n];
            nameHit = new byte[n];
            summaryHit = new byte[n];
            clauseSeen = new byte[n];
            docSeen = new byte[n];
            clauseDocs = new int[n];
            docs = new int[n];
        }

        void reset(int d) {
            score[d] = 0;
            matched[d] = 0;
            inName[d] = 0;
            inSummary[d] = 0;
            nameCovered[d] = 0;
            summaryCovered[d] = 0;
            pluralHit[d] = 0;
            singularHit[d] = 0;
            docSeen[d] = 0;
        }
    }

    /** Term → documents and per-field term frequencies, parallel arrays. */
    private record Postings(int[] docs, float[][] tf) {
    }

    /** One source's tools, indexed once and never modified. */
    private static final class Segment {
        final Entry[] entries;
        final Map<String, Postings> postings;
        final String[] sortedTerms;
        /** Token of a required parameter → documents requiring it ("customer" → tools taking a customer id). */
        final Map<String, int[]> required;
        /** Whether the tool's output is an array (its signature ends in {@code []}). */
        final boolean[] returnsList;
        final float[][] len;
        final double[] totalLen = new double[FIELDS];

        Segment(List<Entry> list) {
            entries = list.toArray(Entry[]::new);
            len = new float[FIELDS][entries.length];
            Map<String, List<int[]>> building = new HashMap<>();
            Map<String, List<Integer>> requiring = new HashMap<>();
            returnsList = new boolean[entries.length];
            for (int d = 0; d < entries.length; d++) {
                Entry e = entries[d];
                String desc = e.description() == null ? "" : e.description();
                int para = desc.indexOf("\n\n");
                String summary = para < 0 ? desc : desc.substring(0, para);
                if (summary.length() > SUMMARY_CHARS) {
                    summary = summary.substring(0, SUMMARY_CHARS);
                }
                String body = para < 0 ? "" : desc.substring(para + 2, Math.min(desc.length(), para + 2 + BODY_CHARS));
                // The operation id often repeats the name ("repos/get" → repos_get): count it once.
                String opId = e.operationId() == null ? "" : e.operationId();
                String nameField = opId.replaceAll("[^A-Za-z0-9]+", "_").equalsIgnoreCase(e.name()) ? e.name() : e.name() + " " + opId;
                String[] fields = { nameField, summary, String.join(" ", e.parameterNames()), body };
                String sig = e.signature() == null ? "" : e.signature();
                int arrow = sig.lastIndexOf(") -> ");
                returnsList[d] = arrow >= 0 && sig.substring(arrow).split("  \\[")[0].endsWith("[]");
                for (String param : requiredParameters(e.signature())) {
                    for (String t : TextAnalyzer.tokens(param)) {
                        List<Integer> docs = requiring.computeIfAbsent(t, k -> new ArrayList<>());
                        if (docs.isEmpty() || docs.get(docs.size() - 1) != d) {
                            docs.add(d);
                        }
                    }
                }
                for (int f = 0; f < FIELDS; f++) {
                    List<String> tokens = TextAnalyzer.tokens(fields[f]);
                    len[f][d] = tokens.size();
                    totalLen[f] += tokens.size();
                    for (String t : tokens) {
                        List<int[]> rows = building.computeIfAbsent(t, k -> new ArrayList<>());
                        int[] last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
                        if (last == null || last[0] != d) {
                            last = new int[FIELDS + 1];
                            last[0] = d;
                            rows.add(last);
                        }
                        last[f + 1]++;
                    }
                }
            }
            postings = new HashMap<>(building.size() * 2);
            building.forEach((term, rows) -> {
                int[] docs = new int[rows.size()];
                float[][] tf = new float[FIELDS][rows.size()];
                for (int i = 0; i < rows.size(); i++) {
                    docs[i] = rows.get(i)[0];
                    for (int f = 0; f < FIELDS; f++) {
                        tf[f][i] = rows.get(i)[f + 1];
                    }
                }
                postings.put(term, new Postings(docs, tf));
            });
            required = new HashMap<>(requiring.size() * 2);
            requiring.forEach((t, docs) -> required.put(t, docs.stream().mapToInt(Integer::intValue).toArray()));
            sortedTerms = building.keySet().toArray(String[]::new);
            Arrays.sort(sortedTerms);
        }

        /** The required argument names of a compact signature ({@code name(a: t, b?: t) -> out}). */
        static List<String> requiredParameters(String signature) {
            List<String> out = new ArrayList<>();
            if (signature == null) {
                return out;
            }
            int open = signature.indexOf('(');
            int close = signature.lastIndexOf(") -> ");
            if (open < 0 || close <= open) {
                return out;
            }
            for (String arg : signature.substring(open + 1, close).split(", ")) {
                int colon = arg.indexOf(':');
                if (colon > 0 && arg.charAt(colon - 1) != '?') {
                    out.add(arg.substring(0, colon));
                }
            }
            return out;
        }

        void prefixed(String prefix, java.util.function.Consumer<String> sink) {
            int i = Arrays.binarySearch(sortedTerms, prefix);
            i = i < 0 ? -i - 1 : i + 1;
            for (int seen = 0; i < sortedTerms.length && sortedTerms[i].startsWith(prefix) && seen < 16; i++, seen++) {
                sink.accept(sortedTerms[i]);
            }
        }
    }
}
