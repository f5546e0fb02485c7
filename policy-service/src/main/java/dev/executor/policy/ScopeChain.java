package dev.executor.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A principal's scopes, ordered outer → inner: {@code org:acme → workspace:payments → user:alice}.
 *
 * <p>Derived from the token's claims by {@link #fromClaims}: {@code executor_org} (a string) gives
 * {@code org:<id>}; each entry of {@code executor_workspaces} (an array, in claim order) gives
 * {@code workspace:<id>}; {@code preferred_username} gives {@code user:<name>}. A token without
 * the org and workspace claims therefore gets its user scope only, and a token without a username
 * gets an empty chain, which sees nothing. Several workspaces sit at the same depth; their order
 * only affects the order of explanations, never a verdict (see {@code docs/adr/0005-policy-merge.md}).
 *
 * @param scopes outer → inner, without duplicates
 */
public record ScopeChain(List<Scope> scopes) {

    public ScopeChain {
        scopes = List.copyOf(new LinkedHashSet<>(scopes));
    }

    public static ScopeChain of(Scope... scopes) {
        return new ScopeChain(List.of(scopes));
    }

    /**
     * The chain of a token's claims. Blank or malformed values (e.g. an id with a dot) are skipped
     * rather than failing the caller: a missing scope can only narrow what the caller sees.
     */
    public static ScopeChain fromClaims(String org, List<String> workspaces, String username) {
        List<Scope> chain = new ArrayList<>();
        addIfValid(chain, Scope.ORG, org);
        if (workspaces != null) {
            workspaces.forEach(w -> addIfValid(chain, Scope.WORKSPACE, w));
        }
        addIfValid(chain, Scope.USER, username);
        return new ScopeChain(chain);
    }

    private static void addIfValid(List<Scope> chain, String kind, String id) {
        if (id == null || id.isBlank()) {
            return;
        }
        try {
            chain.add(new Scope(kind, id.strip()));
        } catch (IllegalArgumentException e) {
            // not representable as an address segment: such a scope cannot hold any record a caller could address
        }
    }

    public boolean contains(Scope scope) {
        return scopes.contains(scope);
    }

    public boolean isEmpty() {
        return scopes.isEmpty();
    }

    @Override
    public String toString() {
        return String.join(" → ", scopes.stream().map(Scope::toString).toList());
    }
}
