package dev.executor.policy;

import java.util.Locale;

/** A policy verdict, ordered by restrictiveness: {@code BLOCK > REQUIRE_APPROVAL > ALLOW}. */
public enum Verdict {
    ALLOW, REQUIRE_APPROVAL, BLOCK;

    /** The more restrictive of the two. */
    public Verdict tighten(Verdict other) {
        return other != null && other.ordinal() > ordinal() ? other : this;
    }

    /** As in the API and events: {@code allow}, {@code require_approval}, {@code block}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Verdict fromWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
