package dev.executor.policy.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.executor.contracts.ErrorReasons;
import dev.executor.policy.Address;
import dev.executor.policy.ApprovalMode;
import dev.executor.policy.Decision;
import dev.executor.policy.Decision.MatchedRule;
import dev.executor.policy.Decision.RecordKind;
import dev.executor.policy.Decision.Visibility;
import dev.executor.policy.Placement.ConnectionPlacement;
import dev.executor.policy.Placement.SourcePlacement;
import dev.executor.policy.Policy;
import dev.executor.policy.Policy.AttachedKind;
import dev.executor.policy.Scope;
import dev.executor.policy.ScopeChain;
import dev.executor.policy.ToolFacts;
import dev.executor.policy.ToolFacts.ReviewState;
import dev.executor.policy.ToolFacts.SideEffect;
import dev.executor.policy.Toolkit;
import dev.executor.policy.Verdict;

/**
 * The merge rules of DESIGN.md §1, implemented once. Pure: no I/O, no clock, no CDI. An instance is
 * an immutable, indexed view of one {@link PolicyState}; build a new one when the state changes.
 * Thread-safe; every method is allocation-light and never blocks.
 *
 * <h2>Visibility ({@link #visibility})</h2>
 * An address {@code <source>.<scope>.<connection>.<tool>} is visible to a chain iff, in this order:
 * <ol>
 *   <li>a connection {@code (<source>, <scope>, <connection>)} is placed in a scope of the chain
 *       (the {@code <scope>} segment names the connection's scope), and</li>
 *   <li>its source is placed in a scope of the chain — visibility is the <b>union</b> of the records
 *       placed in any scope of the chain; otherwise {@code NOT_VISIBLE};</li>
 *   <li>when a toolkit is in force, every toolkit of that name placed in the chain admits the
 *       address (toolkits only ever <b>intersect</b>; a toolkit name not placed in the chain admits
 *       nothing); otherwise {@code NOT_VISIBLE};</li>
 *   <li>the tool is not unreviewed ({@code TOOL_UNREVIEWED}) nor retired ({@code TOOL_RETIRED}).</li>
 * </ol>
 *
 * <h2>Verdict ({@link #decide})</h2>
 * A hidden tool is refused: {@code visible=false}, {@code BLOCK}, with the reason {@link #visibility}
 * gives, so {@code execute} refuses a tool hidden from {@code search} with the same decision.
 * Otherwise:
 * <ol>
 *   <li><b>Per scope</b> of the chain, outer → inner, the policies placed in that scope and attached
 *       to the address' connection (by id or {@code <source>.<scope>.<name>}) or source (by id or
 *       name), whose tool glob (if any) matches the tool name, are collected. If any connection
 *       policy matches, the source policies of that scope are ignored (connection overrides
 *       source). Among the remaining ones the most restrictive wins.</li>
 *   <li><b>Across scopes</b> the most restrictive per-scope verdict wins (deny-union): an outer
 *       verdict can never be weakened by an inner scope, and an inner scope may tighten it
 *       ({@code BLOCK > REQUIRE_APPROVAL > ALLOW}).</li>
 *   <li><b>Plugin defaults</b> from the manifest facts apply only when no explicit policy matched in
 *       any scope: {@code destructive} and {@code write} → {@code REQUIRE_APPROVAL}, {@code read} →
 *       {@code ALLOW}, unknown → {@code REQUIRE_APPROVAL}. Any explicit policy therefore overrides
 *       the default, including an admin's {@code allow} over a mis-flagged destructive tool.</li>
 *   <li>The approval mode is {@code LEDGER_ONLY} if any contributing {@code require_approval} rule
 *       asks for it (the stricter mode wins), else {@code ANY}.</li>
 * </ol>
 * Policies and toolkits placed in scopes outside the chain never apply.
 */
public final class PolicyEngine {

    private static final String NO_TOOLKIT_RULE = "toolkit:not-in-chain";

    private final long version;
    private final Map<String, List<ConnectionPlacement>> connectionsByKey = new HashMap<>();
    private final Map<String, SourcePlacement> sourcesById = new HashMap<>();
    private final Map<String, List<SourcePlacement>> sourcesByName = new HashMap<>();
    /** scope → attached id (id or name) → policies. */
    private final Map<Scope, Map<String, List<CompiledPolicy>>> sourcePolicies = new HashMap<>();
    private final Map<Scope, Map<String, List<CompiledPolicy>>> connectionPolicies = new HashMap<>();
    private final Map<String, List<CompiledToolkit>> toolkitsByName = new HashMap<>();

    private record CompiledPolicy(Policy policy, Glob glob) {

        boolean matchesTool(String tool) {
            return glob == null || glob.matches(tool);
        }
    }

    private record CompiledToolkit(Toolkit toolkit, List<Glob> globs) {

        boolean admits(String address) {
            for (Glob glob : globs) {
                if (glob.matches(address)) {
                    return true;
                }
            }
            return false;
        }
    }

    private record Target(SourcePlacement source, ConnectionPlacement connection) {
    }

    private PolicyEngine(PolicyState state) {
        this.version = state.version();
        for (ConnectionPlacement c : state.connections()) {
            connectionsByKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
        }
        for (SourcePlacement s : state.sources()) {
            sourcesById.put(s.sourceId(), s);
            sourcesByName.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
        }
        for (Policy p : state.policies()) {
            var index = p.attachedKind() == AttachedKind.CONNECTION ? connectionPolicies : sourcePolicies;
            Glob glob = p.toolGlob() == null || p.toolGlob().isBlank() ? null : Glob.tool(p.toolGlob());
            index.computeIfAbsent(p.scope(), k -> new HashMap<>())
                    .computeIfAbsent(p.attachedId(), k -> new ArrayList<>())
                    .add(new CompiledPolicy(p, glob));
        }
        for (Toolkit t : state.toolkits()) {
            toolkitsByName.computeIfAbsent(t.name(), k -> new ArrayList<>())
                    .add(new CompiledToolkit(t, t.addressGlobs().stream().map(Glob::address).toList()));
        }
    }

    /**
     * Indexes {@code state}.
     *
     * @throws IllegalArgumentException when a stored glob is malformed (the admin API refuses those)
     */
    public static PolicyEngine build(PolicyState state) {
        return new PolicyEngine(Objects.requireNonNull(state, "state"));
    }

    /** The policy version this engine decides at. */
    public long version() {
        return version;
    }

    /**
     * Whether {@code address} is visible to {@code chain} under {@code toolkit}.
     *
     * @param toolkit the toolkit name in force; null or blank for none
     * @param review  the tool's review state; {@link ReviewState#UNKNOWN} when the caller does not know it
     */
    public Visibility visibility(ScopeChain chain, String toolkit, Address address, ReviewState review) {
        Object resolved = resolve(chain, toolkit, address, review);
        return resolved instanceof Visibility hidden ? hidden : new Visibility(true, "", List.of());
    }

    /**
     * What search may show (DESIGN §3 rule 4, and "a blocked tool is neither found nor executable"):
     * the {@link #visibility} of {@code address}, and hidden with {@code POLICY_BLOCKED} when the
     * policy verdict for it is {@code block}. Plugin defaults never block, so the verdict does not
     * depend on the side effect, which the caller need not know.
     */
    public Visibility searchVisibility(ScopeChain chain, String toolkit, Address address, ReviewState review) {
        Visibility visibility = visibility(chain, toolkit, address, review);
        if (!visibility.visible()) {
            return visibility;
        }
        Decision decision = decide(chain, toolkit, address, new ToolFacts(ToolFacts.SideEffect.UNKNOWN, review));
        return decision.verdict() == Verdict.BLOCK ? new Visibility(false, ErrorReasons.POLICY_BLOCKED, decision.rules()) : visibility;
    }

    /** The verdict for calling {@code address} as {@code chain} under {@code toolkit}; see the class comment. */
    public Decision decide(ScopeChain chain, String toolkit, Address address, ToolFacts facts) {
        Object resolved = resolve(chain, toolkit, address, facts.reviewState());
        if (resolved instanceof Visibility hidden) {
            return new Decision(false, Verdict.BLOCK, hidden.reason(), hidden.rules(), version, null);
        }
        Target target = (Target) resolved;
        String tool = address.tool();
        List<String> sourceKeys = keys(target.source().sourceId(), target.source().name());
        List<String> connectionKeys = keys(target.connection().connectionId(), target.connection().key());

        Verdict verdict = null;
        List<MatchedRule> rules = new ArrayList<>();
        List<Policy> contributing = new ArrayList<>();
        for (Scope scope : chain.scopes()) {
            Set<Policy> connection = matching(connectionPolicies.get(scope), connectionKeys, tool);
            Set<Policy> source = matching(sourcePolicies.get(scope), sourceKeys, tool);
            Set<Policy> level = connection.isEmpty() ? source : connection;
            if (level.isEmpty()) {
                continue;
            }
            Verdict scopeVerdict = Verdict.ALLOW;
            for (Policy p : level) {
                scopeVerdict = scopeVerdict.tighten(p.verdict());
            }
            verdict = verdict == null ? scopeVerdict : verdict.tighten(scopeVerdict);
            for (Policy p : level) {
                if (p.verdict() == scopeVerdict) {
                    contributing.add(p);
                    rules.add(explain(p, address, !connection.isEmpty() && !source.isEmpty()));
                }
            }
        }

        if (verdict == null) {
            SideEffect effect = facts.sideEffect() == null ? SideEffect.UNKNOWN : facts.sideEffect();
            verdict = effect == SideEffect.READ ? Verdict.ALLOW : Verdict.REQUIRE_APPROVAL;
            String kind = target.source().kind() == null ? "manifest" : target.source().kind();
            rules.add(new MatchedRule(target.source().scope(), RecordKind.PLUGIN_DEFAULT, kind,
                    "default:" + effect.name().toLowerCase(java.util.Locale.ROOT), verdict, pluginDefaultExplanation(effect)));
            return new Decision(true, verdict, reasonFor(verdict), rules, version,
                    verdict == Verdict.REQUIRE_APPROVAL ? ApprovalMode.ANY : null);
        }
        ApprovalMode mode = null;
        if (verdict == Verdict.REQUIRE_APPROVAL) {
            mode = ApprovalMode.ANY;
            for (Policy p : contributing) {
                if (p.verdict() == Verdict.REQUIRE_APPROVAL && p.approvalMode() == ApprovalMode.LEDGER_ONLY) {
                    mode = ApprovalMode.LEDGER_ONLY;
                }
            }
        }
        return new Decision(true, verdict, reasonFor(verdict), rules, version, mode);
    }

    /** Either a hidden {@link Visibility} or the {@link Target} the address resolves to. */
    private Object resolve(ScopeChain chain, String toolkit, Address address, ReviewState review) {
        ConnectionPlacement connection = null;
        for (ConnectionPlacement c : connectionsByKey.getOrDefault(address.connectionKey(), List.of())) {
            if (chain.contains(c.scope())) {
                connection = c;
                break;
            }
        }
        if (connection == null) {
            return hidden(ErrorReasons.NOT_VISIBLE, null, RecordKind.CONNECTION, address.connectionKey(), "placement",
                    "No connection '" + address.connectionKey() + "' is placed in your scope chain (" + chain + ").");
        }
        SourcePlacement source = sourceOf(connection, chain);
        if (source == null) {
            return hidden(ErrorReasons.NOT_VISIBLE, null, RecordKind.SOURCE, address.source(), "placement",
                    "Source '" + address.source() + "' is not placed in your scope chain (" + chain + ").");
        }
        if (toolkit != null && !toolkit.isBlank()) {
            boolean inChain = false;
            for (CompiledToolkit t : toolkitsByName.getOrDefault(toolkit, List.of())) {
                if (!chain.contains(t.toolkit().scope())) {
                    continue;
                }
                inChain = true;
                if (!t.admits(address.toString())) {
                    return hidden(ErrorReasons.NOT_VISIBLE, t.toolkit().scope(), RecordKind.TOOLKIT,
                            t.toolkit().id().toString(), t.toolkit().id().toString(),
                            "'" + address + "' is not in toolkit '" + toolkit + "' (" + t.toolkit().scope() + ").");
                }
            }
            if (!inChain) {
                return hidden(ErrorReasons.NOT_VISIBLE, null, RecordKind.TOOLKIT, toolkit, NO_TOOLKIT_RULE,
                        "No toolkit '" + toolkit + "' is placed in your scope chain (" + chain + "), so it admits nothing.");
            }
        }
        if (review == ReviewState.UNREVIEWED) {
            return hidden(ErrorReasons.TOOL_UNREVIEWED, source.scope(), RecordKind.SOURCE, source.sourceId(), "review",
                    "'" + address + "' was added by a re-import and an admin has not accepted it yet.");
        }
        if (review == ReviewState.RETIRED) {
            return hidden(ErrorReasons.TOOL_RETIRED, source.scope(), RecordKind.SOURCE, source.sourceId(), "review",
                    "'" + address + "' no longer exists in its source's current manifest.");
        }
        return new Target(source, connection);
    }

    private SourcePlacement sourceOf(ConnectionPlacement connection, ScopeChain chain) {
        if (connection.sourceId() != null) {
            SourcePlacement byId = sourcesById.get(connection.sourceId());
            return byId != null && chain.contains(byId.scope()) ? byId : null;
        }
        for (SourcePlacement s : sourcesByName.getOrDefault(connection.sourceName(), List.of())) {
            if (chain.contains(s.scope())) {
                return s;
            }
        }
        return null;
    }

    private static Visibility hidden(String reason, Scope scope, RecordKind kind, String recordId, String ruleId,
            String explanation) {
        return new Visibility(false, reason, List.of(new MatchedRule(scope, kind, recordId, ruleId, Verdict.BLOCK, explanation)));
    }

    private static List<String> keys(String id, String name) {
        if (id == null || id.equals(name)) {
            return List.of(name);
        }
        return List.of(id, name);
    }

    private static Set<Policy> matching(Map<String, List<CompiledPolicy>> byRecord, List<String> keys, String tool) {
        if (byRecord == null) {
            return Set.of();
        }
        Set<Policy> found = null;
        for (String key : keys) {
            List<CompiledPolicy> candidates = byRecord.get(key);
            if (candidates == null) {
                continue;
            }
            for (CompiledPolicy c : candidates) {
                if (c.matchesTool(tool)) {
                    if (found == null) {
                        found = new LinkedHashSet<>();
                    }
                    found.add(c.policy());
                }
            }
        }
        return found == null ? Set.of() : found;
    }

    private static MatchedRule explain(Policy p, Address address, boolean overridesSource) {
        boolean connection = p.attachedKind() == AttachedKind.CONNECTION;
        String record = connection ? "connection '" + p.attachedId() + "'" : "source '" + p.attachedId() + "'";
        String tools = p.toolGlob() == null || p.toolGlob().isBlank() ? "every tool"
                : "tools matching '" + p.toolGlob() + "'";
        String text = "Policy on " + record + " in " + p.scope() + ": " + p.verdict().wire() + " for " + tools
                + (overridesSource ? " (a connection policy overrides source policies in its scope)" : "") + ".";
        return new MatchedRule(p.scope(), connection ? RecordKind.CONNECTION : RecordKind.SOURCE, p.attachedId(),
                p.id().toString(), p.verdict(), text);
    }

    private static String pluginDefaultExplanation(SideEffect effect) {
        return switch (effect) {
            case READ -> "No explicit policy matched in your scope chain; read tools are allowed (plugin default).";
            case WRITE -> "No explicit policy matched in your scope chain; write tools need approval (plugin default).";
            case DESTRUCTIVE -> "No explicit policy matched in your scope chain; destructive tools need approval (plugin default).";
            case UNKNOWN -> "No explicit policy matched in your scope chain and the tool's side effect is unknown; it needs approval (plugin default).";
        };
    }

    private static String reasonFor(Verdict verdict) {
        return switch (verdict) {
            case ALLOW -> "";
            case REQUIRE_APPROVAL -> ErrorReasons.APPROVAL_REQUIRED;
            case BLOCK -> ErrorReasons.POLICY_BLOCKED;
        };
    }
}
