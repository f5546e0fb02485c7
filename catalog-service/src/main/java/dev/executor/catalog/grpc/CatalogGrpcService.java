package dev.executor.catalog.grpc;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;

import dev.executor.catalog.CatalogException;
import dev.executor.catalog.persistence.CatalogStore;
import dev.executor.catalog.persistence.CatalogStore.ToolRow;
import dev.executor.catalog.service.CatalogService;
import dev.executor.catalog.service.CatalogService.SourceView;
import dev.executor.catalog.service.ToolVisibility;
import dev.executor.catalog.source.SourceConfig;
import dev.executor.catalog.v1.AddSourceRequest;
import dev.executor.catalog.v1.AddSourceResponse;
import dev.executor.catalog.v1.AuthTemplate;
import dev.executor.catalog.v1.DescribeToolRequest;
import dev.executor.catalog.v1.DescribeToolResponse;
import dev.executor.catalog.v1.GetSourceRequest;
import dev.executor.catalog.v1.GetSourceResponse;
import dev.executor.catalog.v1.GraphqlBinding;
import dev.executor.catalog.v1.HttpBinding;
import dev.executor.catalog.v1.HttpParameter;
import dev.executor.catalog.v1.LaneFacts;
import dev.executor.catalog.v1.ListSourcesRequest;
import dev.executor.catalog.v1.ListSourcesResponse;
import dev.executor.catalog.v1.McpBinding;
import dev.executor.catalog.v1.McpServerConfig;
import dev.executor.catalog.v1.MutinyCatalogServiceGrpc;
import dev.executor.catalog.v1.ParameterLocation;
import dev.executor.catalog.v1.RefreshSourceRequest;
import dev.executor.catalog.v1.RefreshSourceResponse;
import dev.executor.catalog.v1.RemoveSourceRequest;
import dev.executor.catalog.v1.RemoveSourceResponse;
import dev.executor.catalog.v1.ResolveToolRequest;
import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.catalog.v1.SearchToolsRequest;
import dev.executor.catalog.v1.SearchToolsResponse;
import dev.executor.catalog.v1.Source;
import dev.executor.catalog.v1.SourceFacts;
import dev.executor.catalog.v1.SourceStatus;
import dev.executor.catalog.v1.Tool;
import dev.executor.catalog.v1.ToolSummary;
import dev.executor.common.v1.ConnectionRef;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.ReviewState;
import dev.executor.common.v1.Scope;
import dev.executor.common.v1.SideEffect;
import dev.executor.contracts.ErrorReasons;
import dev.executor.contracts.events.PrincipalRef;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * gRPC {@code executor.catalog.v1.CatalogService}, served on the HTTP port to other Executor
 * services (role {@code executor-service}). Errors are a status plus the reason and ErrorDetail
 * trailers; unknown addresses carry close-match suggestions.
 *
 * <p>Each RPC is overridden here, not inherited: Quarkus applies the class-level
 * {@code @RolesAllowed} only to methods the class declares.
 *
 * <p>Visibility: search and describe show only what {@code PolicyService.FilterVisible} says the
 * principal may see under the toolkit ({@link ToolVisibility}); a hidden address is described as
 * {@code TOOL_NOT_FOUND}, like an unknown one. Policy unavailable → {@code UNAVAILABLE}. List is
 * narrowed to the principal's scope chain.
 */
@GrpcService
@RolesAllowed("executor-service")
public class CatalogGrpcService extends MutinyCatalogServiceGrpc.CatalogServiceImplBase {

    private final CatalogService catalog;
    private final ToolVisibility visibility;
    private final CatalogStore store;
    private final ObjectMapper json;

    public CatalogGrpcService(CatalogService catalog, ToolVisibility visibility, CatalogStore store, ObjectMapper json) {
        this.catalog = catalog;
        this.visibility = visibility;
        this.store = store;
        this.json = json;
    }

    @Override
    public Uni<AddSourceResponse> addSource(AddSourceRequest request) {
        SourceConfig config = switch (request.getConfigCase()) {
            case URL -> new SourceConfig(request.getUrl(), null, null, null, List.of(), request.getAllowExternalRefs());
            case INLINE_DOCUMENT -> new SourceConfig(null, request.getInlineDocument(), null, null, List.of(), request.getAllowExternalRefs());
            case MCP -> new SourceConfig(request.getMcp().getUrl(), null, request.getMcp().getTransport(),
                    request.getMcp().getCommand().isEmpty() ? null : request.getMcp().getCommand(), request.getMcp().getArgsList(),
                    request.getAllowExternalRefs());
            default -> null;
        };
        if (config == null) {
            return Uni.createFrom().failure(GrpcErrors.status(ErrorReasons.INVALID_ARGUMENTS,
                    "Only url, inline_document and mcp configs are supported (CLI sources are not yet).", List.of()));
        }
        if (request.getAllowExternalRefs()) {
            return Uni.createFrom().failure(GrpcErrors.status(ErrorReasons.INVALID_ARGUMENTS,
                    "allow_external_refs is not supported yet: external $refs are never followed.", List.of()));
        }
        String scope = request.getScope().getKind() + ":" + request.getScope().getId();
        return catalog.add(new CatalogService.AddCommand(request.getName(), request.getKind(), scope, config), principal(request.getPrincipal()))
                .map(v -> AddSourceResponse.newBuilder().setSource(source(v)).build())
                .onFailure().transform(GrpcErrors::map);
    }

    @Override
    public Uni<RefreshSourceResponse> refreshSource(RefreshSourceRequest request) {
        return catalog.refresh(id(request.getSourceId()), request.getInlineDocument())
                .map(r -> RefreshSourceResponse.newBuilder().setSource(source(r.source())).addAllAdded(r.added())
                        .addAllChanged(r.changed()).addAllRetired(r.retired()).build())
                .onFailure().transform(GrpcErrors::map);
    }

    @Override
    public Uni<RemoveSourceResponse> removeSource(RemoveSourceRequest request) {
        return catalog.remove(id(request.getSourceId()), principal(request.getPrincipal()))
                .map(v -> RemoveSourceResponse.getDefaultInstance())
                .onFailure().transform(GrpcErrors::map);
    }

    @Override
    public Uni<GetSourceResponse> getSource(GetSourceRequest request) {
        return catalog.get(id(request.getSourceId()))
                .map(v -> GetSourceResponse.newBuilder().setSource(source(v)).build())
                .onFailure().transform(GrpcErrors::map);
    }

    @Override
    public Uni<ListSourcesResponse> listSources(ListSourcesRequest request) {
        Set<String> chain = chain(request.getPrincipal());
        String only = request.hasScope() ? request.getScope().getKind() + ":" + request.getScope().getId() : null;
        return catalog.list().map(all -> ListSourcesResponse.newBuilder().addAllSources(all.stream()
                .filter(v -> chain.contains(v.scope()) && (only == null || only.equals(v.scope())))
                .filter(v -> request.getKind().isEmpty() || request.getKind().equals(v.kind()))
                .map(this::source).toList()).build())
                .onFailure().transform(GrpcErrors::map);
    }

    @Override
    public Uni<SearchToolsResponse> searchTools(SearchToolsRequest request) {
        int size = request.getPage().getPageSize() <= 0 ? 20 : Math.min(request.getPage().getPageSize(), 100);
        int offset = parseToken(request.getPage().getPageToken());
        dev.executor.catalog.SideEffect effect = switch (request.getSideEffect()) {
            case READ -> dev.executor.catalog.SideEffect.READ;
            case WRITE -> dev.executor.catalog.SideEffect.WRITE;
            case DESTRUCTIVE -> dev.executor.catalog.SideEffect.DESTRUCTIVE;
            default -> null;
        };
        return visibility.search(request.getPrincipal(), request.getToolkit(), request.getQuery(), request.getSource(), effect, offset, size)
                .map(page -> {
                    SearchToolsResponse.Builder b = SearchToolsResponse.newBuilder().setTotal(page.total());
                    for (var v : page.hits()) {
                        var e = v.hit().entry();
                        b.addTools(ToolSummary.newBuilder().setAddress(v.address()).setName(e.name()).setDescription(e.description())
                                .setSideEffect(sideEffect(e.sideEffect().wire())).setScore(v.hit().score()).setSignature(e.signature()));
                    }
                    if (page.more()) {
                        b.setNextPageToken(String.valueOf(offset + size));
                    }
                    return b.build();
                }).onFailure().transform(GrpcErrors::map);
    }

    @Override
    public Uni<DescribeToolResponse> describeTool(DescribeToolRequest request) {
        return visibility.describe(request.getPrincipal(), request.getToolkit(), request.getAddress())
                .map(v -> DescribeToolResponse.newBuilder().setAddress(request.getAddress()).setTool(tool(v.tool()))
                        .setSourceKind(v.source().kind()).build())
                .onFailure().transform(GrpcErrors::map);
    }

    @Override
    public Uni<ResolveToolResponse> resolveTool(ResolveToolRequest request) {
        String[] parts = request.getAddress().split("\\.");
        if (parts.length != 4) {
            return Uni.createFrom().failure(GrpcErrors.status(ErrorReasons.TOOL_NOT_FOUND, "'" + request.getAddress()
                    + "' is not a tool address: expected <source>.<scope>.<connection>.<tool>.", List.of()));
        }
        return catalog.describe(request.getAddress()).chain(v -> store.connection(parts[0], parts[1], parts[2]).map(conn -> {
            if (conn == null) {
                throw new CatalogException(ErrorReasons.CONNECTION_NOT_FOUND, "Source " + parts[0] + " has no connection '" + parts[2]
                        + "' in scope " + parts[1] + ".");
            }
            switch (v.tool().reviewState()) {
                case "unreviewed" -> throw new CatalogException(ErrorReasons.TOOL_UNREVIEWED, "Tool " + v.tool().name()
                        + " arrived with a refresh and waits for an admin to accept it.");
                case "retired" -> throw new CatalogException(ErrorReasons.TOOL_RETIRED, "Tool " + v.tool().name()
                        + " no longer exists in the source's document.");
                default -> {
                }
            }
            return ResolveToolResponse.newBuilder().setTool(tool(v.tool()))
                    .setSource(SourceFacts.newBuilder().setId(v.source().id().toString()).setName(v.source().name()).setKind(v.source().kind())
                            .setScope(scope(v.source().scope())).addAllDeclaredHosts(list(v.source().declaredHostsJson()))
                            .setBaseUrl(v.source().baseUrl()))
                    .setManifestVersion(v.tool().manifestVersion())
                    .setLane(lane(v.tool().bindingJson()))
                    .setConnection(ConnectionRef.newBuilder().setScope(Scope.newBuilder().setKind(conn[1]).setId(parts[1]))
                            .setSource(parts[0]).setName(parts[2]))
                    .build();
        })).onFailure().transform(GrpcErrors::map);
    }

    // ---- mapping ---------------------------------------------------------------------------

    private Source source(SourceView v) {
        Source.Builder b = Source.newBuilder().setId(v.id().toString()).setName(v.name()).setKind(v.kind()).setScope(scope(v.scope()))
                .setStatus(SourceStatus.valueOf(v.status().toUpperCase(java.util.Locale.ROOT)))
                .addAllDeclaredHosts(v.declaredHosts()).setToolCount(v.toolCount()).setUnreviewedCount(v.unreviewedCount())
                .addAllWarnings(v.warnings()).setCreatedAt(ts(v.createdAt())).setUpdatedAt(ts(v.updatedAt()));
        if (v.statusMessage() != null) {
            b.setStatusMessage(v.statusMessage());
        }
        if (v.manifestVersion() != null) {
            b.setManifestVersion(v.manifestVersion());
        }
        return b.build();
    }

    private Tool tool(ToolRow t) {
        Tool.Builder b = Tool.newBuilder().setId(t.sourceId() + "/" + t.name()).setSourceId(t.sourceId().toString()).setName(t.name())
                .setDescription(t.description()).setInputSchemaJson(t.inputSchemaJson())
                .setSideEffect(sideEffect(t.sideEffect())).setReviewState(switch (t.reviewState()) {
                    case "accepted" -> ReviewState.ACCEPTED;
                    case "unreviewed" -> ReviewState.UNREVIEWED;
                    default -> ReviewState.RETIRED;
                }).setManifestVersion(t.manifestVersion()).setSignature(t.signature());
        if (t.outputSchemaJson() != null) {
            b.setOutputSchemaJson(t.outputSchemaJson());
        }
        try {
            JsonNode auth = json.readTree(t.authJson());
            AuthTemplate.Builder a = AuthTemplate.newBuilder().setType(auth.path("type").asText("none"))
                    .setLocation(auth.path("location").asText("")).setParameterName(auth.path("parameterName").asText(""));
            auth.path("oauthScopes").forEach(s -> a.addOauthScopes(s.asText()));
            b.setAuthTemplate(a);
            json.readTree(t.labelsJson()).fields().forEachRemaining(e -> b.putLabels(e.getKey(), e.getValue().asText()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return b.build();
    }

    private LaneFacts lane(String bindingJson) {
        try {
            JsonNode b = json.readTree(bindingJson);
            String lane = b.path("lane").asText();
            LaneFacts.Builder facts = LaneFacts.newBuilder().setLane(lane);
            switch (lane) {
                case "http" -> {
                    HttpBinding.Builder h = HttpBinding.newBuilder().setMethod(b.path("method").asText())
                            .setPathTemplate(b.path("pathTemplate").asText()).setBodyArgument(b.path("bodyArgument").asText(""))
                            .setBodyContentType(b.path("bodyContentType").asText(""));
                    b.path("bodyProperties").forEach(p -> h.addBodyProperties(p.asText()));
                    for (JsonNode p : b.path("parameters")) {
                        h.addParameters(HttpParameter.newBuilder().setName(p.path("name").asText())
                                .setLocation(ParameterLocation.valueOf(p.path("location").asText())).setArgument(p.path("argument").asText())
                                .setRequired(p.path("required").asBoolean()));
                    }
                    facts.setHttp(h);
                }
                case "graphql" -> facts.setGraphql(GraphqlBinding.newBuilder().setEndpointPath(b.path("endpointPath").asText())
                        .setDocument(b.path("document").asText()).setOperationName(b.path("operationName").asText())
                        .setOperationType(b.path("operationType").asText()));
                case "mcp" -> {
                    McpServerConfig.Builder server = McpServerConfig.newBuilder().setTransport(b.path("transport").asText(""))
                            .setUrl(b.path("url").asText("")).setCommand(b.path("command").asText(""));
                    b.path("args").forEach(a -> server.addArgs(a.asText()));
                    facts.setMcp(McpBinding.newBuilder().setServer(server).setUpstreamTool(b.path("upstreamTool").asText()));
                }
                default -> facts.setExtensionJson(bindingJson);
            }
            return facts.build();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> list(String jsonArray) {
        List<String> out = new ArrayList<>();
        try {
            json.readTree(jsonArray).forEach(n -> out.add(n.asText()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static SideEffect sideEffect(String wire) {
        return switch (wire) {
            case "read" -> SideEffect.READ;
            case "write" -> SideEffect.WRITE;
            default -> SideEffect.DESTRUCTIVE;
        };
    }

    private static Scope scope(String scope) {
        int colon = scope.indexOf(':');
        return Scope.newBuilder().setKind(colon < 0 ? "org" : scope.substring(0, colon)).setId(scope.substring(colon + 1)).build();
    }

    private static Set<String> chain(Principal principal) {
        Set<String> out = new HashSet<>();
        principal.getScopeChainList().forEach(s -> out.add(s.getKind() + ":" + s.getId()));
        return out;
    }

    private static PrincipalRef principal(Principal p) {
        return new PrincipalRef(p.getSubject().isEmpty() ? "unknown" : p.getSubject(), p.getUsername().isEmpty() ? null : p.getUsername(),
                p.getClientId().isEmpty() ? null : p.getClientId(), false);
    }

    private static Timestamp ts(java.time.Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    private static int parseToken(String token) {
        try {
            return token == null || token.isEmpty() ? 0 : Math.max(0, Integer.parseInt(token));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static UUID id(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw CatalogException.sourceNotFound(id);
        }
    }
}
