package dev.executor.gateway.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.catalog.v1.DescribeToolRequest;
import dev.executor.catalog.v1.DescribeToolResponse;
import dev.executor.catalog.v1.ListSourcesRequest;
import dev.executor.catalog.v1.ListSourcesResponse;
import dev.executor.catalog.v1.MutinyCatalogServiceGrpc.MutinyCatalogServiceStub;
import dev.executor.catalog.v1.SearchToolsRequest;
import dev.executor.catalog.v1.SearchToolsResponse;
import dev.executor.common.v1.PageRequest;
import dev.executor.common.v1.Principal;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.smallrye.mutiny.Uni;

/** CatalogService calls, with the gateway's own token, a deadline and errors as {@link DownstreamError}. */
@ApplicationScoped
public class CatalogClient {

    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final String SERVICE = "catalog";

    private final MutinyCatalogServiceStub stub;

    public CatalogClient(@GrpcClient("catalog") @RegisterClientInterceptor(ServiceTokenInterceptor.class) MutinyCatalogServiceStub stub) {
        this.stub = stub;
    }

    public Uni<SearchToolsResponse> search(Principal principal, String toolkit, String query, String source, int limit,
            String pageToken) {
        SearchToolsRequest.Builder request = SearchToolsRequest.newBuilder().setPrincipal(principal).setToolkit(toolkit)
                .setQuery(query).setSource(source)
                .setPage(PageRequest.newBuilder().setPageSize(limit).setPageToken(pageToken));
        return s().searchTools(request.build()).onFailure().transform(e -> DownstreamError.of(e, SERVICE));
    }

    public Uni<DescribeToolResponse> describe(Principal principal, String toolkit, String address) {
        return s().describeTool(DescribeToolRequest.newBuilder().setPrincipal(principal).setToolkit(toolkit).setAddress(address).build())
                .onFailure().transform(e -> DownstreamError.of(e, SERVICE));
    }

    public Uni<ListSourcesResponse> listSources(Principal principal) {
        return s().listSources(ListSourcesRequest.newBuilder().setPrincipal(principal)
                .setPage(PageRequest.newBuilder().setPageSize(500)).build())
                .onFailure().transform(e -> DownstreamError.of(e, SERVICE));
    }

    private MutinyCatalogServiceStub s() {
        return stub.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }
}
