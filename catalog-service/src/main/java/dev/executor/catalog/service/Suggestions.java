package dev.executor.catalog.service;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Close matches for an unknown name (Levenshtein distance, then shared prefix), for "did you mean". */
public final class Suggestions {

    private Suggestions() {
    }

    private record Candidate(String name, int distance) {
    }

    public static List<String> closest(String wanted, Collection<String> known, int max) {
        int limit = Math.max(2, wanted.length() / 3);
        return known.stream()
                .map(k -> new Candidate(k, distance(wanted, k)))
                .filter(c -> c.distance() <= limit || c.name().startsWith(wanted) || wanted.startsWith(c.name()))
                .sorted(Comparator.comparingInt(Candidate::distance).thenComparing(Candidate::name))
                .limit(max)
                .map(Candidate::name)
                .toList();
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
