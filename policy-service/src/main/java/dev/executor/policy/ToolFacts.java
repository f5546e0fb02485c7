package dev.executor.policy;

/**
 * What the catalog knows about the tool being decided on.
 *
 * @param sideEffect  read, write, destructive or unknown; drives the plugin default
 * @param reviewState accepted, unreviewed, retired or unknown
 */
public record ToolFacts(SideEffect sideEffect, ReviewState reviewState) {

    public enum SideEffect {
        READ, WRITE, DESTRUCTIVE, UNKNOWN
    }

    public enum ReviewState {
        ACCEPTED, UNREVIEWED, RETIRED, UNKNOWN
    }

    public static ToolFacts of(SideEffect sideEffect) {
        return new ToolFacts(sideEffect, ReviewState.ACCEPTED);
    }
}
