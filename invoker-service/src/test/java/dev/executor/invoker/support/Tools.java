package dev.executor.invoker.support;

import dev.executor.catalog.v1.GraphqlBinding;
import dev.executor.catalog.v1.HttpBinding;
import dev.executor.catalog.v1.HttpParameter;
import dev.executor.catalog.v1.LaneFacts;
import dev.executor.catalog.v1.ParameterLocation;
import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.catalog.v1.SourceFacts;
import dev.executor.catalog.v1.Tool;
import dev.executor.common.v1.ConnectionRef;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.ReviewState;
import dev.executor.common.v1.Scope;
import dev.executor.common.v1.SideEffect;

/** Resolved tools as the catalog would describe them, pointing at {@link Upstream}. */
public final class Tools {

    private Tools() {
    }

    public static final Principal ALICE = Principal.newBuilder().setSubject("sub-alice").setUsername("alice")
            .addRoles("executor-agent").setAgent(true).setClientId("executor-agent").setOrg("acme").addWorkspaces("payments").build();

    /** Registers an HTTP tool {@code api.acme.work.<name>} with the fake catalog and returns its address. */
    public static String http(String name, SideEffect effect, String inputSchema, HttpBinding binding) {
        String address = "api.acme.work." + name;
        Fakes.tool(address, ResolveToolResponse.newBuilder()
                .setTool(Tool.newBuilder().setId("src-api/" + name).setSourceId("src-api").setName(name).setDescription(name)
                        .setInputSchemaJson(inputSchema).setSideEffect(effect).setReviewState(ReviewState.ACCEPTED)
                        .setManifestVersion("m1"))
                .setSource(SourceFacts.newBuilder().setId("src-api").setName("api").setKind("openapi")
                        .setScope(Scope.newBuilder().setKind("org").setId("acme")).addDeclaredHosts("127.0.0.1")
                        .setBaseUrl(Upstream.get().baseUrl()))
                .setManifestVersion("m1")
                .setLane(LaneFacts.newBuilder().setLane("http").setHttp(binding))
                .setConnection(ConnectionRef.newBuilder().setScope(Scope.newBuilder().setKind("org").setId("acme")).setSource("api")
                        .setName("work"))
                .build());
        return address;
    }

    public static String graphql(String name, String document, String inputSchema) {
        String address = "gql.acme.work." + name;
        Fakes.tool(address, ResolveToolResponse.newBuilder()
                .setTool(Tool.newBuilder().setId("src-gql/" + name).setSourceId("src-gql").setName(name).setDescription(name)
                        .setInputSchemaJson(inputSchema).setSideEffect(SideEffect.READ).setReviewState(ReviewState.ACCEPTED)
                        .setManifestVersion("g1"))
                .setSource(SourceFacts.newBuilder().setId("src-gql").setName("gql").setKind("graphql")
                        .setScope(Scope.newBuilder().setKind("org").setId("acme")).addDeclaredHosts("127.0.0.1")
                        .setBaseUrl(Upstream.get().baseUrl()))
                .setManifestVersion("g1")
                .setLane(LaneFacts.newBuilder().setLane("graphql").setGraphql(GraphqlBinding.newBuilder().setEndpointPath("/graphql")
                        .setDocument(document).setOperationType("query")))
                .setConnection(ConnectionRef.newBuilder().setScope(Scope.newBuilder().setKind("org").setId("acme")).setSource("gql")
                        .setName("work"))
                .build());
        return address;
    }

    public static HttpBinding.Builder binding(String method, String path) {
        return HttpBinding.newBuilder().setMethod(method).setPathTemplate(path);
    }

    public static HttpParameter param(String name, ParameterLocation location, boolean required) {
        return HttpParameter.newBuilder().setName(name).setArgument(name).setLocation(location).setRequired(required).build();
    }
}
