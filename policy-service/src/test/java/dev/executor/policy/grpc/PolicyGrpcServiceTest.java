package dev.executor.policy.grpc;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.executor.common.v1.Principal;
import dev.executor.common.v1.ReviewState;
import dev.executor.common.v1.Scope;
import dev.executor.common.v1.SideEffect;
import dev.executor.common.v1.Verdict;
import dev.executor.contracts.Topics;
import dev.executor.contracts.events.ConnectionCreated;
import dev.executor.contracts.events.ConnectionRef;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.contracts.events.ScopeRef;
import dev.executor.contracts.events.SourceAdded;
import dev.executor.contracts.events.SourceRemoved;
import dev.executor.contracts.events.SourceStatus;
import dev.executor.policy.TestKafka;
import dev.executor.policy.v1.DecideRequest;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.policy.v1.FilterVisibleRequest;
import dev.executor.policy.v1.FilterVisibleResponse;
import dev.executor.policy.v1.GetPolicyVersionRequest;
import dev.executor.policy.v1.PolicyServiceGrpc.PolicyServiceBlockingStub;
import dev.executor.policy.v1.RecordKind;
import dev.executor.policy.v1.ResolveScopesRequest;
import dev.executor.policy.v1.ToolFacts;
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
import io.restassured.http.ContentType;

/**
 * PolicyService through the real gRPC server with a service token, placements built by the real
 * Kafka consumers from catalog and connection events, and policies written through the admin API.
 * Each test works in its own org so tests never see each other's records.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "policy"))
@WithTestResource(KafkaResource.class)
@WithTestResource(OidcStubResource.class)
class PolicyGrpcServiceTest {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REASON = Metadata.Key.of("executor-error-reason", Metadata.ASCII_STRING_MARSHALLER);
    private static final PrincipalRef CATALOG_ADMIN = PrincipalRef.human("admin-sub", "dev");

    @GrpcClient("self")
    PolicyServiceBlockingStub policy;

    @jakarta.inject.Inject
    dev.executor.policy.service.CachingTokenIdentityProvider tokenCache;

    String org;
    String source;

    @BeforeEach
    void givenAnOrgWithAGithubSourceAndAWorkConnection() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        org = "o" + System.nanoTime();
        source = "gh" + System.nanoTime();
    }

    @Test
    void buildsPlacementsFromCatalogAndConnectionEvents() {
        // Given: nothing placed yet
        String address = source + "." + org + ".work.issues_create";
        assertEquals(List.of(), filter(alice(), "", address).getVisibleAddressesList());

        // When: catalog-service and secrets-proxy announce the source and its connection
        placeSourceAndConnection();

        // Then
        await().atMost(Duration.ofSeconds(10)).until(() -> filter(alice(), "", address).getVisibleAddressesCount() == 1);
        FilterVisibleResponse other = filter(principal("bob", "globex"), "", address);
        assertEquals(0, other.getVisibleAddressesCount());
        assertEquals("NOT_VISIBLE", other.getHidden(0).getReason());
    }

    @Test
    void decidesByThePluginDefaultUntilAnAdminPolicyApplies() {
        // Given
        placeSourceAndConnectionAndAwait();
        String address = source + "." + org + ".work.repos_delete";

        // When: no explicit policy
        DecideResponse byDefault = decide(alice(), "", address, SideEffect.DESTRUCTIVE);

        // Then
        assertEquals(Verdict.REQUIRE_APPROVAL, byDefault.getVerdict());
        assertEquals(RecordKind.PLUGIN_DEFAULT, byDefault.getMatchedRules(0).getRecordKind());
        assertEquals("openapi", byDefault.getMatchedRules(0).getRecordId());

        // When: an admin allows the source in the org (overriding the default)
        long version = createPolicy("org:" + org, "source", source, "allow");
        DecideResponse allowed = decide(alice(), "", address, SideEffect.DESTRUCTIVE);

        // Then: visible at once on this replica, explained, at the version the change produced
        assertEquals(Verdict.ALLOW, allowed.getVerdict());
        assertTrue(allowed.getVisible());
        assertEquals(version, allowed.getPolicyVersion());
        assertEquals(RecordKind.SOURCE, allowed.getMatchedRules(0).getRecordKind());
        assertEquals("org", allowed.getMatchedRules(0).getScope().getKind());

        // When: a workspace tightens it
        createPolicy("workspace:payments", "connection", source + "." + org + ".work", "block");

        // Then
        DecideResponse blocked = decide(alice(), "", address, SideEffect.DESTRUCTIVE);
        assertEquals(Verdict.BLOCK, blocked.getVerdict());
        assertEquals("POLICY_BLOCKED", blocked.getReason());
    }

    @Test
    void refusesAToolHiddenByAToolkitWithTheReasonFilterVisibleUses() {
        // Given: the source is allowed, but toolkit "triage" only holds issue tools
        placeSourceAndConnectionAndAwait();
        createPolicy("org:" + org, "source", source, "allow");
        given().auth().oauth2(OidcStubResource.tokens().admin()).contentType(ContentType.JSON)
                .body(Map.of("scope", "org:" + org, "name", "triage", "addresses", List.of("*.*.*.issues_*")))
                .post("/api/toolkits").then().statusCode(201);
        String hidden = source + "." + org + ".work.repos_delete";
        String shown = source + "." + org + ".work.issues_create";

        // When
        FilterVisibleResponse search = filter(alice(), "triage", shown, hidden);
        DecideResponse execute = decide(alice(), "triage", hidden, SideEffect.READ);

        // Then
        assertEquals(List.of(shown), search.getVisibleAddressesList());
        assertEquals(hidden, search.getHidden(0).getAddress());
        assertFalse(execute.getVisible());
        assertEquals(Verdict.BLOCK, execute.getVerdict());
        assertEquals(search.getHidden(0).getReason(), execute.getReason());
        assertEquals("NOT_VISIBLE", execute.getReason());
        assertEquals(RecordKind.TOOLKIT, execute.getMatchedRules(0).getRecordKind());
        assertEquals(Verdict.ALLOW, decide(alice(), "triage", shown, SideEffect.READ).getVerdict());
    }

    @Test
    void hidesAnUnreviewedToolFromSearchAndExecuteAlike() {
        // Given
        placeSourceAndConnectionAndAwait();
        String address = source + "." + org + ".work.issues_create";

        // When
        FilterVisibleResponse search = policy.withInterceptors(serviceToken()).filterVisible(FilterVisibleRequest.newBuilder()
                .setPrincipal(alice()).addCandidateAddresses(address).putReviewStates(address, ReviewState.UNREVIEWED).build());
        DecideResponse execute = authorized().decide(DecideRequest.newBuilder().setPrincipal(alice()).setAddress(address)
                .setTool(ToolFacts.newBuilder().setSideEffect(SideEffect.READ).setReviewState(ReviewState.UNREVIEWED)).build());

        // Then
        assertEquals("TOOL_UNREVIEWED", search.getHidden(0).getReason());
        assertEquals("TOOL_UNREVIEWED", execute.getReason());
        assertEquals(Verdict.BLOCK, execute.getVerdict());
    }

    @Test
    void forgetsARemovedSourceAndIgnoresARedeliveredEvent() {
        // Given
        String addedEventId = placeSourceAndConnectionAndAwait();
        String address = source + "." + org + ".work.issues_create";

        // When: the source is removed, then its SourceAdded event is delivered again
        TestKafka.send("/executor/catalog-service", new SourceRemoved("src-" + source, source, new ScopeRef("org", org),
                CATALOG_ADMIN, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> filter(alice(), "", address).getVisibleAddressesCount() == 0);
        var redelivered = TestKafka.envelope("/executor/catalog-service", sourceAdded());
        var sameId = new dev.executor.contracts.cloudevents.CloudEvent<>(redelivered.specversion(), addedEventId,
                redelivered.source(), redelivered.type(), redelivered.time(), null, redelivered.datacontenttype(), null,
                redelivered.data());
        TestKafka.send(Topics.CATALOG_EVENTS, "src-" + source, TestKafka.json(sameId));
        // a later, distinct event proves the redelivered one has been consumed
        String marker = "gh" + System.nanoTime();
        TestKafka.send("/executor/catalog-service", new SourceAdded("src-" + marker, marker, "openapi",
                new ScopeRef("org", org), SourceStatus.CONNECTED, List.of(), null, 0, CATALOG_ADMIN, Instant.now()));
        TestKafka.send("/executor/secrets-proxy", new ConnectionCreated("conn-" + marker,
                new ConnectionRef(new ScopeRef("org", org), marker, "work"), "src-" + marker, List.of(), CATALOG_ADMIN,
                Instant.now()));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> filter(alice(), "", marker + "." + org + ".work.x").getVisibleAddressesCount() == 1);

        // Then: the redelivered SourceAdded did not bring the source back
        assertEquals(0, filter(alice(), "", address).getVisibleAddressesCount());
    }

    @Test
    void sendsAPoisonMessageToTheDeadLetterTopicWithTheReason() {
        // Given
        try (var dlq = TestKafka.tail(Topics.dlq(Topics.CATALOG_EVENTS))) {
            String key = "poison-" + System.nanoTime();

            // When
            TestKafka.send(Topics.CATALOG_EVENTS, key, "{this is not a cloud event");

            // Then
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                dlq.poll(Duration.ofMillis(100)).forEach(seen::add);
                return seen.stream().anyMatch(r -> key.equals(r.key()));
            });
            var record = seen.stream().filter(r -> key.equals(r.key())).findFirst().orElseThrow();
            var reason = record.headers().lastHeader(Topics.DLQ_REASON_HEADER);
            assertTrue(reason != null && new String(reason.value()).contains("not a readable CloudEvent"),
                    "dead-letter reason header: " + (reason == null ? null : new String(reason.value())));
            // and the consumer carries on: the service stays ready and later events still apply
            placeSourceAndConnectionAndAwait();
            given().get("/q/health/ready").then().statusCode(200);
        }
    }

    @Test
    void refusesAnAgentCallingPolicyDirectly() {
        // Given
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + OidcStubResource.tokens().agent());

        // When
        var failure = assertThrows(StatusRuntimeException.class, () -> policy
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .getPolicyVersion(GetPolicyVersionRequest.getDefaultInstance()));

        // Then
        assertEquals(Status.Code.PERMISSION_DENIED, failure.getStatus().getCode());
        assertEquals("PERMISSION_DENIED", failure.getTrailers().get(REASON));
    }

    @Test
    void aCachedServiceTokenNeverLendsItsRoleToAnotherToken() {
        // Given: the service token was verified (and cached) by an earlier call
        String service = OidcStubResource.tokens().service("invoker-service");
        withToken(service).getPolicyVersion(GetPolicyVersionRequest.getDefaultInstance());
        assertTrue(tokenCache.cache().size() > 0);
        String[] parts = service.split("\\.");
        String agentPayload = OidcStubResource.tokens().agent().split("\\.")[1];

        // When: the same signature over an agent's claims, the same claims with a broken signature,
        // and an agent token, each sent after the service token was cached
        var forgedClaims = assertThrows(StatusRuntimeException.class, () -> withToken(parts[0] + "." + agentPayload + "." + parts[2])
                .getPolicyVersion(GetPolicyVersionRequest.getDefaultInstance()));
        var forgedSignature = assertThrows(StatusRuntimeException.class, () -> withToken(parts[0] + "." + parts[1] + "."
                + new StringBuilder(parts[2]).reverse()).getPolicyVersion(GetPolicyVersionRequest.getDefaultInstance()));
        var agent = assertThrows(StatusRuntimeException.class, () -> withToken(OidcStubResource.tokens().agent())
                .getPolicyVersion(GetPolicyVersionRequest.getDefaultInstance()));

        // Then: each is verified on its own and refused; the cached token still works
        assertEquals(Status.Code.UNAUTHENTICATED, forgedClaims.getStatus().getCode());
        assertEquals(Status.Code.UNAUTHENTICATED, forgedSignature.getStatus().getCode());
        assertEquals(Status.Code.PERMISSION_DENIED, agent.getStatus().getCode());
        assertTrue(withToken(service).getPolicyVersion(GetPolicyVersionRequest.getDefaultInstance()).getPolicyVersion() >= 0);
    }

    @Test
    void rejectsAMalformedAddressWithInvalidArguments() {
        // When
        var failure = assertThrows(StatusRuntimeException.class, () -> decide(alice(), "", "github.acme", SideEffect.READ));

        // Then
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.getStatus().getCode());
        assertEquals("INVALID_ARGUMENTS", failure.getTrailers().get(REASON));
        assertTrue(failure.getStatus().getDescription().contains("<source>.<scope>.<connection>.<tool>"));
    }

    @Test
    void resolvesTheScopeChainFromThePrincipalsClaims() {
        // When
        var full = authorized().resolveScopes(ResolveScopesRequest.newBuilder()
                .setPrincipal(Principal.newBuilder().setUsername("alice").setOrg("acme").addWorkspaces("payments")).build());
        var bare = authorized().resolveScopes(ResolveScopesRequest.newBuilder()
                .setPrincipal(Principal.newBuilder().setUsername("viewer")).build());

        // Then
        assertEquals(List.of("org:acme", "workspace:payments", "user:alice"),
                full.getScopeChainList().stream().map(s -> s.getKind() + ":" + s.getId()).toList());
        assertEquals(List.of("user:viewer"), bare.getScopeChainList().stream().map(s -> s.getKind() + ":" + s.getId()).toList());
    }

    @Test
    void derivesTheChainFromClaimsWhenTheCallerPassesNone() {
        // Given
        placeSourceAndConnectionAndAwait();
        String address = source + "." + org + ".work.issues_create";
        Principal claimsOnly = Principal.newBuilder().setUsername("alice").setOrg(org).build();

        // When / Then
        assertTrue(decide(claimsOnly, "", address, SideEffect.READ).getVisible());
        assertFalse(decide(Principal.newBuilder().setUsername("alice").build(), "", address, SideEffect.READ).getVisible());
    }

    @Test
    void answersThePolicyVersionOfTheLatestChange() {
        // Given
        long version = createPolicy("org:" + org, "source", "anything", "block");

        // When
        long answered = authorized().getPolicyVersion(GetPolicyVersionRequest.getDefaultInstance()).getPolicyVersion();

        // Then
        assertTrue(answered >= version);
    }

    // ---- helpers

    private Principal alice() {
        return Principal.newBuilder().setSubject("alice-sub").setUsername("alice")
                .addScopeChain(Scope.newBuilder().setKind("org").setId(org))
                .addScopeChain(Scope.newBuilder().setKind("workspace").setId("payments"))
                .addScopeChain(Scope.newBuilder().setKind("user").setId("alice"))
                .build();
    }

    private static Principal principal(String user, String orgId) {
        return Principal.newBuilder().setUsername(user).setOrg(orgId).build();
    }

    private SourceAdded sourceAdded() {
        return new SourceAdded("src-" + source, source, "openapi", new ScopeRef("org", org), SourceStatus.CONNECTED,
                List.of("api.github.com"), "sha256:1", 2, CATALOG_ADMIN, Instant.now());
    }

    private String placeSourceAndConnection() {
        String id = TestKafka.send("/executor/catalog-service", sourceAdded());
        TestKafka.send("/executor/secrets-proxy", new ConnectionCreated("conn-" + source,
                new ConnectionRef(new ScopeRef("org", org), source, "work"), "src-" + source, List.of(), CATALOG_ADMIN,
                Instant.now()));
        return id;
    }

    private String placeSourceAndConnectionAndAwait() {
        String id = placeSourceAndConnection();
        String address = source + "." + org + ".work.issues_create";
        await().atMost(Duration.ofSeconds(10)).until(() -> filter(alice(), "", address).getVisibleAddressesCount() == 1);
        return id;
    }

    private static long createPolicy(String scope, String kind, String attachedId, String verdict) {
        return given().auth().oauth2(OidcStubResource.tokens().admin()).contentType(ContentType.JSON)
                .body(Map.of("scope", scope, "attachedKind", kind, "attachedId", attachedId, "verdict", verdict))
                .post("/api/policies").then().statusCode(201).extract().jsonPath().getLong("version");
    }

    private DecideResponse decide(Principal principal, String toolkit, String address, SideEffect effect) {
        return authorized().decide(DecideRequest.newBuilder().setPrincipal(principal).setToolkit(toolkit).setAddress(address)
                .setTool(ToolFacts.newBuilder().setSideEffect(effect).setReviewState(ReviewState.ACCEPTED)).build());
    }

    private FilterVisibleResponse filter(Principal principal, String toolkit, String... candidates) {
        return authorized().filterVisible(FilterVisibleRequest.newBuilder().setPrincipal(principal).setToolkit(toolkit)
                .addAllCandidateAddresses(List.of(candidates)).build());
    }

    private PolicyServiceBlockingStub authorized() {
        return policy.withInterceptors(serviceToken());
    }

    private PolicyServiceBlockingStub withToken(String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return policy.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static io.grpc.ClientInterceptor serviceToken() {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + OidcStubResource.tokens().service("invoker-service"));
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }
}
