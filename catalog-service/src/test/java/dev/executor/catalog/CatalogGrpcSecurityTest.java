package dev.executor.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.executor.catalog.v1.CatalogServiceGrpc.CatalogServiceBlockingStub;
import dev.executor.catalog.v1.ListSourcesRequest;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Only Executor services (role executor-service) may call CatalogService over gRPC. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "catalog"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
class CatalogGrpcSecurityTest {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REASON = Metadata.Key.of("executor-error-reason",
            Metadata.ASCII_STRING_MARSHALLER);

    @GrpcClient("self")
    CatalogServiceBlockingStub catalog;

    @Test
    void refusesACallWithoutATokenAsUnauthenticated() {
        // When
        var failure = assertThrows(StatusRuntimeException.class,
                () -> catalog.listSources(ListSourcesRequest.getDefaultInstance()));

        // Then
        assertEquals(Status.Code.UNAUTHENTICATED, failure.getStatus().getCode());
        assertEquals("UNAUTHENTICATED", failure.getTrailers().get(REASON));
    }

    @Test
    void refusesAnAgentCallingTheCatalogDirectly() {
        // Given an agent token, which may only reach Executor through the MCP gateway
        String agent = KeycloakResource.tokens().agent();

        // When
        var failure = assertThrows(StatusRuntimeException.class,
                () -> withToken(agent).listSources(ListSourcesRequest.getDefaultInstance()));

        // Then
        assertEquals(Status.Code.PERMISSION_DENIED, failure.getStatus().getCode());
        assertEquals("PERMISSION_DENIED", failure.getTrailers().get(REASON));
    }

    @Test
    void letsAServiceTokenThrough() {
        // Given the invoker's service account
        String service = KeycloakResource.tokens().service("invoker-service");

        // When
        var response = withToken(service).listSources(ListSourcesRequest.getDefaultInstance());

        // Then authentication and authorization passed; a principal without scopes sees no source
        assertEquals(0, response.getSourcesCount());
    }

    private CatalogServiceBlockingStub withToken(String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return catalog.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
