package dev.executor.secrets.persistence;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class ConnectionRepository implements PanacheRepositoryBase<ConnectionEntity, UUID> {

    @WithSession
    public Uni<List<ConnectionEntity>> listByAddress() {
        return listAll(Sort.by("scope").and("source").and("name"));
    }
}
