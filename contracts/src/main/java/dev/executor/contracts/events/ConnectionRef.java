package dev.executor.contracts.events;

/**
 * Names one connection, as in a tool address {@code <source>.<scope>.<connection>.<tool>}.
 *
 * @param scope  scope the connection is placed in
 * @param source source name (the address segment), not its id
 * @param name   connection name, e.g. "work"
 */
public record ConnectionRef(ScopeRef scope, String source, String name) {
}
