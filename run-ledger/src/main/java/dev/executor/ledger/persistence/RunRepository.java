package dev.executor.ledger.persistence;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class RunRepository implements PanacheRepositoryBase<RunEntity, UUID> {

    /** The {@code limit} most recent runs, newest first. */
    @WithSession
    public Uni<List<RunEntity>> listNewest(int limit) {
        return findAll(Sort.descending("createdAt")).page(Page.ofSize(limit)).list();
    }

    /** Runs waiting for a human decision, oldest first (the order an approver works through them). */
    @WithSession
    public Uni<List<RunEntity>> listPendingApproval() {
        return list("status", Sort.ascending("createdAt"), RunEntity.PENDING_APPROVAL);
    }
}
