package dev.executor.secrets.provider;

import java.util.UUID;

import dev.executor.secrets.SecretRef;
import dev.executor.secrets.SecretValue;
import io.smallrye.mutiny.Uni;

/**
 * Resolves SecretRefs of one kind ({@code env://}, {@code file://}, {@code stored://}, ...) to
 * secret values: the open seam of secrets-proxy. One implementation per kind, each in its own
 * package {@code provider.<kind>}, an {@code @ApplicationScoped} CDI bean annotated
 * {@code @Identifier("<kind>")}; {@link SecretProviders} selects it by the ref's kind.
 *
 * <p><b>Lifecycle.</b> Created once per application, at start. A provider must not read any secret
 * when it is created (the secret may not exist yet, and a value read once would go stale): values
 * are read on every {@link #resolve}, i.e. at call time, so rotation at the source (a re-mounted
 * Kubernetes secret, a new Vault version) takes effect on the next request.
 *
 * <p><b>Thread-safety.</b> Called concurrently, from Vert.x event-loop threads. Implementations are
 * thread-safe and never block the calling thread: blocking I/O (files, remote calls without a
 * non-blocking client) runs on a worker and the result comes back as a {@link Uni}.
 *
 * <p><b>Errors.</b> {@link #validate} throws {@link IllegalArgumentException} for a malformed or
 * forbidden ref, with a message a person can act on. {@link #resolve} fails its {@code Uni} with
 * {@link SecretUnavailableException} when the secret cannot be read. Neither message may contain a
 * secret value; a provider logs nothing about values, at any level ({@link SecretValue#toString()}
 * is redacted to help).
 */
public interface SecretProvider {

    /** The ref kind served, equal to the bean's {@code @Identifier}. */
    String kind();

    /**
     * Checks a ref when a connection is created: syntax and policy (allowed roots, prefixes), not
     * whether the secret exists yet.
     *
     * @throws IllegalArgumentException when the ref can never be resolved by this provider
     */
    void validate(SecretRef ref);

    /**
     * Reads the secret behind {@code ref} now.
     *
     * @param ref          a ref of this provider's kind, already {@link #validate validated}
     * @param connectionId the connection the ref belongs to; providers that own their secrets
     *                     ({@code stored://}) refuse a ref of another connection
     * @return the value; fails with {@link SecretUnavailableException} when it cannot be read
     */
    Uni<SecretValue> resolve(SecretRef ref, UUID connectionId);
}
