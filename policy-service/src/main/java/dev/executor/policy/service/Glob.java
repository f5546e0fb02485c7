package dev.executor.policy.service;

import java.util.regex.Pattern;

/**
 * Globs over tool names and tool addresses. {@code *} matches any run of characters (including
 * none), {@code ?} exactly one; everything else matches itself. Matching is case-sensitive and
 * whole-string.
 *
 * <p>Address globs ({@link #address}) have four dot-separated segments,
 * {@code <source>.<scope>.<connection>.<tool>}, matched segment by segment: a {@code *} in one of the
 * first three segments never crosses a dot, so {@code github.*.*.issues_*} cannot match a source
 * named {@code github-evil}. The tool segment, like addresses, takes everything after the third dot.
 * Immutable and thread-safe.
 */
public final class Glob {

    private final String text;
    private final Pattern pattern;

    private Glob(String text, Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    /** A glob over tool names. */
    public static Glob tool(String glob) {
        validateCharacters(glob);
        return new Glob(glob, Pattern.compile(toRegex(glob, true)));
    }

    /**
     * A glob over whole addresses.
     *
     * @throws IllegalArgumentException when it does not have four non-empty segments
     */
    public static Glob address(String glob) {
        validateCharacters(glob);
        String[] parts = glob.split("\\.", 4);
        if (parts.length < 4 || java.util.Arrays.stream(parts).anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("'" + glob
                    + "' is not an address glob; use <source>.<scope>.<connection>.<tool>, e.g. 'github.*.*.issues_*'.");
        }
        String regex = toRegex(parts[0], false) + "\\." + toRegex(parts[1], false) + "\\." + toRegex(parts[2], false)
                + "\\." + toRegex(parts[3], true);
        return new Glob(glob, Pattern.compile(regex));
    }

    private static void validateCharacters(String glob) {
        if (glob == null || glob.isBlank() || glob.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("A glob must be non-empty and without spaces, e.g. 'issues_*'.");
        }
    }

    private static String toRegex(String glob, boolean crossDots) {
        String any = crossDots ? ".*" : "[^.]*";
        String one = crossDots ? "." : "[^.]";
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? any : one);
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return regex.toString();
    }

    public boolean matches(String candidate) {
        return pattern.matcher(candidate).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
