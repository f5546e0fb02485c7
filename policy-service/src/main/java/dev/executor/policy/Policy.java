package dev.executor.policy;

import java.util.Locale;
import java.util.UUID;

/**
 * A verdict attached to a source or connection record, placed in one scope and optionally narrowed
 * to the tools whose name matches {@code toolGlob}.
 *
 * @param id           the policy's id; also the rule id in explanations
 * @param scope        scope the policy is placed in; it only applies to callers whose chain holds it
 * @param attachedKind source or connection
 * @param attachedId   the source's id or name, or the connection's id or {@code <source>.<scope>.<name>}
 * @param toolGlob     glob over tool names ({@code *} any run of characters, {@code ?} one); null for every tool
 * @param verdict      allow, require_approval or block
 * @param approvalMode who may approve when the verdict is require_approval
 * @param version      the policy version at the record's last change
 */
public record Policy(UUID id, Scope scope, AttachedKind attachedKind, String attachedId, String toolGlob, Verdict verdict,
        ApprovalMode approvalMode, long version) {

    /** The kind of record a policy is attached to. */
    public enum AttachedKind {
        SOURCE, CONNECTION;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static AttachedKind fromWire(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }
}
