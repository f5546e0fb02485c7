package dev.executor.policy.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.executor.policy.Address;
import dev.executor.policy.ApprovalMode;
import dev.executor.policy.Decision;
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
 * The merge rules of DESIGN.md §1, one named case per rule. Every case runs through
 * {@link PolicyEngine#decide}; every case also checks that {@link PolicyEngine#visibility} (what
 * FilterVisible / search uses) gives the same visibility and reason as Decide.
 *
 * <p>World: org {@code acme} → workspace {@code payments} → user {@code alice}. Source {@code github}
 * (id {@code src-gh}) and its connection {@code work} (id {@code conn-work}) live in {@code org:acme};
 * alice's own connection {@code personal} to it lives in {@code user:alice}; source {@code jira}
 * lives in {@code workspace:payments} with connection {@code team} in {@code org:acme}; org
 * {@code globex} has its own {@code github} source and connection.
 */
class PolicyEngineTest {

    static final Scope ACME = Scope.org("acme");
    static final Scope PAYMENTS = Scope.workspace("payments");
    static final Scope ALICE = Scope.user("alice");
    static final Scope GLOBEX = Scope.org("globex");
    static final Scope BOB = Scope.user("bob");
    static final ScopeChain CHAIN = ScopeChain.of(ACME, PAYMENTS, ALICE);

    static final List<SourcePlacement> SOURCES = List.of(
            new SourcePlacement("src-gh", "github", "openapi", ACME),
            new SourcePlacement("src-jira", "jira", "openapi", PAYMENTS),
            new SourcePlacement("src-gh-globex", "github", "openapi", GLOBEX),
            new SourcePlacement("src-bob", "notes", "mcp", BOB));
    static final List<ConnectionPlacement> CONNECTIONS = List.of(
            new ConnectionPlacement("conn-work", "src-gh", "github", "work", ACME),
            new ConnectionPlacement("conn-personal", "src-gh", "github", "personal", ALICE),
            new ConnectionPlacement("conn-team", "src-jira", "jira", "team", ACME),
            new ConnectionPlacement("conn-globex", "src-gh-globex", "github", "work", GLOBEX),
            new ConnectionPlacement("conn-bob-notes", "src-bob", "notes", "main", ALICE));

    static final ToolFacts READ = ToolFacts.of(SideEffect.READ);
    static final ToolFacts WRITE = ToolFacts.of(SideEffect.WRITE);
    static final ToolFacts DESTRUCTIVE = ToolFacts.of(SideEffect.DESTRUCTIVE);

    /** One row of the table. */
    record Case(List<Policy> policies, List<Toolkit> toolkits, ScopeChain chain, String toolkit, String address,
            ToolFacts facts, boolean visible, Verdict verdict, String reason, RecordKind decidingKind,
            ApprovalMode approvalMode) {
    }

    static Case given(Policy... policies) {
        return new Case(List.of(policies), List.of(), CHAIN, null, null, null, true, null, "", null, null);
    }

    static Case givenToolkits(Toolkit... toolkits) {
        return new Case(List.of(), List.of(toolkits), CHAIN, null, null, null, true, null, "", null, null);
    }

    static Case with(Case c, List<Policy> policies) {
        return new Case(policies, c.toolkits, c.chain, c.toolkit, c.address, c.facts, c.visible, c.verdict, c.reason,
                c.decidingKind, c.approvalMode);
    }

    static Case as(Case c, ScopeChain chain, String toolkit) {
        return new Case(c.policies, c.toolkits, chain, toolkit, c.address, c.facts, c.visible, c.verdict, c.reason,
                c.decidingKind, c.approvalMode);
    }

    static Case call(Case c, String address, ToolFacts facts) {
        return new Case(c.policies, c.toolkits, c.chain, c.toolkit, address, facts, c.visible, c.verdict, c.reason,
                c.decidingKind, c.approvalMode);
    }

    static Case expect(Case c, Verdict verdict, RecordKind decidingKind) {
        String reason = switch (verdict) {
            case ALLOW -> "";
            case REQUIRE_APPROVAL -> "APPROVAL_REQUIRED";
            case BLOCK -> "POLICY_BLOCKED";
        };
        return new Case(c.policies, c.toolkits, c.chain, c.toolkit, c.address, c.facts, true, verdict, reason,
                decidingKind, verdict == Verdict.REQUIRE_APPROVAL ? ApprovalMode.ANY : null);
    }

    static Case expectApproval(Case c, ApprovalMode mode) {
        return new Case(c.policies, c.toolkits, c.chain, c.toolkit, c.address, c.facts, true, Verdict.REQUIRE_APPROVAL,
                "APPROVAL_REQUIRED", RecordKind.SOURCE, mode);
    }

    static Case expectHidden(Case c, String reason, RecordKind refusingKind) {
        return new Case(c.policies, c.toolkits, c.chain, c.toolkit, c.address, c.facts, false, Verdict.BLOCK, reason,
                refusingKind, null);
    }

    static Policy source(Scope scope, String sourceIdOrName, Verdict verdict) {
        return policy(scope, AttachedKind.SOURCE, sourceIdOrName, null, verdict, ApprovalMode.ANY);
    }

    static Policy sourceGlob(Scope scope, String sourceIdOrName, String glob, Verdict verdict) {
        return policy(scope, AttachedKind.SOURCE, sourceIdOrName, glob, verdict, ApprovalMode.ANY);
    }

    static Policy connection(Scope scope, String connectionIdOrKey, Verdict verdict) {
        return policy(scope, AttachedKind.CONNECTION, connectionIdOrKey, null, verdict, ApprovalMode.ANY);
    }

    static Policy policy(Scope scope, AttachedKind kind, String attachedId, String glob, Verdict verdict, ApprovalMode mode) {
        return new Policy(UUID.randomUUID(), scope, kind, attachedId, glob, verdict, mode, 1);
    }

    static Toolkit toolkit(Scope scope, String name, String... globs) {
        return new Toolkit(UUID.randomUUID(), scope, name, List.of(globs), 1);
    }

    static final String WORK_CREATE = "github.acme.work.issues_create";
    static final String WORK_DELETE = "github.acme.work.repos_delete";
    static final String PERSONAL_CREATE = "github.alice.personal.issues_create";
    static final String JIRA_SEARCH = "jira.acme.team.search";

    static Stream<Arguments> cases() {
        List<Arguments> rows = new ArrayList<>();
        // --- plugin defaults: only where no explicit policy matched
        rows.add(row("read tool without policies is allowed by the plugin default",
                expect(call(given(), WORK_CREATE, READ), Verdict.ALLOW, RecordKind.PLUGIN_DEFAULT)));
        rows.add(row("write tool without policies needs approval by the plugin default",
                expect(call(given(), WORK_CREATE, WRITE), Verdict.REQUIRE_APPROVAL, RecordKind.PLUGIN_DEFAULT)));
        rows.add(row("destructive tool without policies needs approval by the plugin default",
                expect(call(given(), WORK_DELETE, DESTRUCTIVE), Verdict.REQUIRE_APPROVAL, RecordKind.PLUGIN_DEFAULT)));
        rows.add(row("tool with an unknown side effect needs approval by the plugin default",
                expect(call(given(), WORK_CREATE, ToolFacts.of(SideEffect.UNKNOWN)), Verdict.REQUIRE_APPROVAL,
                        RecordKind.PLUGIN_DEFAULT)));
        rows.add(row("admin allow overrides a mis-flagged destructive plugin default",
                expect(call(given(source(ACME, "github", Verdict.ALLOW)), WORK_DELETE, DESTRUCTIVE), Verdict.ALLOW,
                        RecordKind.SOURCE)));
        rows.add(row("explicit block overrides a read plugin default",
                expect(call(given(source(ACME, "src-gh", Verdict.BLOCK)), WORK_CREATE, READ), Verdict.BLOCK,
                        RecordKind.SOURCE)));
        rows.add(row("explicit allow in an inner scope overrides the plugin default when outer scopes say nothing",
                expect(call(given(source(ALICE, "github", Verdict.ALLOW)), WORK_DELETE, DESTRUCTIVE), Verdict.ALLOW,
                        RecordKind.SOURCE)));

        // --- deny-union across scopes, outer wins
        rows.add(row("outer block is not weakened by an inner allow",
                expect(call(given(source(ACME, "github", Verdict.BLOCK), source(ALICE, "github", Verdict.ALLOW)),
                        WORK_CREATE, READ), Verdict.BLOCK, RecordKind.SOURCE)));
        rows.add(row("outer block is not weakened by an inner connection allow",
                expect(call(given(source(ACME, "github", Verdict.BLOCK), connection(ALICE, "conn-work", Verdict.ALLOW)),
                        WORK_CREATE, READ), Verdict.BLOCK, RecordKind.SOURCE)));
        rows.add(row("outer require_approval is not weakened by an inner allow",
                expect(call(given(source(ACME, "github", Verdict.REQUIRE_APPROVAL),
                        source(PAYMENTS, "github", Verdict.ALLOW)), WORK_CREATE, READ), Verdict.REQUIRE_APPROVAL,
                        RecordKind.SOURCE)));
        rows.add(row("inner scope tightens an outer allow to block",
                expect(call(given(source(ACME, "github", Verdict.ALLOW), source(PAYMENTS, "github", Verdict.BLOCK)),
                        WORK_CREATE, READ), Verdict.BLOCK, RecordKind.SOURCE)));
        rows.add(row("inner scope tightens an outer allow to require_approval",
                expect(call(given(source(ACME, "github", Verdict.ALLOW),
                        connection(ALICE, "github.acme.work", Verdict.REQUIRE_APPROVAL)), WORK_CREATE, READ),
                        Verdict.REQUIRE_APPROVAL, RecordKind.CONNECTION)));
        rows.add(row("policies placed outside the caller's chain never apply",
                expect(call(given(source(GLOBEX, "github", Verdict.BLOCK), source(BOB, "src-gh", Verdict.BLOCK)),
                        WORK_CREATE, READ), Verdict.ALLOW, RecordKind.PLUGIN_DEFAULT)));

        // --- connection overrides source within a scope
        rows.add(row("connection allow beats source block in the same scope",
                expect(call(given(source(ACME, "github", Verdict.BLOCK), connection(ACME, "conn-work", Verdict.ALLOW)),
                        WORK_CREATE, READ), Verdict.ALLOW, RecordKind.CONNECTION)));
        rows.add(row("connection require_approval beats source allow in the same scope",
                expect(call(given(source(ACME, "github", Verdict.ALLOW),
                        connection(ACME, "github.acme.work", Verdict.REQUIRE_APPROVAL)), WORK_CREATE, READ),
                        Verdict.REQUIRE_APPROVAL, RecordKind.CONNECTION)));
        rows.add(row("connection override is per scope: an inner source block still tightens",
                expect(call(given(connection(ACME, "conn-work", Verdict.ALLOW), source(PAYMENTS, "github", Verdict.BLOCK)),
                        WORK_CREATE, READ), Verdict.BLOCK, RecordKind.SOURCE)));
        rows.add(row("a rule on another connection of the same source does not apply",
                expect(call(given(connection(ACME, "conn-personal", Verdict.BLOCK)), WORK_CREATE, READ), Verdict.ALLOW,
                        RecordKind.PLUGIN_DEFAULT)));

        // --- several policies at one level of one scope: most restrictive wins
        rows.add(row("two source policies in one scope: the most restrictive wins",
                expect(call(given(source(ACME, "github", Verdict.ALLOW), source(ACME, "src-gh", Verdict.REQUIRE_APPROVAL)),
                        WORK_CREATE, READ), Verdict.REQUIRE_APPROVAL, RecordKind.SOURCE)));
        rows.add(row("two connection policies in one scope: the most restrictive wins",
                expect(call(given(connection(ACME, "conn-work", Verdict.BLOCK),
                        connection(ACME, "github.acme.work", Verdict.ALLOW)), WORK_CREATE, READ), Verdict.BLOCK,
                        RecordKind.CONNECTION)));

        // --- tool globs narrow a policy
        rows.add(row("glob-narrowed block applies to a matching tool",
                expect(call(given(sourceGlob(ACME, "github", "repos_*", Verdict.BLOCK)), WORK_DELETE, DESTRUCTIVE),
                        Verdict.BLOCK, RecordKind.SOURCE)));
        rows.add(row("glob-narrowed block leaves a non-matching tool to the plugin default",
                expect(call(given(sourceGlob(ACME, "github", "repos_*", Verdict.BLOCK)), WORK_CREATE, READ),
                        Verdict.ALLOW, RecordKind.PLUGIN_DEFAULT)));
        rows.add(row("glob with ? matches exactly one character",
                expect(call(given(sourceGlob(ACME, "github", "issues_creat?", Verdict.BLOCK)), WORK_CREATE, READ),
                        Verdict.BLOCK, RecordKind.SOURCE)));
        rows.add(row("glob must match the whole tool name",
                expect(call(given(sourceGlob(ACME, "github", "issues", Verdict.BLOCK)), WORK_CREATE, READ),
                        Verdict.ALLOW, RecordKind.PLUGIN_DEFAULT)));
        rows.add(row("a non-matching connection glob does not override the source rule",
                expect(call(given(source(ACME, "github", Verdict.BLOCK),
                        policy(ACME, AttachedKind.CONNECTION, "conn-work", "repos_*", Verdict.ALLOW, ApprovalMode.ANY)),
                        WORK_CREATE, READ), Verdict.BLOCK, RecordKind.SOURCE)));

        // --- approval mode
        rows.add(row("ledger_only approval mode is carried from the deciding policy",
                expectApproval(call(given(policy(ACME, AttachedKind.SOURCE, "github", null, Verdict.REQUIRE_APPROVAL,
                        ApprovalMode.LEDGER_ONLY)), WORK_CREATE, READ), ApprovalMode.LEDGER_ONLY)));
        rows.add(row("the stricter ledger_only mode wins among require_approval rules",
                expectApproval(call(given(source(ACME, "github", Verdict.REQUIRE_APPROVAL),
                        policy(ALICE, AttachedKind.SOURCE, "github", null, Verdict.REQUIRE_APPROVAL, ApprovalMode.LEDGER_ONLY)),
                        WORK_CREATE, READ), ApprovalMode.LEDGER_ONLY)));

        // --- visibility: union over the chain
        rows.add(row("union: a connection in the user scope to a source in the org scope is visible",
                expect(call(given(), PERSONAL_CREATE, READ), Verdict.ALLOW, RecordKind.PLUGIN_DEFAULT)));
        rows.add(row("union: a source in the workspace scope with a connection in the org scope is visible",
                expect(call(given(), JIRA_SEARCH, READ), Verdict.ALLOW, RecordKind.PLUGIN_DEFAULT)));
        rows.add(row("a connection placed in another org is not visible",
                expectHidden(call(given(source(GLOBEX, "github", Verdict.ALLOW)), "github.globex.work.issues_create", READ),
                        "NOT_VISIBLE", RecordKind.CONNECTION)));
        rows.add(row("a connection whose source is placed outside the chain is not visible",
                expectHidden(call(given(), "notes.alice.main.read", READ), "NOT_VISIBLE", RecordKind.SOURCE)));
        rows.add(row("an unknown address is not visible",
                expectHidden(call(given(), "gitlab.acme.work.issues_create", READ), "NOT_VISIBLE", RecordKind.CONNECTION)));
        rows.add(row("a token without org or workspace claims sees only its user scope",
                expectHidden(as(call(given(), WORK_CREATE, READ), ScopeChain.of(ALICE), null), "NOT_VISIBLE",
                        RecordKind.CONNECTION)));
        rows.add(row("an explicit allow does not make a hidden tool visible",
                expectHidden(call(given(connection(ACME, "conn-globex", Verdict.ALLOW), source(ACME, "src-gh-globex", Verdict.ALLOW)),
                        "github.globex.work.issues_create", READ), "NOT_VISIBLE", RecordKind.CONNECTION)));

        // --- toolkits: intersection only
        Toolkit triage = toolkit(ACME, "triage", "github.*.*.issues_*");
        rows.add(row("toolkit admits a matching address",
                expect(call(as(givenToolkits(triage), CHAIN, "triage"), WORK_CREATE, READ), Verdict.ALLOW,
                        RecordKind.PLUGIN_DEFAULT)));
        rows.add(row("tool hidden by the toolkit is refused by Decide with NOT_VISIBLE even when allowed",
                expectHidden(call(as(with(givenToolkits(triage), List.of(source(ACME, "github", Verdict.ALLOW))), CHAIN, "triage"),
                        WORK_DELETE, DESTRUCTIVE), "NOT_VISIBLE", RecordKind.TOOLKIT)));
        rows.add(row("a toolkit only narrows: admitting everything does not reveal a tool outside the chain",
                expectHidden(call(as(givenToolkits(toolkit(ACME, "all", "*.*.*.*")), CHAIN, "all"),
                        "github.globex.work.issues_create", READ), "NOT_VISIBLE", RecordKind.CONNECTION)));
        rows.add(row("a toolkit admitting everything leaves the verdict unchanged",
                expect(call(as(with(givenToolkits(toolkit(ACME, "all", "*.*.*.*")), List.of(source(ACME, "github", Verdict.BLOCK))),
                        CHAIN, "all"), WORK_CREATE, READ), Verdict.BLOCK, RecordKind.SOURCE)));
        rows.add(row("toolkits of the same name in two scopes of the chain intersect",
                expectHidden(call(as(givenToolkits(toolkit(ACME, "triage", "github.*.*.*"),
                        toolkit(PAYMENTS, "triage", "*.*.*.issues_*")), CHAIN, "triage"), WORK_DELETE, READ),
                        "NOT_VISIBLE", RecordKind.TOOLKIT)));
        rows.add(row("toolkits of the same name in two scopes admit what both admit",
                expect(call(as(givenToolkits(toolkit(ACME, "triage", "github.*.*.*"),
                        toolkit(PAYMENTS, "triage", "*.*.*.issues_*")), CHAIN, "triage"), WORK_CREATE, READ),
                        Verdict.ALLOW, RecordKind.PLUGIN_DEFAULT)));
        rows.add(row("a toolkit name not placed in the chain admits nothing",
                expectHidden(call(as(givenToolkits(toolkit(GLOBEX, "triage", "*.*.*.*")), CHAIN, "triage"), WORK_CREATE, READ),
                        "NOT_VISIBLE", RecordKind.TOOLKIT)));
        rows.add(row("address glob segments never cross a dot",
                expectHidden(call(as(givenToolkits(toolkit(ACME, "gh", "github*.acme.work.*")), CHAIN, "gh"),
                        JIRA_SEARCH, READ), "NOT_VISIBLE", RecordKind.TOOLKIT)));
        rows.add(row("without a toolkit in force every visible tool stays visible",
                expect(call(givenToolkits(triage), WORK_DELETE, READ), Verdict.ALLOW, RecordKind.PLUGIN_DEFAULT)));

        // --- review state
        rows.add(row("an unreviewed tool is hidden with TOOL_UNREVIEWED even when allowed",
                expectHidden(call(given(source(ACME, "github", Verdict.ALLOW)), WORK_CREATE,
                        new ToolFacts(SideEffect.READ, ReviewState.UNREVIEWED)), "TOOL_UNREVIEWED", RecordKind.SOURCE)));
        rows.add(row("a retired tool is hidden with TOOL_RETIRED",
                expectHidden(call(given(), WORK_CREATE, new ToolFacts(SideEffect.READ, ReviewState.RETIRED)),
                        "TOOL_RETIRED", RecordKind.SOURCE)));
        return rows.stream();
    }

    static Arguments row(String name, Case c) {
        return Arguments.of(Named.of(name, c));
    }

    static PolicyEngine engine(Case c) {
        return PolicyEngine.build(new PolicyState(42, c.policies, c.toolkits, SOURCES, CONNECTIONS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesByTheMergeRules(Case c) {
        // Given
        PolicyEngine engine = engine(c);

        // When
        Decision decision = engine.decide(c.chain, c.toolkit, Address.parse(c.address), c.facts);

        // Then
        assertEquals(c.visible, decision.visible(), "visible");
        assertEquals(c.verdict, decision.verdict(), "verdict");
        assertEquals(c.reason, decision.reason(), "reason");
        assertEquals(c.approvalMode, decision.approvalMode(), "approval mode");
        assertEquals(42, decision.policyVersion(), "policy version");
        assertFalse(decision.rules().isEmpty(), "every decision names its rules");
        var deciding = decision.rules().stream().filter(r -> r.verdict() == decision.verdict()).toList();
        assertTrue(deciding.stream().anyMatch(r -> r.kind() == c.decidingKind),
                "a rule of kind " + c.decidingKind + " produced the verdict: " + decision.rules());
        assertTrue(decision.rules().stream().allMatch(r -> r.explanation() != null && !r.explanation().isBlank()),
                "every rule is explained");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filterVisibleAgreesWithDecide(Case c) {
        // Given
        PolicyEngine engine = engine(c);
        Address address = Address.parse(c.address);

        // When
        Visibility visibility = engine.visibility(c.chain, c.toolkit, address, c.facts.reviewState());
        Decision decision = engine.decide(c.chain, c.toolkit, address, c.facts);

        // Then
        assertEquals(decision.visible(), visibility.visible());
        assertEquals(decision.visible() ? "" : decision.reason(), visibility.reason());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void searchShowsExactlyWhatIsVisibleAndNotBlocked(Case c) {
        // Given
        PolicyEngine engine = engine(c);
        Address address = Address.parse(c.address);

        // When
        Visibility shown = engine.searchVisibility(c.chain, c.toolkit, address, c.facts.reviewState());
        Decision decision = engine.decide(c.chain, c.toolkit, address, c.facts);

        // Then: a tool execute would block is not found either, with the same reason
        assertEquals(decision.verdict() != Verdict.BLOCK, shown.visible());
        if (!shown.visible()) {
            assertEquals(decision.reason(), shown.reason());
        }
    }

    @Test
    void explainsWhichScopeAndRecordDecided() {
        // Given
        Policy outer = source(ACME, "github", Verdict.BLOCK);
        Policy inner = connection(ALICE, "conn-work", Verdict.ALLOW);
        PolicyEngine engine = engine(with(given(), List.of(outer, inner)));

        // When
        Decision decision = engine.decide(CHAIN, null, Address.parse(WORK_CREATE), READ);

        // Then: both scopes' rules are reported, outer first
        assertEquals(2, decision.rules().size());
        var first = decision.rules().get(0);
        assertEquals(ACME, first.scope());
        assertEquals(RecordKind.SOURCE, first.kind());
        assertEquals("github", first.recordId());
        assertEquals(outer.id().toString(), first.ruleId());
        assertEquals(ALICE, decision.rules().get(1).scope());
    }
}
