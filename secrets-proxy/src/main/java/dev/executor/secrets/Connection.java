package dev.executor.secrets;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One credential for one source, placed in one scope: {@code (scope, source, name)}. Holds
 * SecretRefs per credential slot, never secret values, and is bound to its source's declared hosts
 * plus explicit egress rules.
 *
 * @param id         opaque id
 * @param scope      {@code <kind>:<id>}, e.g. {@code org:acme}, {@code user:alice}
 * @param source     source name (the address segment)
 * @param sourceId   catalog id of the source, may be null
 * @param name       connection name, e.g. {@code work}
 * @param auth       the filled auth template
 * @param secretRefs SecretRef per credential slot
 * @param hosts      the source's declared hosts, {@code host} or {@code host:port}
 * @param egress     explicit egress allow rules
 * @param status     {@link #ACTIVE} or {@link #NEEDS_REAUTH}
 */
public record Connection(
        UUID id,
        String scope,
        String source,
        String sourceId,
        String name,
        AuthTemplate auth,
        Map<String, String> secretRefs,
        List<String> hosts,
        List<EgressRule> egress,
        String status,
        String createdBy,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {

    public static final String ACTIVE = "ACTIVE";
    public static final String NEEDS_REAUTH = "NEEDS_REAUTH";

    /** {@code scope/source/name}, for messages and logs. */
    public String label() {
        return scope + "/" + source + "/" + name;
    }

    public String scopeKind() {
        return scope.substring(0, scope.indexOf(':'));
    }

    public String scopeId() {
        return scope.substring(scope.indexOf(':') + 1);
    }
}
