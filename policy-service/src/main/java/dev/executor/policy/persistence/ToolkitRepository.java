package dev.executor.policy.persistence;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class ToolkitRepository implements PanacheRepositoryBase<ToolkitEntity, UUID> {

    @WithSession
    public Uni<List<ToolkitEntity>> listByScopeAndName() {
        return listAll(Sort.by("scope").and("name"));
    }
}
