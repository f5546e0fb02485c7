package dev.executor.ledger;

import java.util.Set;

/**
 * Which Runs a caller may read. An admin reads every Run. Anyone else reads the Runs made for
 * them ({@code principal_chain[0].subject}) plus, when they hold {@code executor-approver}, the
 * Runs whose connection is placed in a scope of their chain (the address' scope segment matched
 * against the ids of {@code org:}, {@code workspace:} and {@code user:} scopes from the token).
 *
 * @param all      admin: no restriction
 * @param subject  the caller's subject
 * @param scopeIds scope ids the caller may see Runs of (empty for none)
 */
public record Visibility(boolean all, String subject, Set<String> scopeIds) {

    public static Visibility everything(String subject) {
        return new Visibility(true, subject, Set.of());
    }

    public boolean canRead(Run run) {
        return all || (subject != null && subject.equals(run.principalSubject))
                || (run.scopeId != null && scopeIds.contains(run.scopeId));
    }

    /** Whether the caller may decide on {@code run}: its scope must be theirs (admins: any). */
    public boolean canApprove(Run run) {
        return all || (run.scopeId != null && scopeIds.contains(run.scopeId));
    }
}
