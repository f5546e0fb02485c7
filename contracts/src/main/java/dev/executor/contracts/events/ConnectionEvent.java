package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * Changes to connections, on {@code executor.connection.events}. Emitted by secrets-proxy.
 *
 * <p>Never carries a secret value or a SecretRef location: at most the names of a connection's
 * credential slots and their provider kinds.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ConnectionCreated.class, name = "ConnectionCreated"),
    @JsonSubTypes.Type(value = ConnectionDeleted.class, name = "ConnectionDeleted"),
    @JsonSubTypes.Type(value = ConnectionNeedsReauth.class, name = "ConnectionNeedsReauth")
})
public sealed interface ConnectionEvent extends ExecutorEvent
        permits ConnectionCreated, ConnectionDeleted, ConnectionNeedsReauth {

    /** The connection's opaque id. */
    String connectionId();

    /** The connection's (scope, source, name). */
    ConnectionRef connection();

    Instant occurredAt();

    /** Keyed by connection id. */
    @Override
    default String key() {
        return connectionId();
    }
}
