package dev.executor.catalog.persistence;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class SourceRepository implements PanacheRepositoryBase<SourceEntity, UUID> {

    @WithSession
    public Uni<List<SourceEntity>> listByName() {
        return listAll(Sort.by("name"));
    }
}
