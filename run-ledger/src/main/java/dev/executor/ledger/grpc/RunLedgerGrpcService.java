package dev.executor.ledger.grpc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;

import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.RunStatus;
import dev.executor.common.v1.Scope;
import dev.executor.common.v1.Surface;
import dev.executor.common.v1.Verdict;
import dev.executor.contracts.ErrorReasons;
import dev.executor.ledger.Caller;
import dev.executor.ledger.Run;
import dev.executor.ledger.persistence.RunRepository.ApprovalRow;
import dev.executor.ledger.persistence.RunRepository.TimelineEntry;
import dev.executor.ledger.service.LedgerException;
import dev.executor.ledger.service.RunQueryService;
import dev.executor.ledger.service.RunQueryService.Filter;
import dev.executor.ledger.v1.Approval;
import dev.executor.ledger.v1.ApprovalOutcome;
import dev.executor.ledger.v1.GetRunRequest;
import dev.executor.ledger.v1.GetRunResponse;
import dev.executor.ledger.v1.ListPendingApprovalsRequest;
import dev.executor.ledger.v1.ListPendingApprovalsResponse;
import dev.executor.ledger.v1.ListRunsRequest;
import dev.executor.ledger.v1.ListRunsResponse;
import dev.executor.ledger.v1.MutinyRunLedgerGrpc;
import dev.executor.ledger.v1.ReadOutputRequest;
import dev.executor.ledger.v1.ReadOutputResponse;
import dev.executor.ledger.v1.RunEventRecord;
import dev.executor.ledger.v1.StoreOutputRequest;
import dev.executor.ledger.v1.StoreOutputResponse;
import dev.executor.ledger.persistence.RunRepository;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * gRPC {@code executor.ledger.v1.RunLedger}, served on the HTTP port. Only other Executor services
 * call it (role {@code executor-service}); each request carries the end user's {@code Principal},
 * and the same visibility as REST applies to it: admin role → every Run; approver → Runs in their
 * scope chain and their own; anyone else → only Runs made for them. Read-only by design: approving
 * is not an RPC.
 *
 * <p>Each RPC is overridden here, not inherited: Quarkus applies the class-level
 * {@code @RolesAllowed} only to methods the class declares. Helpers are private or static: a
 * non-private instance method would be security-intercepted too, and a synchronous one called on
 * the event loop fails the (lazy) identity check.
 */
@GrpcService
@RolesAllowed("executor-service")
public class RunLedgerGrpcService extends MutinyRunLedgerGrpc.RunLedgerImplBase {

    private static final Logger LOG = Logger.getLogger(RunLedgerGrpcService.class);
    private static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of(ErrorReasons.DETAIL_TRAILER, Metadata.BINARY_BYTE_MARSHALLER);

    private final RunQueryService queries;
    private final ObjectMapper json;
    private final RunRepository runs;

    public RunLedgerGrpcService(RunQueryService queries, ObjectMapper json, RunRepository runs) {
        this.runs = runs;
        this.queries = queries;
        this.json = json;
    }

    @Override
    public Uni<GetRunResponse> getRun(GetRunRequest request) {
        return Uni.createFrom().deferred(() -> queries.get(caller(request.getPrincipal()).visibility(), request.getRunId(),
                request.getIncludeTimeline()))
                .map(d -> {
                    GetRunResponse.Builder b = GetRunResponse.newBuilder().setRun(toProto(d.run(), d.approvals()));
                    d.timeline().forEach(t -> b.addTimeline(toProto(t)));
                    return b.build();
                })
                .onFailure().transform(RunLedgerGrpcService::status);
    }

    @Override
    public Uni<ListRunsResponse> listRuns(ListRunsRequest request) {
        return Uni.createFrom().deferred(() -> {
            List<String> statuses = request.getStatusesList().stream()
                    .map(s -> s.name().toLowerCase(Locale.ROOT)).filter(Run.ALL::contains).toList();
            Filter f = new Filter(blank(request.getSubject()), request.hasScope() ? request.getScope().getId() : null,
                    blank(request.getAddress()), blank(request.getSource()), statuses,
                    request.hasFrom() ? instant(request.getFrom()) : null, request.hasTo() ? instant(request.getTo()) : null);
            return queries.list(caller(request.getPrincipal()).visibility(), f, request.getPage().getPageSize(),
                    request.getPage().getPageToken());
        }).map(p -> {
            ListRunsResponse.Builder b = ListRunsResponse.newBuilder();
            p.runs().forEach(r -> b.addRuns(toProto(r, List.of())));
            if (p.nextPageToken() != null) {
                b.setNextPageToken(p.nextPageToken());
            }
            return b.build();
        }).onFailure().transform(RunLedgerGrpcService::status);
    }

    @Override
    public Uni<ListPendingApprovalsResponse> listPendingApprovals(ListPendingApprovalsRequest request) {
        return Uni.createFrom().deferred(() -> queries.pending(caller(request.getPrincipal()).visibility(),
                request.hasScope() ? request.getScope().getId() : null, request.getPage().getPageSize(),
                request.getPage().getPageToken()))
                .map(p -> {
                    ListPendingApprovalsResponse.Builder b = ListPendingApprovalsResponse.newBuilder();
                    p.runs().forEach(r -> b.addRuns(toProto(r, List.of())));
                    if (p.nextPageToken() != null) {
                        b.setNextPageToken(p.nextPageToken());
                    }
                    return b.build();
                }).onFailure().transform(RunLedgerGrpcService::status);
    }

    @Override
    public Uni<ReadOutputResponse> readOutput(ReadOutputRequest request) {
        return Uni.createFrom().deferred(() -> queries.readOutput(caller(request.getPrincipal()).visibility(),
                request.getHandle(), request.getOffset(), request.getMaxBytes()))
                .map(slice -> ReadOutputResponse.newBuilder().setData(ByteString.copyFrom(slice.data()))
                        .setOffset(request.getOffset()).setTotalSizeBytes(slice.totalSize())
                        .setEof(request.getOffset() + slice.data().length >= slice.totalSize())
                        .setContentType(slice.contentType()).build())
                .onFailure().transform(RunLedgerGrpcService::status);
    }

    @Override
    public Uni<StoreOutputResponse> storeOutput(StoreOutputRequest request) {
        return Uni.createFrom().deferred(() -> {
            UUID runId;
            try {
                runId = UUID.fromString(request.getRunId());
            } catch (IllegalArgumentException e) {
                throw LedgerException.invalid("run_id must be a Run id (a UUID).");
            }
            if (request.getHandle().isBlank() || request.getHandle().length() > 200) {
                throw LedgerException.invalid("handle is required (at most 200 characters).");
            }
            String contentType = request.getContentType().isBlank() ? "application/json" : request.getContentType();
            return runs.storeOutput(request.getHandle(), runId, request.getData().toByteArray(), contentType)
                    .replaceWith(StoreOutputResponse.newBuilder().setHandle(request.getHandle())
                            .setSizeBytes(request.getData().size()).build());
        }).onFailure().transform(RunLedgerGrpcService::status);
    }

    /** The end user the calling service acts for; their roles and scope chain decide visibility. */
    static Caller caller(Principal p) {
        if (p == null || p.getSubject().isBlank()) {
            throw LedgerException.invalid("principal.subject is required: pass the end user the call is made for.");
        }
        List<String> ids = new ArrayList<>();
        for (Scope s : p.getScopeChainList()) {
            ids.add(s.getId());
        }
        var scopeIds = ids.isEmpty() ? Caller.scopeIds(blank(p.getOrg()), p.getWorkspacesList(), blank(p.getUsername()))
                : new java.util.LinkedHashSet<>(ids);
        var roles = java.util.Set.copyOf(p.getRolesList());
        return new Caller(p.getSubject(), p.getUsername(), p.getClientId(), roles, scopeIds,
                p.getAgent() || Caller.isMachine(roles, p.getUsername(), false));
    }

    private RunEventRecord toProto(TimelineEntry t) {
        return RunEventRecord.newBuilder().setEventId(t.eventId()).setSequence(t.sequence()).setType(t.type())
                .setOccurredAt(ts(t.occurredAt())).setStatus(status(t.status())).setDataJson(t.dataJson()).build();
    }

    private dev.executor.ledger.v1.Run toProto(Run r, List<ApprovalRow> approvals) {
        var b = dev.executor.ledger.v1.Run.newBuilder().setId(r.id.toString()).setStatus(status(r.status));
        if (r.parentRunId != null) {
            b.setParentRunId(r.parentRunId);
        }
        if (r.address != null) {
            b.setAddress(r.address);
        }
        if (r.manifestVersion != null) {
            b.setManifestVersion(r.manifestVersion);
        }
        for (JsonNode p : read(r.principalChain)) {
            b.addPrincipalChain(Principal.newBuilder().setSubject(p.path("subject").asText(""))
                    .setUsername(p.path("username").asText("")).setClientId(p.path("clientId").asText(""))
                    .setAgent(p.path("agent").asBoolean(false)));
        }
        if (r.toolkit != null) {
            b.setToolkit(r.toolkit);
        }
        if (r.policyVersion != null) {
            b.setPolicyVersion(r.policyVersion);
        }
        if (r.verdict != null) {
            b.setVerdict(Verdict.valueOf(r.verdict.toUpperCase(Locale.ROOT)));
        }
        if (r.inputHash != null) {
            b.setInputHash(r.inputHash);
        }
        if (r.output != null) {
            b.setOutputJson(r.output);
        } else if (r.outputHandle != null) {
            b.setOutputHandle(r.outputHandle);
        }
        if (r.outputSizeBytes != null) {
            b.setOutputSizeBytes(r.outputSizeBytes);
        }
        if (r.createdAt != null) {
            b.setRequestedAt(ts(r.createdAt));
        }
        if (r.admittedAt != null) {
            b.setAdmittedAt(ts(r.admittedAt));
        }
        if (r.startedAt != null) {
            b.setStartedAt(ts(r.startedAt));
        }
        if (r.finishedAt != null) {
            b.setFinishedAt(ts(r.finishedAt));
        }
        if (r.approvalExpiresAt != null && Run.PENDING_APPROVAL.equals(r.status)) {
            b.setApprovalExpiresAt(ts(r.approvalExpiresAt));
        }
        for (ApprovalRow a : approvals) {
            Approval.Builder ab = Approval.newBuilder().setOutcome(ApprovalOutcome.valueOf(a.outcome().toUpperCase(Locale.ROOT)))
                    .setDecidedAt(ts(a.decidedAt()));
            if (a.decidedBySubject() != null) {
                ab.setDecidedBy(Principal.newBuilder().setSubject(a.decidedBySubject())
                        .setUsername(a.decidedByName() == null ? "" : a.decidedByName()));
            }
            if (a.comment() != null) {
                ab.setComment(a.comment());
            }
            b.addApprovals(ab);
        }
        if (r.attempts != null) {
            b.setAttempts(r.attempts);
        }
        if (r.error != null) {
            JsonNode err = readOne(r.error);
            b.setError(ErrorDetail.newBuilder().setReason(err.path("reason").asText(""))
                    .setMessage(err.path("message").asText("")));
        }
        if (r.traceId != null) {
            b.setTraceId(r.traceId);
        }
        if (r.surface != null) {
            b.setSurface(Surface.valueOf(r.surface.toUpperCase(Locale.ROOT)));
        }
        if (r.idempotencyKey != null) {
            b.setIdempotencyKey(r.idempotencyKey);
        }
        return b.build();
    }

    private Iterable<JsonNode> read(String jsonArray) {
        JsonNode node = readOne(jsonArray == null ? "[]" : jsonArray);
        return node.isArray() ? node : List.of();
    }

    private JsonNode readOne(String text) {
        try {
            return json.readTree(text);
        } catch (Exception e) {
            return json.createObjectNode();
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static RunStatus status(String s) {
        return s == null ? RunStatus.RUN_STATUS_UNSPECIFIED : RunStatus.valueOf(s.toUpperCase(Locale.ROOT));
    }

    static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    static StatusRuntimeException status(Throwable e) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        Metadata trailers = new Metadata();
        if (e instanceof LedgerException le) {
            Status status = switch (le.kind()) {
                case NOT_FOUND -> Status.NOT_FOUND;
                case FORBIDDEN -> Status.PERMISSION_DENIED;
                case CONFLICT -> Status.ALREADY_EXISTS;
                case INVALID -> Status.INVALID_ARGUMENT;
            };
            trailers.put(REASON, le.reason());
            trailers.put(DETAIL, ErrorDetail.newBuilder().setReason(le.reason()).setMessage(le.getMessage()).build().toByteArray());
            return status.withDescription(le.getMessage()).asRuntimeException(trailers);
        }
        String incident = java.util.UUID.randomUUID().toString();
        LOG.errorf(e, "Unhandled RunLedger failure, incident %s", incident);
        trailers.put(REASON, ErrorReasons.INTERNAL);
        return Status.INTERNAL.withDescription("Something failed on our side; quote incident " + incident + ".")
                .asRuntimeException(trailers);
    }
}
