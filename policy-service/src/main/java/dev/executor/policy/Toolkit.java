package dev.executor.policy;

import java.util.List;
import java.util.UUID;

/**
 * Pure curation: a named set of tools placed in a scope. Its predicate is a list of address globs
 * ({@code github.*.*.issues_*}); an address is in the toolkit when any glob matches it. A toolkit
 * decides visibility only and carries no verdict; putting one in force only ever narrows.
 *
 * @param id           the toolkit's id
 * @param scope        scope it is placed in
 * @param name         name, as in {@code /mcp/toolkits/{name}}; unique per scope
 * @param addressGlobs the predicate; each glob has four dot-separated segments matched segment by segment
 * @param version      the policy version at the record's last change
 */
public record Toolkit(UUID id, Scope scope, String name, List<String> addressGlobs, long version) {

    public Toolkit {
        addressGlobs = List.copyOf(addressGlobs);
    }
}
