package dev.executor.catalog.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Identifier-aware analysis shared by indexing and querying: splits snake_case, camelCase,
 * kebab-case, slashes and dots; lower-cases; drops stop words; stems lightly (plurals, -ing, -ed);
 * and, for queries only, expands verbs and nouns to the synonyms API descriptions use for the same
 * thing (get/fetch/read, list/all, create/add/new, me/authenticated...). Stateless and thread-safe.
 */
public final class TextAnalyzer {

    private static final Set<String> STOP = Set.of("a", "an", "the", "of", "in", "on", "for", "to", "by", "from", "with",
            "and", "or", "is", "are", "be", "it", "its", "this", "that", "at", "as", "into", "please", "can", "how", "do",
            "does", "some", "any", "what", "which", "am", "was", "via", "using", "about", "there", "their", "them");

    /**
     * Groups of interchangeable words (already stemmed). A query word expands to its whole group with a
     * lower weight than the word itself. Deliberately generic API vocabulary, not tuned to one API.
     */
    private static final List<List<String>> SYNONYMS = List.of(
            List.of("get", "fetch", "read", "retrieve", "show", "view", "find", "lookup", "describe", "detail"),
            List.of("list", "all", "enumerate", "browse", "history", "index"),
            List.of("create", "add", "new", "make", "open", "publish", "post", "insert", "register"),
            List.of("update", "edit", "modify", "change", "set", "patch", "close", "rename", "reopen"),
            List.of("delete", "remove", "destroy", "drop", "erase", "purge", "unset"),
            List.of("search", "query", "find", "lookup"),
            List.of("run", "trigger", "dispatch", "execute", "start", "launch"),
            List.of("cancel", "stop", "abort", "halt"),
            List.of("repo", "repository"),
            List.of("pull", "pr", "merge"),
            List.of("org", "organization", "organisation", "company"),
            List.of("user", "member", "account", "person", "people", "who"),
            List.of("authenticated", "me", "my", "myself", "i", "current", "self"),
            List.of("file", "content", "blob", "document"),
            List.of("comment", "reply", "note"),
            List.of("label", "tag"),
            List.of("secret", "credential", "password", "token"),
            List.of("remaining", "limit", "quota", "usage"),
            List.of("star", "favorite", "favourite", "bookmark"),
            List.of("invite", "invitation"),
            List.of("download", "export"),
            List.of("upload", "import"),
            List.of("commit", "revision", "changeset"));

    /**
     * Abbreviations rewritten to one canonical word on both sides (index and query), so "repos/get"
     * and "get repository" meet at full weight.
     */
    private static final Map<String, String> CANONICAL = Map.ofEntries(
            Map.entry("repo", "repository"), Map.entry("repos", "repository"),
            Map.entry("org", "organization"), Map.entry("orgs", "organization"),
            Map.entry("organisation", "organization"), Map.entry("organisations", "organization"),
            Map.entry("pr", "pull"), Map.entry("prs", "pull"),
            Map.entry("env", "environment"), Map.entry("envs", "environment"),
            Map.entry("config", "configuration"), Map.entry("configs", "configuration"),
            Map.entry("auth", "authentication"), Map.entry("info", "information"),
            Map.entry("msg", "message"), Map.entry("msgs", "message"),
            Map.entry("db", "database"), Map.entry("dbs", "database"));

    private static final Map<String, List<String>> EXPANSIONS = new LinkedHashMap<>();

    static {
        for (List<String> group : SYNONYMS) {
            for (String word : group) {
                List<String> others = EXPANSIONS.computeIfAbsent(stem(word), k -> new ArrayList<>());
                for (String other : group) {
                    String o = stem(other);
                    if (!o.equals(stem(word)) && !others.contains(o)) {
                        others.add(o);
                    }
                }
            }
        }
    }

    private TextAnalyzer() {
    }

    /** Index-side tokens: identifiers split, lower-cased, stop words removed, stemmed. */
    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        StringBuilder word = new StringBuilder();
        char prev = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                boolean camel = Character.isUpperCase(c) && word.length() > 0
                        && (Character.isLowerCase(prev) || Character.isDigit(prev)
                                || i + 1 < text.length() && Character.isLowerCase(text.charAt(i + 1)) && Character.isUpperCase(prev));
                if (camel) {
                    emit(word, out);
                }
                word.append(Character.toLowerCase(c));
            } else {
                emit(word, out);
            }
            prev = c;
        }
        emit(word, out);
        return out;
    }

    /** Whether a stemmed token belongs to the deletion vocabulary (delete, remove, destroy...). */
    public static boolean isDeletion(String token) {
        return token.equals("delet") || EXPANSIONS.getOrDefault("delet", List.of()).contains(token);
    }

    /** Query-side terms with weights: each token at 1.0, its synonyms at {@code synonymWeight}. */
    public static Map<String, Double> queryTerms(String query, double synonymWeight) {
        Map<String, Double> terms = new LinkedHashMap<>();
        for (String t : tokens(query)) {
            terms.merge(t, 1.0, Math::max);
        }
        for (String t : List.copyOf(terms.keySet())) {
            for (String s : EXPANSIONS.getOrDefault(t, List.of())) {
                terms.merge(s, synonymWeight, Math::max);
            }
        }
        return terms;
    }

    private static void emit(StringBuilder word, List<String> out) {
        if (word.length() == 0) {
            return;
        }
        String w = word.toString();
        word.setLength(0);
        w = CANONICAL.getOrDefault(w, w);
        if (STOP.contains(w) && !EXPANSIONS.containsKey(stem(w))) {
            return;
        }
        out.add(stem(w));
    }

    /** A light English stemmer: enough to make plurals and verb forms meet, never aggressive. */
    static String stem(String w) {
        if (w.length() <= 3 || Character.isDigit(w.charAt(w.length() - 1))) {
            return w;
        }
        String s = w;
        if (s.endsWith("ies") && s.length() > 4) {
            s = s.substring(0, s.length() - 3) + "y";
        } else if (s.endsWith("sses")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("ches") || s.endsWith("shes") || s.endsWith("xes")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s") && !s.endsWith("ss") && !s.endsWith("us") && !s.endsWith("is")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("ing") && s.length() > 5) {
            s = undouble(s.substring(0, s.length() - 3));
        } else if (s.endsWith("ed") && s.length() > 4 && !s.endsWith("eed")) {
            s = undouble(s.substring(0, s.length() - 2));
        }
        // Porter's last step: "create", "created", "creating" all meet at "creat".
        if (s.endsWith("e") && s.length() > 4) {
            s = s.substring(0, s.length() - 1);
        }
        return s.toLowerCase(Locale.ROOT);
    }

    private static String undouble(String s) {
        int n = s.length();
        if (n > 2 && s.charAt(n - 1) == s.charAt(n - 2) && "lsz".indexOf(s.charAt(n - 1)) < 0) {
            return s.substring(0, n - 1);
        }
        return s;
    }
}
