package dev.executor.invoker.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.executor.contracts.Topics;
import dev.executor.invoker.service.ToolResolver;

/**
 * Empties the resolved-tool cache on every {@value Topics#CATALOG_EVENTS} event. Every invoker pod
 * must see every event, so each pod consumes in a group of its own ({@code quarkus.uuid}) from the
 * latest offset: older events describe a catalog the cache was never filled from.
 */
@ApplicationScoped
public class CatalogEventConsumer {

    private final ToolResolver resolver;

    public CatalogEventConsumer(ToolResolver resolver) {
        this.resolver = resolver;
    }

    @Incoming("catalog-events")
    public void consume(String ignored) {
        resolver.invalidateAll();
    }
}
