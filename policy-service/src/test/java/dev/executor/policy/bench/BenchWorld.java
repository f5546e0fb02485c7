package dev.executor.policy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import dev.executor.policy.ApprovalMode;
import dev.executor.policy.Placement.ConnectionPlacement;
import dev.executor.policy.Placement.SourcePlacement;
import dev.executor.policy.Policy;
import dev.executor.policy.Policy.AttachedKind;
import dev.executor.policy.Scope;
import dev.executor.policy.ScopeChain;
import dev.executor.policy.Toolkit;
import dev.executor.policy.Verdict;
import dev.executor.policy.service.PolicyState;

/**
 * The benchmark's world: 100 sources × 100 tools = 10,000 tool addresses reachable through one
 * connection each, and 1,000 policies spread over the caller's chain and over scopes outside it
 * (other users and orgs), on sources and connections, half of them narrowed by tool globs.
 * Deterministic (fixed seed).
 */
public final class BenchWorld {

    public static final int SOURCES = 100;
    public static final int TOOLS_PER_SOURCE = 100;
    public static final int POLICIES = 1_000;
    public static final ScopeChain CHAIN = ScopeChain.of(Scope.org("acme"), Scope.workspace("payments"), Scope.user("alice"));
    static final String[] VERBS = {"list", "get", "create", "update", "delete"};
    static final Verdict[] VERDICTS = Verdict.values();

    public final List<SourcePlacement> sources = new ArrayList<>();
    public final List<ConnectionPlacement> connections = new ArrayList<>();
    public final List<Policy> policies = new ArrayList<>();
    public final List<Toolkit> toolkits = new ArrayList<>();
    public final List<String> addresses = new ArrayList<>();

    public BenchWorld() {
        Random random = new Random(42);
        List<Scope> scopes = List.of(Scope.org("acme"), Scope.workspace("payments"), Scope.user("alice"),
                Scope.workspace("risk"), Scope.user("bob"), Scope.org("globex"));
        for (int s = 0; s < SOURCES; s++) {
            String name = "src" + s;
            Scope placed = s % 3 == 0 ? Scope.workspace("payments") : Scope.org("acme");
            sources.add(new SourcePlacement("id-" + name, name, "openapi", placed));
            connections.add(new ConnectionPlacement("conn-" + name, "id-" + name, name, "work", Scope.org("acme")));
            for (int t = 0; t < TOOLS_PER_SOURCE; t++) {
                addresses.add(name + ".acme.work." + tool(t));
            }
        }
        for (int p = 0; p < POLICIES; p++) {
            int s = random.nextInt(SOURCES);
            Scope scope = scopes.get(random.nextInt(scopes.size()));
            boolean connection = random.nextInt(4) == 0;
            String attached = connection ? "src" + s + ".acme.work" : (random.nextBoolean() ? "src" + s : "id-src" + s);
            String glob = random.nextBoolean() ? VERBS[random.nextInt(VERBS.length)] + "_*" : null;
            policies.add(new Policy(UUID.randomUUID(), scope, connection ? AttachedKind.CONNECTION : AttachedKind.SOURCE,
                    attached, glob, VERDICTS[random.nextInt(VERDICTS.length)],
                    random.nextInt(10) == 0 ? ApprovalMode.LEDGER_ONLY : ApprovalMode.ANY, p + 1));
        }
        toolkits.add(new Toolkit(UUID.randomUUID(), Scope.org("acme"), "triage",
                List.of("src1*.*.*.get_*", "*.acme.work.list_*", "src5.*.*.*"), 1));
    }

    static String tool(int t) {
        return VERBS[t % VERBS.length] + "_" + t;
    }

    public PolicyState state() {
        return new PolicyState(POLICIES, policies, toolkits, sources, connections);
    }
}
