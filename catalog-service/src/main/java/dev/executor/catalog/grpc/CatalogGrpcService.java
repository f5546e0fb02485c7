package dev.executor.catalog.grpc;

import jakarta.annotation.security.RolesAllowed;

import dev.executor.catalog.v1.AddSourceRequest;
import dev.executor.catalog.v1.AddSourceResponse;
import dev.executor.catalog.v1.DescribeToolRequest;
import dev.executor.catalog.v1.DescribeToolResponse;
import dev.executor.catalog.v1.GetSourceRequest;
import dev.executor.catalog.v1.GetSourceResponse;
import dev.executor.catalog.v1.ListSourcesRequest;
import dev.executor.catalog.v1.ListSourcesResponse;
import dev.executor.catalog.v1.RefreshSourceRequest;
import dev.executor.catalog.v1.RefreshSourceResponse;
import dev.executor.catalog.v1.RemoveSourceRequest;
import dev.executor.catalog.v1.RemoveSourceResponse;
import dev.executor.catalog.v1.ResolveToolRequest;
import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.catalog.v1.SearchToolsRequest;
import dev.executor.catalog.v1.SearchToolsResponse;
import dev.executor.catalog.v1.MutinyCatalogServiceGrpc;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * gRPC {@code executor.catalog.v1.CatalogService}, served on the HTTP port. Only other Executor
 * services call it (they hold an {@code executor-service} token). The RPCs answer
 * {@code UNIMPLEMENTED} until the catalog import work (issue #3) lands; the server, its security
 * and its health endpoint are live.
 *
 * <p>Each RPC is overridden here, not inherited: Quarkus applies the class-level
 * {@code @RolesAllowed} only to methods the class declares, so an inherited stub method would
 * answer callers without checking their token.
 */
@GrpcService
@RolesAllowed("executor-service")
public class CatalogGrpcService extends MutinyCatalogServiceGrpc.CatalogServiceImplBase {

    @Override
    public Uni<AddSourceResponse> addSource(AddSourceRequest request) {
        return notYet("AddSource");
    }

    @Override
    public Uni<RefreshSourceResponse> refreshSource(RefreshSourceRequest request) {
        return notYet("RefreshSource");
    }

    @Override
    public Uni<RemoveSourceResponse> removeSource(RemoveSourceRequest request) {
        return notYet("RemoveSource");
    }

    @Override
    public Uni<GetSourceResponse> getSource(GetSourceRequest request) {
        return notYet("GetSource");
    }

    @Override
    public Uni<ListSourcesResponse> listSources(ListSourcesRequest request) {
        return notYet("ListSources");
    }

    @Override
    public Uni<SearchToolsResponse> searchTools(SearchToolsRequest request) {
        return notYet("SearchTools");
    }

    @Override
    public Uni<DescribeToolResponse> describeTool(DescribeToolRequest request) {
        return notYet("DescribeTool");
    }

    @Override
    public Uni<ResolveToolResponse> resolveTool(ResolveToolRequest request) {
        return notYet("ResolveTool");
    }

    private static <T> Uni<T> notYet(String rpc) {
        return Uni.createFrom().failure(
                Status.UNIMPLEMENTED.withDescription(rpc + " is not implemented yet (issue #3).").asRuntimeException());
    }
}
