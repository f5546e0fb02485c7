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

    /** Whether a stemmed token asks for a collection (list, all, enumerate, history...). */
    public static boolean isListing(String token) {
        return token.equals("list") || EXPANSIONS.getOrDefault("list", List.of()).contains(token);
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

    /** What a query asks to do, as far as its wording tells: read, change or delete. */
    public enum Action {
        READ, WRITE, DELETE
    }

    /**
     * The shape of a query beyond its words: the action its leading verb asks for (null when it does
     * not say), verbs it implies without naming them ("comment on an issue" creates a comment, "who
     * am I" gets something), and which nouns it asks for many of ("pull requests") or one of ("a
     * customer"). All terms are analyzed like {@link #tokens}.
     */
    public record QueryShape(Action action, List<String> implied, Set<String> plural, Set<String> singular) {
    }

    private static final Set<String> READ_VERBS = Set.of("get", "fetch", "read", "retrieve", "show", "view", "find", "lookup",
            "look", "describe", "detail", "list", "enumerate", "browse", "search", "query", "check", "count", "see", "inspect",
            "display", "download", "export", "all");
    private static final Set<String> QUESTIONS = Set.of("who", "what", "which", "where", "when", "whom", "whose");
    private static final Set<String> WRITE_VERBS = Set.of("create", "add", "new", "make", "open", "publish", "post", "insert",
            "register", "update", "edit", "modify", "change", "set", "patch", "close", "rename", "reopen", "run", "trigger",
            "dispatch", "execute", "start", "launch", "cancel", "stop", "abort", "merge", "upload", "import", "invite", "send",
            "submit", "approve", "reject", "assign", "move", "transfer", "replace", "enable", "disable", "lock", "unlock",
            "archive", "write", "save", "put", "mark", "attach", "apply");
    private static final Set<String> DELETE_VERBS = Set.of("delete", "remove", "destroy", "drop", "erase", "purge", "unset",
            "clear", "revoke", "detach");
    /** Words after which a leading word must be a verb: "star a repository", "vote on a poll". */
    private static final Set<String> ARTICLES = Set.of("a", "an", "the", "this", "that", "my", "our", "your", "these",
            "those", "every", "each", "one");
    private static final Set<String> PREPOSITIONS = Set.of("on", "to", "for", "about", "under", "onto");

    /** Analyzes the wording of a query: see {@link QueryShape}. */
    public static QueryShape shape(String query) {
        List<String> words = new ArrayList<>();
        for (String w : (query == null ? "" : query).toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        Action action = null;
        List<String> implied = new ArrayList<>();
        if (!words.isEmpty()) {
            String first = words.get(0);
            String next = words.size() > 1 ? words.get(1) : "";
            if (QUESTIONS.contains(first)) {
                action = Action.READ;
                implied.add(stem("get"));
            } else if (READ_VERBS.contains(first)) {
                action = Action.READ;
            } else if (DELETE_VERBS.contains(first)) {
                action = Action.DELETE;
            } else if (WRITE_VERBS.contains(first)) {
                action = Action.WRITE;
            } else if (words.size() > 2 && PREPOSITIONS.contains(next)) {
                // A noun used as a verb before its object ("comment on an issue") makes one of that noun.
                action = Action.WRITE;
                implied.add(stem("create"));
            } else if (words.size() > 2 && ARTICLES.contains(next)) {
                action = Action.WRITE; // an unknown verb acting on something: "star a repository"
            }
        }
        Set<String> plural = new java.util.HashSet<>();
        Set<String> singular = new java.util.HashSet<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (i == 0 && action != null || STOP.contains(w) || w.length() <= 3) {
                continue;
            }
            String canonical = CANONICAL.getOrDefault(w, w);
            boolean pluralForm = canonical.equals(w) ? looksPlural(w) : w.endsWith("s") && !canonical.endsWith("s");
            if (pluralForm) {
                plural.add(stem(canonical));
            } else if (i > 0 && ARTICLES.contains(words.get(i - 1))) {
                singular.add(stem(canonical));
            }
        }
        return new QueryShape(action, implied, plural, singular);
    }

    private static boolean looksPlural(String w) {
        return w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is") && !stem(w).equals(w);
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
