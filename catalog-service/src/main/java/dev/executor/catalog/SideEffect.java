package dev.executor.catalog;

import java.util.Locale;

/** What calling a tool does to the world; policy defaults key off it (e.g. destructive → approval). */
public enum SideEffect {
    /** Reads only (HTTP GET/HEAD/OPTIONS, GraphQL query). */
    READ,
    /** Creates or changes state (POST/PUT/PATCH, GraphQL mutation). */
    WRITE,
    /** Deletes or irreversibly changes state (HTTP DELETE, GraphQL delete/remove mutations). */
    DESTRUCTIVE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SideEffect fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
