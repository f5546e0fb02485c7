package dev.executor.catalog.source;

import java.util.Locale;
import java.util.Set;

/** Turns operation ids, field names and paths into stable tool names ({@code [a-z0-9_]+}). */
public final class ToolNames {

    /** Longest name kept; longer names are cut (addresses stay readable). */
    public static final int MAX_LENGTH = 96;

    private ToolNames() {
    }

    /**
     * {@code repos/get} → {@code repos_get}, {@code getPetById} → {@code get_pet_by_id},
     * {@code issues/list-for-repo} → {@code issues_list_for_repo}.
     */
    public static String sanitize(String raw) {
        StringBuilder out = new StringBuilder(raw.length() + 8);
        char prev = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isUpperCase(c)) {
                char next = i + 1 < raw.length() ? raw.charAt(i + 1) : 0;
                boolean boundary = Character.isLowerCase(prev) || Character.isDigit(prev)
                        || (Character.isUpperCase(prev) && Character.isLowerCase(next));
                if (boundary) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                out.append(c);
            } else {
                out.append('_');
            }
            prev = c;
        }
        String s = out.toString().replaceAll("_+", "_").replaceAll("^_|_$", "");
        if (s.isEmpty()) {
            s = "tool";
        }
        if (Character.isDigit(s.charAt(0))) {
            s = "t_" + s;
        }
        return s.length() > MAX_LENGTH ? s.substring(0, MAX_LENGTH).replaceAll("_$", "") : s.toLowerCase(Locale.ROOT);
    }

    /** {@code GET /pets/{petId}} → {@code get_pets_pet_id}. */
    public static String fromMethodAndPath(String method, String path) {
        return sanitize(method.toLowerCase(Locale.ROOT) + "_" + path.replace("{", "").replace("}", ""));
    }

    /** The name itself when free, else the name with the first free {@code _2}, {@code _3}... suffix. */
    public static String unique(String name, Set<String> taken) {
        if (taken.add(name)) {
            return name;
        }
        for (int i = 2;; i++) {
            String candidate = name + "_" + i;
            if (taken.add(candidate)) {
                return candidate;
            }
        }
    }
}
