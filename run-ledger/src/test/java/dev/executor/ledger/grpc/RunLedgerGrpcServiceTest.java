package dev.executor.ledger.grpc;

import static dev.executor.ledger.LedgerFixture.awaitReady;
import static dev.executor.ledger.LedgerFixture.awaitStatus;
import static dev.executor.ledger.LedgerFixture.envelopes;
import static dev.executor.ledger.LedgerFixture.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.executor.common.v1.PageRequest;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.RunStatus;
import dev.executor.common.v1.Scope;
import dev.executor.ledger.LedgerFixture;
import dev.executor.ledger.RunEvents;
import dev.executor.ledger.v1.GetRunRequest;
import dev.executor.ledger.v1.ListPendingApprovalsRequest;
import dev.executor.ledger.v1.ListRunsRequest;
import dev.executor.ledger.v1.ReadOutputRequest;
import dev.executor.ledger.v1.StoreOutputRequest;
import dev.executor.ledger.v1.RunLedgerGrpc.RunLedgerBlockingStub;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.OidcStubResource;
import dev.executor.testsupport.PostgresResource;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** RunLedger over gRPC: services only, and the end user's visibility applies. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "ledger"))
@WithTestResource(KafkaResource.class)
@WithTestResource(OidcStubResource.class)
class RunLedgerGrpcServiceTest {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REASON = Metadata.Key.of("executor-error-reason", Metadata.ASCII_STRING_MARSHALLER);

    @GrpcClient("self")
    RunLedgerBlockingStub ledger;

    private RunLedgerBlockingStub as(String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return ledger.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static Principal user(String subject, String org, String... roles) {
        return Principal.newBuilder().setSubject(subject).setUsername(subject).addAllRoles(List.of(roles))
                .addScopeChain(Scope.newBuilder().setKind("org").setId(org)).build();
    }

    @Test
    void servesARunWithItsTimelineToTheUserItWasMadeForAndNotToAnother() {
        // Given
        awaitReady();
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", Instant.now());
        publish(envelopes(run.lifecycle()));
        awaitStatus(run.runId, "succeeded");
        RunLedgerBlockingStub invoker = as(OidcStubResource.tokens().service("invoker-service"));

        // When
        var response = invoker.getRun(GetRunRequest.newBuilder().setRunId(run.runId).setIncludeTimeline(true)
                .setPrincipal(user("alice", "acme")).build());

        // Then
        assertEquals(RunStatus.SUCCEEDED, response.getRun().getStatus());
        assertEquals("alice", response.getRun().getPrincipalChain(0).getSubject());
        assertEquals(4, response.getTimelineCount());
        assertTrue(response.getRun().getOutputJson().contains("1347"));
        var failure = assertThrows(StatusRuntimeException.class, () -> invoker.getRun(GetRunRequest.newBuilder()
                .setRunId(run.runId).setPrincipal(user("mallory", "acme")).build()));
        assertEquals(Status.Code.NOT_FOUND, failure.getStatus().getCode());
        assertEquals("RUN_NOT_FOUND", failure.getTrailers().get(REASON));
    }

    @Test
    void listsRunsAndPendingApprovalsPageByPage() {
        // Given three pending runs in a fresh org
        awaitReady();
        String org = "o" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 3; i++) {
            RunEvents run = new RunEvents("alice", "github." + org + ".work.tool" + i, Instant.now());
            publish(envelopes(List.of(run.requested(), run.pending(null))));
            awaitStatus(run.runId, "pending_approval");
        }
        RunLedgerBlockingStub gateway = as(OidcStubResource.tokens().service("mcp-gateway"));
        Principal approver = user("olivia", org, "executor-approver");

        // When
        var first = gateway.listPendingApprovals(ListPendingApprovalsRequest.newBuilder().setPrincipal(approver)
                .setPage(PageRequest.newBuilder().setPageSize(2)).build());
        var second = gateway.listPendingApprovals(ListPendingApprovalsRequest.newBuilder().setPrincipal(approver)
                .setPage(PageRequest.newBuilder().setPageSize(2).setPageToken(first.getNextPageToken())).build());
        var runs = gateway.listRuns(ListRunsRequest.newBuilder().setPrincipal(approver).setSource("github")
                .setScope(Scope.newBuilder().setKind("org").setId(org)).addStatuses(RunStatus.PENDING_APPROVAL).build());

        // Then
        assertEquals(2, first.getRunsCount());
        assertEquals(1, second.getRunsCount());
        assertEquals("", second.getNextPageToken());
        assertTrue(first.getRuns(0).hasApprovalExpiresAt());
        assertEquals(3, runs.getRunsCount());
    }

    @Test
    void storesALargeOutputAndReadsItInRangesForWhoeverCanReadTheRun() {
        // Given
        awaitReady();
        String handle = "out-" + UUID.randomUUID();
        RunEvents run = new RunEvents("alice", "github.acme.work.report", Instant.now());
        publish(envelopes(List.of(run.requested(), run.succeededStored(handle))));
        awaitStatus(run.runId, "succeeded");
        RunLedgerBlockingStub invoker = as(OidcStubResource.tokens().service("invoker-service"));
        // the invoker stores the output before its RunSucceeded names the handle; a retry stores nothing twice
        for (int i = 0; i < 2; i++) {
            var stored = invoker.storeOutput(StoreOutputRequest.newBuilder().setRunId(run.runId).setHandle(handle)
                    .setData(com.google.protobuf.ByteString.copyFromUtf8("0123456789")).setContentType("application/json").build());
            assertEquals(10, stored.getSizeBytes());
        }

        // When
        var part = invoker.readOutput(ReadOutputRequest.newBuilder().setHandle(handle).setOffset(4).setMaxBytes(3)
                .setPrincipal(user("alice", "acme")).build());
        var rest = invoker.readOutput(ReadOutputRequest.newBuilder().setHandle(handle).setOffset(7)
                .setPrincipal(user("alice", "acme")).build());

        // Then
        assertEquals("456", part.getData().toString(StandardCharsets.UTF_8));
        assertEquals(10, part.getTotalSizeBytes());
        assertEquals(false, part.getEof());
        assertEquals("789", rest.getData().toString(StandardCharsets.UTF_8));
        assertTrue(rest.getEof());
        var failure = assertThrows(StatusRuntimeException.class, () -> invoker.readOutput(ReadOutputRequest.newBuilder()
                .setHandle(handle).setPrincipal(user("bob", "globex")).build()));
        assertEquals(Status.Code.NOT_FOUND, failure.getStatus().getCode());
    }

    @Test
    void refusesAgentsAndAnonymousCallers() {
        var anonymous = assertThrows(StatusRuntimeException.class, () -> ledger.getRun(GetRunRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode());
        var agent = assertThrows(StatusRuntimeException.class,
                () -> as(OidcStubResource.tokens().agent()).getRun(GetRunRequest.getDefaultInstance()));
        assertEquals(Status.Code.PERMISSION_DENIED, agent.getStatus().getCode());
        var noPrincipal = assertThrows(StatusRuntimeException.class,
                () -> as(OidcStubResource.tokens().service("invoker-service")).getRun(GetRunRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, noPrincipal.getStatus().getCode());
    }
}
