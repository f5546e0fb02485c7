package dev.executor.catalog.client;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import io.smallrye.mutiny.Uni;

/**
 * Authenticates this service's own gRPC calls to policy-service
 * with its Keycloak service-account token (client credentials, role {@code executor-service}).
 * The token is fetched once, cached, and renewed a minute before it expires, by one request
 * however many calls are waiting. Only clients that register this interceptor get the token.
 */
@ApplicationScoped
public class ServiceTokenInterceptor implements ClientInterceptor {

    private static final Logger LOG = Logger.getLogger(ServiceTokenInterceptor.class);
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Duration EARLY_RENEWAL = Duration.ofSeconds(60);

    private final OidcClient oidc;
    private final CallCredentials credentials = new TokenCredentials();
    private volatile Cached current;
    private Uni<Cached> inflight;

    public ServiceTokenInterceptor(OidcClient oidc) {
        this.oidc = oidc;
    }

    private record Cached(String header, Instant renewAfter) {
    }

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        return next.newCall(method, options.withCallCredentials(credentials));
    }

    /** The current token, renewed when due; completes without blocking when one is cached. */
    Uni<String> header() {
        Cached c = current;
        if (c != null && Instant.now().isBefore(c.renewAfter())) {
            return Uni.createFrom().item(c.header());
        }
        return renew().map(Cached::header);
    }

    private synchronized Uni<Cached> renew() {
        if (inflight == null) {
            inflight = oidc.getTokens().map(ServiceTokenInterceptor::cache)
                    .invoke(c -> current = c)
                    .onTermination().invoke(() -> {
                        synchronized (this) {
                            inflight = null;
                        }
                    })
                    .memoize().indefinitely();
        }
        return inflight;
    }

    private static Cached cache(Tokens tokens) {
        Long expiresAt = tokens.getAccessTokenExpiresAt();
        Instant renewAfter = expiresAt == null ? Instant.now().plus(EARLY_RENEWAL)
                : Instant.ofEpochSecond(expiresAt).minus(EARLY_RENEWAL);
        return new Cached("Bearer " + tokens.getAccessToken(), renewAfter);
    }

    private final class TokenCredentials extends CallCredentials {
        @Override
        public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
            header().subscribe().with(header -> {
                Metadata metadata = new Metadata();
                metadata.put(AUTHORIZATION, header);
                applier.apply(metadata);
            }, failure -> {
                LOG.warnf("Could not obtain this service's token from Keycloak: %s", failure.getMessage());
                applier.fail(Status.UNAVAILABLE.withDescription("This service could not obtain its own access token; retry shortly."));
            });
        }
    }
}
