package dev.executor.secrets.provider;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import dev.executor.secrets.SecretRef;
import dev.executor.secrets.SecretValue;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;

/** Finds the {@link SecretProvider} of a ref's kind among the {@code @Identifier}-qualified beans. */
@ApplicationScoped
public class SecretProviders {

    private final Map<String, SecretProvider> byKind = new TreeMap<>();

    @jakarta.inject.Inject
    public SecretProviders(@Any Instance<SecretProvider> providers) {
        for (Instance.Handle<SecretProvider> handle : providers.handles()) {
            SecretProvider provider = handle.get();
            String id = handle.getBean().getQualifiers().stream()
                    .filter(Identifier.class::isInstance).map(q -> ((Identifier) q).value())
                    .findFirst().orElse(provider.kind());
            byKind.put(id, provider);
        }
    }

    /** For tests and benchmarks: a fixed set of providers. */
    public SecretProviders(Map<String, SecretProvider> providers) {
        byKind.putAll(providers);
    }

    public Optional<SecretProvider> find(String kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    public java.util.Set<String> kinds() {
        return byKind.keySet();
    }

    /** Validates {@code ref} with its provider; an unknown kind is an {@link IllegalArgumentException}. */
    public void validate(SecretRef ref) {
        find(ref.kind()).orElseThrow(() -> new IllegalArgumentException(
                "No secret provider for '" + ref.kind() + "://' refs; known kinds: " + byKind.keySet()))
                .validate(ref);
    }

    public Uni<SecretValue> resolve(SecretRef ref, UUID connectionId) {
        return find(ref.kind())
                .map(p -> p.resolve(ref, connectionId))
                .orElseGet(() -> Uni.createFrom().failure(new SecretUnavailableException(
                        "no secret provider for kind " + ref.kind())));
    }
}
