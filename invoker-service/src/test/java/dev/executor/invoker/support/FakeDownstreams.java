package dev.executor.invoker.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;

import dev.executor.catalog.v1.CatalogServiceGrpc;
import dev.executor.catalog.v1.ResolveToolRequest;
import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.common.v1.ErrorDetail;
import dev.executor.contracts.ErrorReasons;
import dev.executor.launcher.infra.FreePorts;
import dev.executor.ledger.v1.RunLedgerGrpc;
import dev.executor.ledger.v1.StoreOutputRequest;
import dev.executor.ledger.v1.StoreOutputResponse;
import dev.executor.policy.v1.DecideRequest;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.policy.v1.PolicyServiceGrpc;
import dev.executor.secrets.v1.ForwardRequest;
import dev.executor.secrets.v1.ForwardResponse;
import dev.executor.secrets.v1.Header;
import dev.executor.secrets.v1.SecretsProxyGrpc;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Stand-ins for catalog-service, policy-service, secrets-proxy and run-ledger on one real gRPC
 * server on a free loopback port, answering from {@link Fakes}. The secrets-proxy stand-in really
 * forwards over HTTP (to the loopback upstreams of the tests) and injects a credential the invoker
 * never sees, as the real proxy does. The real chain (these four services themselves) is exercised
 * by the acceptance suite; here they isolate the invoker.
 */
public class FakeDownstreams implements QuarkusTestResourceLifecycleManager {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of(ErrorReasons.DETAIL_TRAILER, Metadata.BINARY_BYTE_MARSHALLER);
    private static final Set<String> HOP_HEADERS = Set.of("host", "content-length", "connection");

    private Server server;

    @Override
    public Map<String, String> start() {
        int port = FreePorts.pick();
        ServerInterceptor recordAuth = new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                String auth = headers.get(AUTHORIZATION);
                if (!call.getMethodDescriptor().getFullMethodName().startsWith("grpc.health")) {
                    Fakes.list("auth").add((auth == null ? "" : auth).getBytes(StandardCharsets.UTF_8));
                    if (auth == null) {
                        call.close(Status.UNAUTHENTICATED.withDescription("no token"), new Metadata());
                        return new ServerCall.Listener<>() {
                        };
                    }
                }
                return next.startCall(call, headers);
            }
        };
        try {
            server = ServerBuilder.forPort(port)
                    .addService(ServerInterceptors.intercept(new Catalog(), recordAuth))
                    .addService(ServerInterceptors.intercept(new Policy(), recordAuth))
                    .addService(ServerInterceptors.intercept(new Secrets(), recordAuth))
                    .addService(ServerInterceptors.intercept(new Ledger(), recordAuth))
                    .addService(new Health())
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String p = String.valueOf(port);
        Map<String, String> config = new java.util.HashMap<>();
        for (String client : new String[] { "catalog", "policy", "secrets-proxy", "ledger" }) {
            // In test mode Quarkus dials a client's test-port (by default the app's own port).
            config.put("quarkus.grpc.clients." + client + ".port", p);
            config.put("quarkus.grpc.clients." + client + ".test-port", p);
        }
        return config;
    }

    @Override
    public void stop() {
        if (server != null) {
            try {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static io.grpc.StatusRuntimeException refusal(Status status, String reason, String message) {
        Metadata trailers = new Metadata();
        trailers.put(REASON, reason);
        trailers.put(DETAIL, ErrorDetail.newBuilder().setReason(reason).setMessage(message).addSuggestions("did.you.mean.this").build()
                .toByteArray());
        return status.withDescription(message).asRuntimeException(trailers);
    }

    static final class Catalog extends CatalogServiceGrpc.CatalogServiceImplBase {
        @Override
        public void resolveTool(ResolveToolRequest request, StreamObserver<ResolveToolResponse> reply) {
            byte[] tool = (byte[]) Fakes.shared().get("tool:" + request.getAddress());
            if (tool == null) {
                reply.onError(refusal(Status.NOT_FOUND, ErrorReasons.TOOL_NOT_FOUND, "No tool '" + request.getAddress() + "'."));
                return;
            }
            try {
                reply.onNext(ResolveToolResponse.parseFrom(tool));
                reply.onCompleted();
            } catch (IOException e) {
                reply.onError(e);
            }
        }
    }

    static final class Policy extends PolicyServiceGrpc.PolicyServiceImplBase {
        @Override
        public void decide(DecideRequest request, StreamObserver<DecideResponse> reply) {
            byte[] decision = (byte[]) Fakes.shared().get("decision:" + request.getAddress());
            try {
                reply.onNext(decision == null ? DecideResponse.newBuilder().setVerdict(dev.executor.common.v1.Verdict.ALLOW)
                        .setVisible(true).setPolicyVersion(7).build() : DecideResponse.parseFrom(decision));
                reply.onCompleted();
            } catch (IOException e) {
                reply.onError(e);
            }
        }

        @Override
        public void resolveScopes(dev.executor.policy.v1.ResolveScopesRequest request,
                StreamObserver<dev.executor.policy.v1.ResolveScopesResponse> reply) {
            var p = request.getPrincipal();
            var out = dev.executor.policy.v1.ResolveScopesResponse.newBuilder();
            if (!p.getOrg().isEmpty()) {
                out.addScopeChain(dev.executor.common.v1.Scope.newBuilder().setKind("org").setId(p.getOrg()));
            }
            p.getWorkspacesList().forEach(w -> out.addScopeChain(dev.executor.common.v1.Scope.newBuilder().setKind("workspace").setId(w)));
            out.addScopeChain(dev.executor.common.v1.Scope.newBuilder().setKind("user").setId(p.getUsername()));
            reply.onNext(out.build());
            reply.onCompleted();
        }
    }

    static final class Secrets extends SecretsProxyGrpc.SecretsProxyImplBase {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        @Override
        public void forward(ForwardRequest request, StreamObserver<ForwardResponse> reply) {
            Fakes.list("forwards").add(request.toByteArray());
            try {
                var r = request.getRequest();
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(r.getUrl()))
                        .timeout(r.hasTimeout() ? Duration.ofSeconds(r.getTimeout().getSeconds(), r.getTimeout().getNanos())
                                : Duration.ofSeconds(30))
                        .method(r.getMethod(), r.getBody().isEmpty() ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(r.getBody().toByteArray()));
                for (Header h : r.getHeadersList()) {
                    if (!HOP_HEADERS.contains(h.getName().toLowerCase())) {
                        b.header(h.getName(), h.getValue());
                    }
                }
                b.header("Authorization", "Bearer " + Fakes.INJECTED_SECRET);
                HttpResponse<byte[]> response = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                ForwardResponse.Builder out = ForwardResponse.newBuilder().setStatus(response.statusCode())
                        .setBody(ByteString.copyFrom(response.body()));
                response.headers().map().forEach((name, values) -> values.forEach(v -> out.addHeaders(Header.newBuilder().setName(name)
                        .setValue(v))));
                reply.onNext(out.build());
                reply.onCompleted();
            } catch (java.net.http.HttpTimeoutException e) {
                reply.onError(refusal(Status.DEADLINE_EXCEEDED, ErrorReasons.UPSTREAM_TIMEOUT, "The upstream did not answer in time."));
            } catch (IOException e) {
                reply.onError(refusal(Status.UNAVAILABLE, ErrorReasons.UPSTREAM_ERROR, "The upstream could not be reached."));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply.onError(e);
            }
        }
    }

    static final class Ledger extends RunLedgerGrpc.RunLedgerImplBase {
        @Override
        public void storeOutput(StoreOutputRequest request, StreamObserver<StoreOutputResponse> reply) {
            Fakes.shared().put("output:" + request.getHandle(), request.getData().toByteArray());
            reply.onNext(StoreOutputResponse.newBuilder().setHandle(request.getHandle()).setSizeBytes(request.getData().size()).build());
            reply.onCompleted();
        }
    }

    static final class Health extends HealthGrpc.HealthImplBase {
        @Override
        public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> reply) {
            reply.onNext(HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).build());
            reply.onCompleted();
        }
    }
}
