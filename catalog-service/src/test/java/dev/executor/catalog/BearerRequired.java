package dev.executor.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;

/**
 * For the fake gRPC services ({@link #serve}): refuses calls without a bearer token, as the real services do, and
 * keeps the caller's {@code authorization} header in {@link #TOKEN} for the call.
 */
final class BearerRequired implements ServerInterceptor {

    static final Context.Key<String> TOKEN = Context.key("token");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /**
     * Starts {@code service} behind this interceptor, and {@code open} services without it, on a free
     * loopback port; stopped when the JVM exits.
     */
    static Server serve(BindableService service, String name, BindableService... open) {
        Server server;
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(ServerInterceptors.intercept(service, new BearerRequired()));
            for (BindableService s : open) {
                builder.addService(s);
            }
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the fake " + name + " service", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "fake-" + name + "-stop"));
        return server;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String authorization = headers.get(AUTHORIZATION);
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            call.close(Status.UNAUTHENTICATED.withDescription("no bearer token"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(TOKEN, authorization), call, headers, next);
    }
}
