package dev.executor.policy;

import java.util.List;

/**
 * The answer to "may this principal call this tool?", with everything needed to explain it.
 *
 * @param visible       whether the tool is visible in the caller's chain under the toolkit; false implies BLOCK
 * @param verdict       the merged verdict
 * @param reason        empty for ALLOW; NOT_VISIBLE / TOOL_UNREVIEWED / TOOL_RETIRED when hidden, else
 *                      POLICY_BLOCKED or APPROVAL_REQUIRED
 * @param rules         the rules that produced the verdict, outer scope first
 * @param policyVersion the policy version the decision was computed at
 * @param approvalMode  who may approve; null unless the verdict is REQUIRE_APPROVAL
 */
public record Decision(boolean visible, Verdict verdict, String reason, List<MatchedRule> rules, long policyVersion,
        ApprovalMode approvalMode) {

    public Decision {
        rules = List.copyOf(rules);
    }

    /** Which kind of record a matched rule comes from. */
    public enum RecordKind {
        SOURCE, CONNECTION, PLUGIN_DEFAULT, TOOLKIT
    }

    /**
     * One rule that contributed to a decision.
     *
     * @param scope       scope of the rule's record
     * @param kind        record kind
     * @param recordId    source / connection / toolkit id, or the source kind for plugin defaults
     * @param ruleId      the policy id, the toolkit id, or {@code default:<side-effect>}
     * @param verdict     the rule's verdict (BLOCK for a visibility refusal)
     * @param explanation why it matched, for a person
     */
    public record MatchedRule(Scope scope, RecordKind kind, String recordId, String ruleId, Verdict verdict,
            String explanation) {
    }

    /**
     * Whether an address is visible, and if not why: the one answer both {@code FilterVisible} and
     * {@code Decide} give, so a tool hidden from search is refused by execute with the same reason.
     *
     * @param visible whether it is visible
     * @param reason  empty when visible, else NOT_VISIBLE, TOOL_UNREVIEWED or TOOL_RETIRED
     * @param rules   the refusing rule when hidden
     */
    public record Visibility(boolean visible, String reason, List<MatchedRule> rules) {

        public Visibility {
            rules = List.copyOf(rules);
        }
    }
}
