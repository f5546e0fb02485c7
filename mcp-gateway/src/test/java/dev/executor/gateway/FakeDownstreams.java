package dev.executor.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;

import dev.executor.catalog.v1.CatalogServiceGrpc;
import dev.executor.catalog.v1.DescribeToolRequest;
import dev.executor.catalog.v1.DescribeToolResponse;
import dev.executor.catalog.v1.ListSourcesRequest;
import dev.executor.catalog.v1.ListSourcesResponse;
import dev.executor.catalog.v1.SearchToolsRequest;
import dev.executor.catalog.v1.SearchToolsResponse;
import dev.executor.catalog.v1.Source;
import dev.executor.catalog.v1.SourceStatus;
import dev.executor.catalog.v1.Tool;
import dev.executor.catalog.v1.ToolSummary;
import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.ReviewState;
import dev.executor.common.v1.RunStatus;
import dev.executor.common.v1.Scope;
import dev.executor.common.v1.SideEffect;
import dev.executor.common.v1.Verdict;
import dev.executor.common.v1.Violation;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.v1.ApprovalRequest;
import dev.executor.invoker.v1.InvokeRequest;
import dev.executor.invoker.v1.InvokeResponse;
import dev.executor.invoker.v1.InvokerServiceGrpc;
import dev.executor.ledger.v1.GetRunRequest;
import dev.executor.ledger.v1.GetRunResponse;
import dev.executor.ledger.v1.ReadOutputRequest;
import dev.executor.ledger.v1.ReadOutputResponse;
import dev.executor.ledger.v1.Run;
import dev.executor.ledger.v1.RunLedgerGrpc;
import dev.executor.policy.v1.ApprovalMode;
import dev.executor.policy.v1.DecideRequest;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.policy.v1.FilterVisibleRequest;
import dev.executor.policy.v1.FilterVisibleResponse;
import dev.executor.policy.v1.HiddenAddress;
import dev.executor.policy.v1.PolicyServiceGrpc;
import dev.executor.policy.v1.ResolveScopesRequest;
import dev.executor.policy.v1.ResolveScopesResponse;
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

/**
 * Test stand-ins for the four services the gateway calls, on one real gRPC server: scripted
 * answers per tool address, and a record of every request and of the {@code authorization} header
 * it arrived with, for the tests to assert on.
 *
 * <p>Script (addresses under {@code petstore.acme.work.}): {@code get_pet} succeeds with a small
 * object (output schema declared), {@code list_pets} succeeds with a stored output (handle),
 * {@code get_pett} is unknown (suggests {@code get_pet}), {@code create_pet} has invalid arguments,
 * {@code delete_pet} waits for approval (approval mode ANY), {@code purge_pets} too (LEDGER_ONLY),
 * {@code drop_db} is blocked by a policy; {@code camera_snapshot} is a tool of an {@code mcp} source
 * whose output is the upstream CallToolResult (text + image).
 */
public final class FakeDownstreams {

    public static final String PREFIX = "petstore.acme.work.";
    public static final String LARGE_OUTPUT = largeOutput();

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of(ErrorReasons.DETAIL_TRAILER, Metadata.BINARY_BYTE_MARSHALLER);

    /** Off for benchmarks: recording every request would dominate the measurement. */
    public static volatile boolean recording = true;

    public static final List<SearchToolsRequest> searches = new CopyOnWriteArrayList<>();
    public static final List<InvokeRequest> invocations = new CopyOnWriteArrayList<>();
    public static final List<DescribeToolRequest> describes = new CopyOnWriteArrayList<>();
    public static final List<GetRunRequest> runReads = new CopyOnWriteArrayList<>();
    public static final List<ReadOutputRequest> outputReads = new CopyOnWriteArrayList<>();
    public static final List<String> authorizations = new CopyOnWriteArrayList<>();
    static final Map<String, Run> runs = new ConcurrentHashMap<>();
    private static final AtomicInteger ids = new AtomicInteger();

    /**
     * Toolkits whose membership a test changes while the gateway runs (tool names under
     * {@link #PREFIX}); search and FilterVisible answer from here for these toolkits.
     */
    public static final Map<String, List<String>> toolkits = new ConcurrentHashMap<>();

    /** Decisions posted to the fake run-ledger REST API: "runId outcome subject". */
    public static final List<String> decisions = new CopyOnWriteArrayList<>();

    private static Server server;
    private static com.sun.net.httpserver.HttpServer ledgerHttp;

    private FakeDownstreams() {
    }

    static synchronized int start(int port) {
        if (server == null) {
            ServerInterceptor recordAuth = new ServerInterceptor() {
                @Override
                public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                    if (recording && !call.getMethodDescriptor().getFullMethodName().startsWith("grpc.health")) {
                        String auth = headers.get(AUTHORIZATION);
                        authorizations.add(auth == null ? "" : auth);
                    }
                    return next.startCall(call, headers);
                }
            };
            try {
                server = ServerBuilder.forPort(port)
                        .addService(new Health())
                        .addService(ServerInterceptors.intercept(new Catalog(), recordAuth))
                        .addService(ServerInterceptors.intercept(new Invoker(), recordAuth))
                        .addService(ServerInterceptors.intercept(new Ledger(), recordAuth))
                        .addService(ServerInterceptors.intercept(new Policy(), recordAuth))
                        .build().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server.getPort();
    }

    /** A stand-in for run-ledger's REST approvals API; approves like the real one only for a person with executor-approver. */
    static synchronized int startLedgerHttp() {
        if (ledgerHttp == null) {
            try {
                ledgerHttp = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ledgerHttp.createContext("/api/approvals/", exchange -> {
                String[] parts = exchange.getRequestURI().getPath().split("/");
                String runId = parts[3];
                String outcome = parts[4];
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                Map<String, Object> claims = auth == null ? Map.of()
                        : dev.executor.launcher.infra.KeycloakServer.claims(auth.substring("Bearer ".length()));
                Object roles = claims.get("realm_access") instanceof Map<?, ?> ra ? ra.get("roles") : null;
                boolean approver = roles instanceof List<?> l && l.contains("executor-approver") && !l.contains("executor-agent");
                byte[] body;
                int status;
                if (!approver) {
                    status = 403;
                    body = "{\"title\":\"Forbidden\",\"detail\":\"Approvals are a human action for holders of executor-approver\"}"
                            .getBytes(StandardCharsets.UTF_8);
                } else {
                    decisions.add(runId + " " + outcome + " " + claims.get("sub"));
                    Run run = runs.get(runId);
                    if (run != null) {
                        runs.put(runId, "approve".equals(outcome)
                                ? run.toBuilder().setStatus(RunStatus.SUCCEEDED).setOutputJson("{\"deleted\":3}").build()
                                : run.toBuilder().setStatus(RunStatus.DENIED).build());
                    }
                    status = 200;
                    body = ("{\"runId\":\"" + runId + "\",\"outcome\":\"" + outcome + "\"}").getBytes(StandardCharsets.UTF_8);
                }
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            ledgerHttp.start();
        }
        return ledgerHttp.getAddress().getPort();
    }

    static synchronized void stop() {
        if (ledgerHttp != null) {
            ledgerHttp.stop(0);
            ledgerHttp = null;
        }
        if (server != null) {
            try {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }

    public static InvokeRequest lastInvocation() {
        return invocations.get(invocations.size() - 1);
    }

    public static SearchToolsRequest lastSearch() {
        return searches.get(searches.size() - 1);
    }

    static String largeOutput() {
        StringBuilder b = new StringBuilder("{\"pets\":[");
        for (int i = 0; i < 400; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"name\":\"pet number ").append(i).append("\"}");
        }
        return b.append("]}").toString();
    }

    static io.grpc.StatusRuntimeException refusal(Status status, ErrorDetail detail) {
        Metadata trailers = new Metadata();
        trailers.put(REASON, detail.getReason());
        trailers.put(DETAIL, detail.toByteArray());
        return status.withDescription(detail.getMessage()).asRuntimeException(trailers);
    }

    static Tool tool(String name) {
        return switch (name) {
            case "get_pet" -> Tool.newBuilder().setName("get_pet").setId("src-1/get_pet").setSourceId("src-1")
                    .setDescription("Fetch one pet by id.")
                    .setInputSchemaJson("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}},\"required\":[\"id\"]}")
                    .setOutputSchemaJson("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}}}")
                    .setSideEffect(SideEffect.READ).setReviewState(ReviewState.ACCEPTED)
                    .setSignature("get_pet(id: integer) -> Pet").build();
            case "list_pets" -> Tool.newBuilder().setName("list_pets").setId("src-1/list_pets").setSourceId("src-1")
                    .setDescription("List every pet.").setInputSchemaJson("{\"type\":\"object\",\"properties\":{}}")
                    .setSideEffect(SideEffect.READ).setReviewState(ReviewState.ACCEPTED).setSignature("list_pets() -> Pet[]").build();
            case "delete_pet", "purge_pets" -> Tool.newBuilder().setName("delete_pet").setId("src-1/delete_pet").setSourceId("src-1")
                    .setDescription("Delete a pet.").setInputSchemaJson("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}")
                    .setSideEffect(SideEffect.DESTRUCTIVE).setReviewState(ReviewState.ACCEPTED).setSignature("delete_pet(id: integer)").build();
            case "camera_snapshot" -> Tool.newBuilder().setName("camera_snapshot").setId("src-2/camera_snapshot").setSourceId("src-2")
                    .setDescription("A photo from an upstream MCP server.").setInputSchemaJson("{\"type\":\"object\"}")
                    .setSideEffect(SideEffect.READ).setReviewState(ReviewState.ACCEPTED).setSignature("camera_snapshot()").build();
            default -> null;
        };
    }

    static final class Health extends HealthGrpc.HealthImplBase {
        @Override
        public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> reply) {
            reply.onNext(HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).build());
            reply.onCompleted();
        }
    }

    static final class Catalog extends CatalogServiceGrpc.CatalogServiceImplBase {
        @Override
        public void listSources(ListSourcesRequest request, StreamObserver<ListSourcesResponse> reply) {
            reply.onNext(ListSourcesResponse.newBuilder()
                    .addSources(Source.newBuilder().setName("github").setKind("openapi").setStatus(SourceStatus.CONNECTED).setToolCount(12))
                    .addSources(Source.newBuilder().setName("petstore").setKind("openapi").setStatus(SourceStatus.CONNECTED).setToolCount(3))
                    .build());
            reply.onCompleted();
        }

        @Override
        public void searchTools(SearchToolsRequest request, StreamObserver<SearchToolsResponse> reply) {
            if (recording) {
                searches.add(request);
            }
            SearchToolsResponse.Builder out = SearchToolsResponse.newBuilder();
            List<String> names = toolkits.getOrDefault(request.getToolkit(),
                    "triage".equals(request.getToolkit()) ? List.of("get_pet") : List.of("get_pet", "list_pets"));
            double score = names.size();
            for (String n : names) {
                Tool t = tool(n);
                out.addTools(ToolSummary.newBuilder().setAddress(PREFIX + n).setName(n).setDescription(t.getDescription())
                        .setSideEffect(t.getSideEffect()).setScore(score--).setSignature(t.getSignature()));
            }
            reply.onNext(out.setTotal(names.size()).build());
            reply.onCompleted();
        }

        @Override
        public void describeTool(DescribeToolRequest request, StreamObserver<DescribeToolResponse> reply) {
            if (recording) {
                describes.add(request);
            }
            String address = request.getAddress();
            Tool t = address.startsWith(PREFIX) ? tool(address.substring(PREFIX.length())) : null;
            if (t == null) {
                reply.onError(refusal(Status.NOT_FOUND, ErrorDetail.newBuilder().setReason(ErrorReasons.TOOL_NOT_FOUND)
                        .setMessage("No tool '" + address + "'.").addSuggestions(PREFIX + "get_pet").addSuggestions(PREFIX + "list_pets")
                        .build()));
                return;
            }
            reply.onNext(DescribeToolResponse.newBuilder().setAddress(address).setTool(t)
                    .setSourceKind(t.getName().equals("camera_snapshot") ? "mcp" : "openapi").build());
            reply.onCompleted();
        }
    }

    static final class Invoker extends InvokerServiceGrpc.InvokerServiceImplBase {
        @Override
        public void invoke(InvokeRequest request, StreamObserver<InvokeResponse> reply) {
            if (recording) {
                invocations.add(request);
            }
            String runId = "run-" + ids.incrementAndGet();
            String tool = request.getAddress().startsWith(PREFIX) ? request.getAddress().substring(PREFIX.length()) : "";
            InvokeResponse.Builder out = InvokeResponse.newBuilder().setRunId(runId);
            switch (tool) {
                case "get_pet" -> out.setStatus(RunStatus.SUCCEEDED).setVerdict(Verdict.ALLOW).setOutputJson("{\"id\":7,\"name\":\"Rex\"}")
                        .setOutputSizeBytes(22);
                case "camera_snapshot" -> {
                    if (request.getArgumentsJson().contains("\"lens_cap\"")) {
                        // the upstream MCP tool reported an error: the invoker fails the Run and keeps its CallToolResult
                        out.setStatus(RunStatus.FAILED).setVerdict(Verdict.ALLOW).setOutputJson(
                                "{\"content\":[{\"type\":\"text\",\"text\":\"the lens cap is on\"}],\"isError\":true}")
                                .setError(ErrorDetail.newBuilder().setReason(ErrorReasons.UPSTREAM_ERROR)
                                        .setMessage(request.getAddress() + " reported an error; see the output for what it said."));
                    } else {
                        out.setStatus(RunStatus.SUCCEEDED).setVerdict(Verdict.ALLOW).setOutputJson(
                                "{\"content\":[{\"type\":\"text\",\"text\":\"snap\"},{\"type\":\"image\",\"data\":\"iVBORw0KGgo=\",\"mimeType\":\"image/png\"}]}");
                    }
                }
                case "list_pets" -> out.setStatus(RunStatus.SUCCEEDED).setVerdict(Verdict.ALLOW).setOutputHandle("out-" + runId)
                        .setOutputSizeBytes(LARGE_OUTPUT.length());
                case "delete_pet", "purge_pets" -> out.setStatus(RunStatus.PENDING_APPROVAL).setVerdict(Verdict.REQUIRE_APPROVAL)
                        .setApproval(ApprovalRequest.newBuilder().setExpiresAt(Timestamp.newBuilder().setSeconds(4102444800L)));
                case "drop_db" -> out.setStatus(RunStatus.BLOCKED).setVerdict(Verdict.BLOCK)
                        .setError(ErrorDetail.newBuilder().setReason(ErrorReasons.POLICY_BLOCKED)
                                .setMessage("Blocked by policy 'no-drops' on source petstore in scope org:acme.")
                                .putMetadata("policy", "no-drops").putMetadata("scope", "org:acme"));
                case "create_pet" -> {
                    reply.onError(refusal(Status.INVALID_ARGUMENT, ErrorDetail.newBuilder().setReason(ErrorReasons.INVALID_ARGUMENTS)
                            .setMessage("The arguments do not match the input schema of " + request.getAddress() + ".")
                            .addViolations(Violation.newBuilder().setPath("").setMessage("required property 'name' is missing").setKeyword("required"))
                            .addViolations(Violation.newBuilder().setPath("/age").setMessage("must be an integer").setKeyword("type"))
                            .build()));
                    return;
                }
                default -> {
                    reply.onError(refusal(Status.NOT_FOUND, ErrorDetail.newBuilder().setReason(ErrorReasons.TOOL_NOT_FOUND)
                            .setMessage("No tool '" + request.getAddress() + "'. Did you mean '" + PREFIX + "get_pet'?")
                            .addSuggestions(PREFIX + "get_pet").addSuggestions(PREFIX + "list_pets").build()));
                    return;
                }
            }
            InvokeResponse response = out.build();
            Run.Builder run = Run.newBuilder().setId(runId).setAddress(request.getAddress()).setStatus(response.getStatus())
                    .setToolkit(request.getToolkit()).addPrincipalChain(request.getPrincipal());
            if (response.hasError()) {
                run.setError(response.getError());
            }
            if (response.getOutputCase() == InvokeResponse.OutputCase.OUTPUT_JSON) {
                run.setOutputJson(response.getOutputJson());
            } else if (response.getOutputCase() == InvokeResponse.OutputCase.OUTPUT_HANDLE) {
                run.setOutputHandle(response.getOutputHandle()).setOutputSizeBytes(response.getOutputSizeBytes());
            }
            if (recording) {
                runs.put(runId, run.build());
            }
            reply.onNext(response);
            reply.onCompleted();
        }
    }

    static final class Ledger extends RunLedgerGrpc.RunLedgerImplBase {
        @Override
        public void getRun(GetRunRequest request, StreamObserver<GetRunResponse> reply) {
            if (recording) {
                runReads.add(request);
            }
            Run run = runs.get(request.getRunId());
            boolean mine = run != null && run.getPrincipalChain(0).getSubject().equals(request.getPrincipal().getSubject());
            if (!mine) {
                reply.onError(refusal(Status.NOT_FOUND, ErrorDetail.newBuilder().setReason(ErrorReasons.RUN_NOT_FOUND)
                        .setMessage("No run '" + request.getRunId() + "' visible to you.").build()));
                return;
            }
            reply.onNext(GetRunResponse.newBuilder().setRun(run).build());
            reply.onCompleted();
        }

        @Override
        public void readOutput(ReadOutputRequest request, StreamObserver<ReadOutputResponse> reply) {
            if (recording) {
                outputReads.add(request);
            }
            byte[] all = LARGE_OUTPUT.getBytes(StandardCharsets.UTF_8);
            boolean known = runs.values().stream().anyMatch(r -> r.getOutputHandle().equals(request.getHandle())
                    && r.getPrincipalChain(0).getSubject().equals(request.getPrincipal().getSubject()));
            if (!known) {
                reply.onError(refusal(Status.NOT_FOUND, ErrorDetail.newBuilder().setReason(ErrorReasons.RUN_NOT_FOUND)
                        .setMessage("No output '" + request.getHandle() + "' visible to you.").build()));
                return;
            }
            int from = (int) Math.min(request.getOffset(), all.length);
            int max = request.getMaxBytes() <= 0 ? 1 << 20 : Math.min(request.getMaxBytes(), 4096);
            int to = Math.min(all.length, from + max);
            reply.onNext(ReadOutputResponse.newBuilder().setData(ByteString.copyFrom(all, from, to - from)).setOffset(from)
                    .setTotalSizeBytes(all.length).setEof(to == all.length).setContentType("application/json").build());
            reply.onCompleted();
        }
    }

    static final class Policy extends PolicyServiceGrpc.PolicyServiceImplBase {
        @Override
        public void resolveScopes(ResolveScopesRequest request, StreamObserver<ResolveScopesResponse> reply) {
            var p = request.getPrincipal();
            ResolveScopesResponse.Builder out = ResolveScopesResponse.newBuilder();
            if (!p.getOrg().isEmpty()) {
                out.addScopeChain(Scope.newBuilder().setKind("org").setId(p.getOrg()));
            }
            p.getWorkspacesList().forEach(w -> out.addScopeChain(Scope.newBuilder().setKind("workspace").setId(w)));
            out.addScopeChain(Scope.newBuilder().setKind("user").setId(p.getUsername()));
            reply.onNext(out.build());
            reply.onCompleted();
        }

        /** Toolkit "triage" holds only get_pet; without a toolkit everything is visible. */
        @Override
        public void filterVisible(FilterVisibleRequest request, StreamObserver<FilterVisibleResponse> reply) {
            FilterVisibleResponse.Builder out = FilterVisibleResponse.newBuilder();
            List<String> members = toolkits.get(request.getToolkit());
            for (String address : request.getCandidateAddressesList()) {
                boolean visible = members != null ? members.stream().anyMatch(m -> address.equals(PREFIX + m))
                        : !"triage".equals(request.getToolkit()) || address.equals(PREFIX + "get_pet");
                if (visible) {
                    out.addVisibleAddresses(address);
                } else {
                    out.addHidden(HiddenAddress.newBuilder().setAddress(address).setReason(ErrorReasons.NOT_VISIBLE));
                }
            }
            reply.onNext(out.build());
            reply.onCompleted();
        }

        @Override
        public void decide(DecideRequest request, StreamObserver<DecideResponse> reply) {
            boolean ledgerOnly = request.getAddress().endsWith(".purge_pets");
            reply.onNext(DecideResponse.newBuilder().setVerdict(Verdict.REQUIRE_APPROVAL).setVisible(true)
                    .setApprovalMode(ledgerOnly ? ApprovalMode.LEDGER_ONLY : ApprovalMode.ANY).setReason(ErrorReasons.APPROVAL_REQUIRED).build());
            reply.onCompleted();
        }
    }
}
