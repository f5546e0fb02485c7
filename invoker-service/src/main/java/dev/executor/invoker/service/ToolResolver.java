package dev.executor.invoker.service;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.catalog.v1.MutinyCatalogServiceGrpc.MutinyCatalogServiceStub;
import dev.executor.catalog.v1.ResolveToolRequest;
import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.common.v1.Principal;
import dev.executor.invoker.client.ServiceTokenInterceptor;
import dev.executor.invoker.config.InvokerConfig;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.smallrye.mutiny.Uni;

/**
 * {@code CatalogService.ResolveTool}, cached per address. The cache holds only successful answers,
 * each for {@code invoker.resolve.cache-ttl} at most; any catalog event (a source added, refreshed,
 * reviewed or removed) empties it, so a retired or unreviewed tool stops resolving as soon as the
 * event arrives.
 */
@ApplicationScoped
public class ToolResolver {

    private record Entry(ResolveToolResponse tool, long expiresAtNanos) {
    }

    private final MutinyCatalogServiceStub catalog;
    private final long ttlNanos;
    private final int maxSize;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    public ToolResolver(@GrpcClient("catalog") @RegisterClientInterceptor(ServiceTokenInterceptor.class) MutinyCatalogServiceStub catalog,
            InvokerConfig config) {
        this.catalog = catalog;
        this.ttlNanos = config.resolve().cacheTtl().toNanos();
        this.maxSize = config.resolve().cacheSize();
    }

    public Uni<ResolveToolResponse> resolve(String address, Principal principal) {
        Entry hit = cache.get(address);
        if (hit != null && System.nanoTime() - hit.expiresAtNanos() < 0) {
            return Uni.createFrom().item(hit.tool());
        }
        return catalog.resolveTool(ResolveToolRequest.newBuilder().setAddress(address).setPrincipal(principal).build())
                .ifNoItem().after(Duration.ofSeconds(10)).fail()
                .invoke(tool -> {
                    if (cache.size() >= maxSize) {
                        cache.clear();
                    }
                    cache.put(address, new Entry(tool, System.nanoTime() + ttlNanos));
                })
                .onFailure().transform(e -> Downstream.map("catalog-service", e));
    }

    /** Forgets every resolved tool (a catalog event arrived). */
    public void invalidateAll() {
        cache.clear();
    }
}
