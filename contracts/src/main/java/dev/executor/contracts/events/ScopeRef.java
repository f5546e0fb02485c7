package dev.executor.contracts.events;

/**
 * One level of a scope chain.
 *
 * @param kind "org", "workspace" or "user"
 * @param id   identifier within the kind, e.g. "acme"
 */
public record ScopeRef(String kind, String id) {
}
