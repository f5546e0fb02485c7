package dev.executor.policy.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.events.Change;
import dev.executor.contracts.events.PolicyChanged;
import dev.executor.contracts.events.PolicyEvent;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.contracts.events.ScopeRef;
import dev.executor.contracts.events.ToolkitChanged;
import dev.executor.policy.ApprovalMode;
import dev.executor.policy.Policy.AttachedKind;
import dev.executor.policy.Scope;
import dev.executor.policy.Verdict;
import dev.executor.policy.config.PolicyConfig;
import dev.executor.policy.messaging.PolicyEventPublisher;
import dev.executor.policy.persistence.PolicyEntity;
import dev.executor.policy.persistence.PolicyRepository;
import dev.executor.policy.persistence.ToolkitEntity;
import dev.executor.policy.persistence.ToolkitRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Admin changes to policies and toolkits. Each change, in one transaction, writes the record and
 * bumps the global policy version (a row lock, so versions commit in order); after the commit the
 * local snapshot is reloaded (the admin's next decision sees the change) and a
 * {@code PolicyChanged} / {@code ToolkitChanged} event carrying the new version is published,
 * keyed by the record id.
 */
@ApplicationScoped
public class PolicyAdminService {

    private static final Logger LOG = Logger.getLogger(PolicyAdminService.class);

    /** A validated policy as the admin wrote it. */
    public record PolicyInput(Scope scope, AttachedKind attachedKind, String attachedId, String toolGlob, Verdict verdict,
            ApprovalMode approvalMode) {
    }

    /** A validated toolkit as the admin wrote it. */
    public record ToolkitInput(Scope scope, String name, List<String> addresses) {
    }

    private final PolicyRepository policies;
    private final ToolkitRepository toolkits;
    private final DecisionService decisions;
    private final PolicyEventPublisher publisher;
    private final PolicyConfig config;
    private final ObjectMapper json;

    public PolicyAdminService(PolicyRepository policies, ToolkitRepository toolkits, DecisionService decisions,
            PolicyEventPublisher publisher, PolicyConfig config, ObjectMapper json) {
        this.policies = policies;
        this.toolkits = toolkits;
        this.decisions = decisions;
        this.publisher = publisher;
        this.config = config;
        this.json = json;
    }

    // ---- policies

    public Uni<PolicyEntity> createPolicy(PolicyInput in, PrincipalRef by) {
        return Panache.withTransaction(() -> bumpVersion().chain(version -> {
            PolicyEntity e = new PolicyEntity();
            e.id = UUID.randomUUID();
            e.createdBy = by.subject();
            e.createdAt = now();
            apply(e, in, version);
            return policies.persist(e);
        })).call(e -> afterCommit(policyChanged(e, Change.CREATED, by)));
    }

    public Uni<PolicyEntity> updatePolicy(UUID id, PolicyInput in, PrincipalRef by) {
        return Panache.withTransaction(() -> policies.findById(id)
                .onItem().ifNull().failWith(() -> new RecordNotFoundException("policy", id))
                .chain(e -> bumpVersion().map(version -> {
                    apply(e, in, version);
                    return e;
                }))).call(e -> afterCommit(policyChanged(e, Change.UPDATED, by)));
    }

    public Uni<Void> deletePolicy(UUID id, PrincipalRef by) {
        return Panache.withTransaction(() -> policies.findById(id)
                .onItem().ifNull().failWith(() -> new RecordNotFoundException("policy", id))
                .chain(e -> bumpVersion().chain(version -> policies.delete(e).map(v -> {
                    e.version = version;
                    return e;
                })))).chain(e -> afterCommit(policyChanged(e, Change.DELETED, by)));
    }

    public Uni<PolicyEntity> findPolicy(UUID id) {
        return Panache.withSession(() -> policies.findById(id))
                .onItem().ifNull().failWith(() -> new RecordNotFoundException("policy", id));
    }

    private static void apply(PolicyEntity e, PolicyInput in, long version) {
        e.scope = in.scope().toString();
        e.attachedKind = in.attachedKind().wire();
        e.attachedId = in.attachedId();
        e.toolGlob = in.toolGlob();
        e.verdict = in.verdict().wire();
        e.approvalMode = in.approvalMode().wire();
        e.updatedAt = now();
        e.version = version;
    }

    private static PolicyChanged policyChanged(PolicyEntity e, Change change, PrincipalRef by) {
        Scope scope = Scope.parse(e.scope);
        return new PolicyChanged(e.id.toString(), new ScopeRef(scope.kind(), scope.id()), change, e.version,
                AttachedKind.fromWire(e.attachedKind) == AttachedKind.SOURCE ? PolicyChanged.AttachedTo.SOURCE
                        : PolicyChanged.AttachedTo.CONNECTION,
                e.attachedId, by, Instant.now());
    }

    // ---- toolkits

    public Uni<ToolkitEntity> createToolkit(ToolkitInput in, PrincipalRef by) {
        return Panache.withTransaction(() -> ensureNameFree(in, null).chain(() -> bumpVersion()).chain(version -> {
            ToolkitEntity e = new ToolkitEntity();
            e.id = UUID.randomUUID();
            e.createdBy = by.subject();
            e.createdAt = now();
            apply(e, in, version);
            return toolkits.persist(e);
        })).call(e -> afterCommit(toolkitChanged(e, Change.CREATED, by)));
    }

    public Uni<ToolkitEntity> updateToolkit(UUID id, ToolkitInput in, PrincipalRef by) {
        return Panache.withTransaction(() -> toolkits.findById(id)
                .onItem().ifNull().failWith(() -> new RecordNotFoundException("toolkit", id))
                .call(e -> ensureNameFree(in, id))
                .chain(e -> bumpVersion().map(version -> {
                    apply(e, in, version);
                    return e;
                }))).call(e -> afterCommit(toolkitChanged(e, Change.UPDATED, by)));
    }

    public Uni<Void> deleteToolkit(UUID id, PrincipalRef by) {
        return Panache.withTransaction(() -> toolkits.findById(id)
                .onItem().ifNull().failWith(() -> new RecordNotFoundException("toolkit", id))
                .chain(e -> bumpVersion().chain(version -> toolkits.delete(e).map(v -> {
                    e.version = version;
                    return e;
                })))).chain(e -> afterCommit(toolkitChanged(e, Change.DELETED, by)));
    }

    public Uni<ToolkitEntity> findToolkit(UUID id) {
        return Panache.withSession(() -> toolkits.findById(id))
                .onItem().ifNull().failWith(() -> new RecordNotFoundException("toolkit", id));
    }

    private Uni<Void> ensureNameFree(ToolkitInput in, UUID self) {
        return toolkits.find("scope = ?1 and name = ?2", in.scope().toString(), in.name()).firstResult()
                .invoke(existing -> {
                    if (existing != null && !existing.id.equals(self)) {
                        throw new ConflictException("A toolkit named '" + in.name() + "' already exists in " + in.scope()
                                + " (" + existing.id + ").");
                    }
                }).replaceWithVoid();
    }

    private void apply(ToolkitEntity e, ToolkitInput in, long version) {
        e.scope = in.scope().toString();
        e.name = in.name();
        try {
            e.predicate = json.writeValueAsString(Map.of("addresses", in.addresses()));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        e.updatedAt = now();
        e.version = version;
    }

    private static ToolkitChanged toolkitChanged(ToolkitEntity e, Change change, PrincipalRef by) {
        Scope scope = Scope.parse(e.scope);
        return new ToolkitChanged(e.id.toString(), e.name, new ScopeRef(scope.kind(), scope.id()), change, e.version, by,
                Instant.now());
    }

    // ---- shared

    /** Bumps and returns the global policy version, inside the caller's transaction. */
    private static Uni<Long> bumpVersion() {
        return Panache.getSession().chain(s -> s
                .createNativeQuery("UPDATE policy.policy_version SET version = version + 1 WHERE id = 1 RETURNING version",
                        Long.class)
                .getSingleResult());
    }

    /**
     * After the commit: reload the snapshot, then publish. The change is durable at this point, so
     * a broker that does not acknowledge within {@code policy.events.publish-timeout} is logged, not
     * reported to the admin as a failed change; other replicas and caches still converge through the
     * periodic snapshot reload and {@code GetPolicyVersion}.
     */
    private Uni<Void> afterCommit(PolicyEvent event) {
        return decisions.refresh()
                .onFailure().invoke(e -> LOG.warnf("Snapshot reload after change %s failed: %s", event.key(), e.getMessage()))
                .onFailure().recoverWithNull()
                .chain(() -> publisher.publish(event))
                .ifNoItem().after(config.events().publishTimeout()).fail()
                .onFailure().invoke(e -> LOG.errorf("Policy event for %s (version %d) not acknowledged by the broker: %s",
                        event.key(), event.policyVersion(), e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    /** No policy or toolkit with that id. */
    public static final class RecordNotFoundException extends RuntimeException {
        public RecordNotFoundException(String kind, UUID id) {
            super("No " + kind + " with id " + id + ".");
        }
    }

    /** A name is already taken in that scope. */
    public static final class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }
}
