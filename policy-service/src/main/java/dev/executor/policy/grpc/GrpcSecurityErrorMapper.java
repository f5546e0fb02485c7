package dev.executor.policy.grpc;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import dev.executor.contracts.ErrorReasons;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.quarkus.grpc.auth.AuthExceptionHandler;
import io.quarkus.grpc.auth.AuthExceptionHandlerProvider;
import io.quarkus.security.AuthenticationException;
import io.quarkus.security.UnauthorizedException;

/**
 * Turns security failures of gRPC calls into the contract's statuses: no or an invalid token is
 * {@code UNAUTHENTICATED}, a token without the required role {@code PERMISSION_DENIED}, each with
 * the {@value ErrorReasons#REASON_TRAILER} trailer. (Quarkus' default answers {@code PERMISSION_DENIED}
 * for an anonymous caller too, because its {@code UnauthorizedException} is a {@code SecurityException}.)
 * An enabled alternative, so the exception handler that looks up a single provider finds this one.
 */
@Singleton
@Alternative
@Priority(1)
public class GrpcSecurityErrorMapper implements AuthExceptionHandlerProvider {

    private static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER,
            Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 1;
    }

    @Override
    public boolean handlesException(Throwable e) {
        return e instanceof AuthenticationException || e instanceof SecurityException;
    }

    @Override
    public StatusException transformToStatusException(Throwable e) {
        boolean unauthenticated = e instanceof AuthenticationException || e instanceof UnauthorizedException;
        Metadata trailers = new Metadata();
        if (unauthenticated) {
            trailers.put(REASON, ErrorReasons.UNAUTHENTICATED);
            return Status.UNAUTHENTICATED.withDescription("A valid bearer token is required.").asException(trailers);
        }
        trailers.put(REASON, ErrorReasons.PERMISSION_DENIED);
        return Status.PERMISSION_DENIED.withDescription("Your token does not carry a role that may call this service.")
                .asException(trailers);
    }

    @Override
    public <ReqT, RespT> AuthExceptionHandler<ReqT, RespT> createHandler(ServerCall.Listener<ReqT> listener,
            ServerCall<ReqT, RespT> call, Metadata metadata) {
        return new AuthExceptionHandler<>(listener, call, metadata) {
            @Override
            protected void handleException(Throwable e, ServerCall<ReqT, RespT> call, Metadata metadata) {
                if (handlesException(e)) {
                    StatusException status = transformToStatusException(e);
                    call.close(status.getStatus(), status.getTrailers());
                } else {
                    super.handleException(e, call, metadata);
                }
            }
        };
    }
}
