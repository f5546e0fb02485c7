package dev.executor.policy.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import jakarta.annotation.security.RolesAllowed;

import org.jboss.logging.Logger;

import dev.executor.common.v1.Principal;
import dev.executor.common.v1.ReviewState;
import dev.executor.common.v1.SideEffect;
import dev.executor.policy.Address;
import dev.executor.policy.ApprovalMode;
import dev.executor.policy.Decision;
import dev.executor.policy.Decision.MatchedRule;
import dev.executor.policy.Decision.Visibility;
import dev.executor.policy.Scope;
import dev.executor.policy.ScopeChain;
import dev.executor.policy.ToolFacts;
import dev.executor.policy.Verdict;
import dev.executor.policy.service.DecisionService;
import dev.executor.policy.service.DecisionService.SnapshotUnavailableException;
import dev.executor.policy.service.PolicyEngine;
import dev.executor.policy.v1.DecideRequest;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.policy.v1.FilterVisibleRequest;
import dev.executor.policy.v1.FilterVisibleResponse;
import dev.executor.policy.v1.GetPolicyVersionRequest;
import dev.executor.policy.v1.GetPolicyVersionResponse;
import dev.executor.policy.v1.HiddenAddress;
import dev.executor.policy.v1.MutinyPolicyServiceGrpc;
import dev.executor.policy.v1.RecordKind;
import dev.executor.policy.v1.ResolveScopesRequest;
import dev.executor.policy.v1.ResolveScopesResponse;
import dev.executor.policy.v1.Rule;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * gRPC {@code executor.policy.v1.PolicyService}, served on the HTTP port to other Executor services
 * ({@code executor-service} role). Decisions come from the in-memory snapshot
 * ({@link DecisionService}); no RPC touches the database, so each runs inline on the event loop.
 *
 * <p>The end user's scope chain is {@code principal.scope_chain} when the caller passes one, else it
 * is derived from the principal's {@code org}, {@code workspaces} and {@code username} (the token's
 * {@code executor_org}, {@code executor_workspaces} and {@code preferred_username} claims).
 *
 * <p>Each RPC is overridden here, not inherited: Quarkus applies the class-level
 * {@code @RolesAllowed} only to methods the class declares.
 */
@GrpcService
@RolesAllowed("executor-service")
public class PolicyGrpcService extends MutinyPolicyServiceGrpc.PolicyServiceImplBase {

    private static final Logger LOG = Logger.getLogger(PolicyGrpcService.class);

    private final DecisionService decisions;

    public PolicyGrpcService(DecisionService decisions) {
        this.decisions = decisions;
    }

    @Override
    public Uni<DecideResponse> decide(DecideRequest request) {
        return answer(() -> {
            ScopeChain chain = chainOf(request.hasPrincipal() ? request.getPrincipal() : null);
            Address address = address(request.getAddress());
            ToolFacts facts = new ToolFacts(sideEffect(request.getTool().getSideEffect()),
                    review(request.getTool().getReviewState()));
            Decision d = decisions.current().decide(chain, request.getToolkit(), address, facts);
            DecideResponse.Builder out = DecideResponse.newBuilder()
                    .setVerdict(verdict(d.verdict()))
                    .setVisible(d.visible())
                    .setPolicyVersion(d.policyVersion())
                    .setReason(d.reason());
            d.rules().forEach(r -> out.addMatchedRules(rule(r)));
            if (d.approvalMode() != null) {
                out.setApprovalMode(d.approvalMode() == ApprovalMode.LEDGER_ONLY
                        ? dev.executor.policy.v1.ApprovalMode.LEDGER_ONLY : dev.executor.policy.v1.ApprovalMode.ANY);
            }
            return out.build();
        });
    }

    @Override
    public Uni<FilterVisibleResponse> filterVisible(FilterVisibleRequest request) {
        return answer(() -> {
            ScopeChain chain = chainOf(request.hasPrincipal() ? request.getPrincipal() : null);
            PolicyEngine engine = decisions.current();
            FilterVisibleResponse.Builder out = FilterVisibleResponse.newBuilder().setPolicyVersion(engine.version());
            for (String candidate : request.getCandidateAddressesList()) {
                Visibility visibility;
                try {
                    ReviewState state = request.getReviewStatesOrDefault(candidate, ReviewState.REVIEW_STATE_UNSPECIFIED);
                    visibility = engine.searchVisibility(chain, request.getToolkit(), Address.parse(candidate), review(state));
                } catch (IllegalArgumentException malformed) {
                    visibility = new Visibility(false, dev.executor.contracts.ErrorReasons.NOT_VISIBLE, List.of());
                }
                if (visibility.visible()) {
                    out.addVisibleAddresses(candidate);
                } else {
                    out.addHidden(HiddenAddress.newBuilder().setAddress(candidate).setReason(visibility.reason()));
                }
            }
            return out.build();
        });
    }

    @Override
    public Uni<ResolveScopesResponse> resolveScopes(ResolveScopesRequest request) {
        return answer(() -> {
            if (!request.hasPrincipal()) {
                throw GrpcErrors.invalid("A principal is required.");
            }
            Principal p = request.getPrincipal();
            ScopeChain chain = ScopeChain.fromClaims(p.getOrg(), p.getWorkspacesList(), p.getUsername());
            ResolveScopesResponse.Builder out = ResolveScopesResponse.newBuilder();
            chain.scopes().forEach(s -> out.addScopeChain(scope(s)));
            return out.build();
        });
    }

    @Override
    public Uni<GetPolicyVersionResponse> getPolicyVersion(GetPolicyVersionRequest request) {
        return answer(() -> GetPolicyVersionResponse.newBuilder().setPolicyVersion(decisions.current().version()).build());
    }

    private static <T> Uni<T> answer(Supplier<T> body) {
        try {
            return Uni.createFrom().item(body.get());
        } catch (StatusRuntimeException e) {
            return Uni.createFrom().failure(e);
        } catch (SnapshotUnavailableException e) {
            return Uni.createFrom().failure(GrpcErrors.unavailable(e.getMessage()));
        } catch (RuntimeException e) {
            String incident = java.util.UUID.randomUUID().toString();
            LOG.errorf(e, "Unhandled failure in PolicyService, incident %s", incident);
            return Uni.createFrom().failure(GrpcErrors.of(io.grpc.Status.Code.INTERNAL,
                    dev.executor.contracts.ErrorReasons.INTERNAL, "Something failed on our side; quote incident " + incident + "."));
        }
    }

    /** The principal's chain: as passed, else derived from its claims; never widened. */
    static ScopeChain chainOf(Principal principal) {
        if (principal == null) {
            throw GrpcErrors.invalid("A principal is required: the end user the decision is for.");
        }
        if (principal.getScopeChainCount() == 0) {
            return ScopeChain.fromClaims(principal.getOrg(), principal.getWorkspacesList(), principal.getUsername());
        }
        List<Scope> scopes = new ArrayList<>();
        for (var s : principal.getScopeChainList()) {
            try {
                scopes.add(new Scope(s.getKind(), s.getId()));
            } catch (IllegalArgumentException e) {
                throw GrpcErrors.invalid("principal.scope_chain holds an invalid scope '" + s.getKind() + ":" + s.getId()
                        + "': " + e.getMessage());
            }
        }
        return new ScopeChain(scopes);
    }

    private static Address address(String text) {
        try {
            return Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw GrpcErrors.invalid(e.getMessage());
        }
    }

    private static ToolFacts.SideEffect sideEffect(SideEffect s) {
        return switch (s) {
            case READ -> ToolFacts.SideEffect.READ;
            case WRITE -> ToolFacts.SideEffect.WRITE;
            case DESTRUCTIVE -> ToolFacts.SideEffect.DESTRUCTIVE;
            default -> ToolFacts.SideEffect.UNKNOWN;
        };
    }

    private static ToolFacts.ReviewState review(ReviewState s) {
        return switch (s) {
            case ACCEPTED -> ToolFacts.ReviewState.ACCEPTED;
            case UNREVIEWED -> ToolFacts.ReviewState.UNREVIEWED;
            case RETIRED -> ToolFacts.ReviewState.RETIRED;
            default -> ToolFacts.ReviewState.UNKNOWN;
        };
    }

    private static dev.executor.common.v1.Verdict verdict(Verdict v) {
        return switch (v) {
            case ALLOW -> dev.executor.common.v1.Verdict.ALLOW;
            case REQUIRE_APPROVAL -> dev.executor.common.v1.Verdict.REQUIRE_APPROVAL;
            case BLOCK -> dev.executor.common.v1.Verdict.BLOCK;
        };
    }

    private static dev.executor.common.v1.Scope scope(Scope s) {
        return dev.executor.common.v1.Scope.newBuilder().setKind(s.kind()).setId(s.id()).build();
    }

    private static Rule rule(MatchedRule r) {
        Rule.Builder b = Rule.newBuilder()
                .setRecordKind(switch (r.kind()) {
                    case SOURCE -> RecordKind.SOURCE;
                    case CONNECTION -> RecordKind.CONNECTION;
                    case PLUGIN_DEFAULT -> RecordKind.PLUGIN_DEFAULT;
                    case TOOLKIT -> RecordKind.TOOLKIT;
                })
                .setRecordId(r.recordId())
                .setRuleId(r.ruleId())
                .setVerdict(verdict(r.verdict()))
                .setExplanation(r.explanation());
        if (r.scope() != null) {
            b.setScope(scope(r.scope()));
        }
        return b.build();
    }
}
