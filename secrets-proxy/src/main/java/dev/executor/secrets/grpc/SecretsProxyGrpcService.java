package dev.executor.secrets.grpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;

import org.jboss.logging.Logger;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;

import dev.executor.common.v1.ConnectionRef;
import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.Scope;
import dev.executor.contracts.ErrorReasons;
import dev.executor.secrets.Connection;
import dev.executor.secrets.EgressRule;
import dev.executor.secrets.service.ConnectionService;
import dev.executor.secrets.service.ForwardService;
import dev.executor.secrets.service.ProxyException;
import dev.executor.secrets.v1.ConnectionStatus;
import dev.executor.secrets.v1.CredentialSlot;
import dev.executor.secrets.v1.ForwardChunk;
import dev.executor.secrets.v1.ForwardRequest;
import dev.executor.secrets.v1.ForwardResponse;
import dev.executor.secrets.v1.GetConnectionRequest;
import dev.executor.secrets.v1.GetConnectionResponse;
import dev.executor.secrets.v1.Header;
import dev.executor.secrets.v1.ListConnectionsRequest;
import dev.executor.secrets.v1.ListConnectionsResponse;
import dev.executor.secrets.v1.MutinySecretsProxyGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * gRPC {@code executor.secrets.v1.SecretsProxy}, served on the HTTP port. Only other Executor
 * services call it (they hold an {@code executor-service} token); the principal in each request
 * says on whose behalf, and the connection must be placed in one of its scopes.
 *
 * <p>Each RPC is overridden here, not inherited: Quarkus applies the class-level
 * {@code @RolesAllowed} only to methods the class declares, so an inherited stub method would
 * answer callers without checking their token.
 */
@GrpcService
@RolesAllowed("executor-service")
public class SecretsProxyGrpcService extends MutinySecretsProxyGrpc.SecretsProxyImplBase {

    private static final Logger LOG = Logger.getLogger(SecretsProxyGrpcService.class);
    private static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of(ErrorReasons.DETAIL_TRAILER, Metadata.BINARY_BYTE_MARSHALLER);

    private final ForwardService forwarding;
    private final ConnectionService connections;

    public SecretsProxyGrpcService(ForwardService forwarding, ConnectionService connections) {
        this.forwarding = forwarding;
        this.connections = connections;
    }

    @Override
    public Uni<ForwardResponse> forward(ForwardRequest request) {
        return Uni.createFrom().deferred(() -> {
            ConnectionRef ref = request.getConnectionRef();
            var forwardRequest = toRequest(request);
            return forwarding.forward(scope(ref.getScope()), ref.getSource(), ref.getName(), scopes(request.getPrincipal()),
                    forwardRequest, request.getRunId());
        }).map(f -> {
            ForwardResponse.Builder out = ForwardResponse.newBuilder().setStatus(f.status()).setRedirected(f.redirected())
                    .setTruncated(f.truncated()).setBody(ByteString.copyFrom(f.body()));
            f.headers().forEach(h -> out.addHeaders(Header.newBuilder().setName(h.getKey()).setValue(h.getValue())));
            return out.build();
        }).onFailure().transform(SecretsProxyGrpcService::status);
    }

    @Override
    public Multi<ForwardChunk> forwardStream(ForwardRequest request) {
        return Multi.createFrom().deferred(() -> {
            ConnectionRef ref = request.getConnectionRef();
            return forwarding.forwardStream(scope(ref.getScope()), ref.getSource(), ref.getName(), scopes(request.getPrincipal()),
                    toRequest(request), request.getRunId());
        }).map(part -> switch (part) {
            case dev.executor.secrets.service.HttpForwarder.Head h -> {
                var head = dev.executor.secrets.v1.ResponseHead.newBuilder().setStatus(h.status());
                h.headers().forEach(e -> head.addHeaders(Header.newBuilder().setName(e.getKey()).setValue(e.getValue())));
                yield ForwardChunk.newBuilder().setHead(head).build();
            }
            case dev.executor.secrets.service.HttpForwarder.Data d -> ForwardChunk.newBuilder().setData(ByteString.copyFrom(d.bytes())).build();
            case dev.executor.secrets.service.HttpForwarder.End e -> ForwardChunk.newBuilder()
                    .setEnd(dev.executor.secrets.v1.ResponseEnd.newBuilder().setTruncated(e.truncated())).build();
        }).onFailure().transform(SecretsProxyGrpcService::status);
    }

    private static ForwardService.Request toRequest(ForwardRequest request) {
        ConnectionRef ref = request.getConnectionRef();
        if (ref.getSource().isEmpty() || ref.getName().isEmpty() || !ref.hasScope()) {
            throw ProxyException.invalid("connection_ref needs scope, source and name");
        }
        if (!request.hasRequest()) {
            throw ProxyException.invalid("request is required");
        }
        var http = request.getRequest();
        List<Map.Entry<String, String>> headers = new ArrayList<>(http.getHeadersCount());
        for (Header h : http.getHeadersList()) {
            headers.add(Map.entry(h.getName(), h.getValue()));
        }
        Duration timeout = http.hasTimeout() ? Duration.ofSeconds(http.getTimeout().getSeconds(), http.getTimeout().getNanos()) : null;
        return new ForwardService.Request(http.getMethod(), http.getUrl(), headers, http.getBody().toByteArray(), timeout);
    }

    @Override
    public Uni<GetConnectionResponse> getConnection(GetConnectionRequest request) {
        ConnectionRef ref = request.getConnectionRef();
        List<String> visible = scopes(request.getPrincipal());
        return connections.lookup(scope(ref.getScope()), ref.getSource(), ref.getName())
                .map(c -> {
                    if (c == null || !visible.contains(c.scope())) {
                        throw ProxyException.notFound("no connection " + scope(ref.getScope()) + "/" + ref.getSource() + "/"
                                + ref.getName() + " visible to the principal");
                    }
                    return GetConnectionResponse.newBuilder().setConnection(toProto(c)).build();
                })
                .onFailure().transform(SecretsProxyGrpcService::status);
    }

    @Override
    public Uni<ListConnectionsResponse> listConnections(ListConnectionsRequest request) {
        List<String> visible = scopes(request.getPrincipal());
        String onlyScope = request.hasScope() ? scope(request.getScope()) : null;
        int size = request.getPage().getPageSize() <= 0 ? 50 : Math.min(request.getPage().getPageSize(), 500);
        int offset = request.getPage().getPageToken().isEmpty() ? 0 : parseOffset(request.getPage().getPageToken());
        return connections.listAll().map(all -> {
            List<Connection> matching = all.stream()
                    .filter(c -> visible.contains(c.scope()))
                    .filter(c -> onlyScope == null || onlyScope.equals(c.scope()))
                    .filter(c -> request.getSource().isEmpty() || request.getSource().equals(c.source()))
                    .toList();
            ListConnectionsResponse.Builder out = ListConnectionsResponse.newBuilder();
            matching.stream().skip(offset).limit(size).forEach(c -> out.addConnections(toProto(c)));
            if (offset + size < matching.size()) {
                out.setNextPageToken(Integer.toString(offset + size));
            }
            return out.build();
        }).onFailure().transform(SecretsProxyGrpcService::status);
    }

    private static int parseOffset(String token) {
        try {
            return Math.max(0, Integer.parseInt(token));
        } catch (NumberFormatException e) {
            throw ProxyException.invalid("page_token is not one this service issued");
        }
    }

    private static dev.executor.secrets.v1.Connection toProto(Connection c) {
        var out = dev.executor.secrets.v1.Connection.newBuilder()
                .setId(c.id().toString())
                .setRef(ConnectionRef.newBuilder().setScope(Scope.newBuilder().setKind(c.scopeKind()).setId(c.scopeId()))
                        .setSource(c.source()).setName(c.name()))
                .setSourceId(c.sourceId() == null ? "" : c.sourceId())
                .setStatus(Connection.NEEDS_REAUTH.equals(c.status()) ? ConnectionStatus.NEEDS_REAUTH : ConnectionStatus.ACTIVE)
                .setCreatedAt(ts(c.createdAt()))
                .setUpdatedAt(ts(c.updatedAt()));
        ConnectionService.slots(c).forEach(s -> out.addCredentials(CredentialSlot.newBuilder().setName(s.name()).setProvider(s.provider())));
        out.addAllAllowedHosts(c.hosts());
        for (EgressRule r : c.egress()) {
            out.addAllowedHosts(r.port() == null ? r.host() : r.host() + ":" + r.port());
        }
        return out.build();
    }

    private static Timestamp ts(java.time.OffsetDateTime t) {
        return Timestamp.newBuilder().setSeconds(t.toEpochSecond()).setNanos(t.getNano()).build();
    }

    private static String scope(Scope s) {
        return s.getKind() + ":" + s.getId();
    }

    private static List<String> scopes(Principal principal) {
        return principal.getScopeChainList().stream().map(SecretsProxyGrpcService::scope).toList();
    }

    static Throwable status(Throwable t) {
        if (t instanceof io.grpc.StatusRuntimeException || t instanceof io.grpc.StatusException) {
            return t;
        }
        ProxyException p = t instanceof ProxyException e ? e : null;
        if (p == null) {
            String incident = java.util.UUID.randomUUID().toString();
            LOG.errorf(t, "Unhandled failure, incident %s", incident);
            p = new ProxyException(ErrorReasons.INTERNAL, "Something failed on our side; quote incident " + incident + ".");
        }
        Metadata trailers = new Metadata();
        trailers.put(REASON, p.reason());
        trailers.put(DETAIL, ErrorDetail.newBuilder().setReason(p.reason()).setMessage(p.getMessage()).build().toByteArray());
        return Status.fromCode(p.grpcCode()).withDescription(p.getMessage()).asRuntimeException(trailers);
    }
}
