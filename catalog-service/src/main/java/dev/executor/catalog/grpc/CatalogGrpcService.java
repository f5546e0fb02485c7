package dev.executor.catalog.grpc;

import jakarta.annotation.security.RolesAllowed;

import dev.executor.catalog.v1.MutinyCatalogServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * gRPC {@code executor.catalog.v1.CatalogService}, served on the HTTP port. Only other Executor
 * services call it (they hold an {@code executor-service} token). The RPCs answer
 * {@code UNIMPLEMENTED} until the catalog import work lands; the server, its security and its
 * health endpoint are live.
 */
@GrpcService
@RolesAllowed("executor-service")
public class CatalogGrpcService extends MutinyCatalogServiceGrpc.CatalogServiceImplBase {
}
