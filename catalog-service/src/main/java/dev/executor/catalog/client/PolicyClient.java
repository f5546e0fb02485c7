package dev.executor.catalog.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.executor.catalog.CatalogException;
import dev.executor.catalog.config.CatalogConfig;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.ReviewState;
import dev.executor.contracts.ErrorReasons;
import dev.executor.policy.v1.FilterVisibleRequest;
import dev.executor.policy.v1.FilterVisibleResponse;
import dev.executor.policy.v1.HiddenAddress;
import dev.executor.policy.v1.MutinyPolicyServiceGrpc.MutinyPolicyServiceStub;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.smallrye.mutiny.Uni;

/**
 * {@code PolicyService.FilterVisible}, the only answer to "what may this principal see", called
 * with this service's own token. Candidates go in batches ({@code catalog.policy.filter-batch-size})
 * sent at once; each call has a deadline ({@code catalog.policy.timeout}).
 *
 * <p>Fails closed: when policy-service cannot answer (down, deadline, refused token, an answer that
 * does not account for every candidate) the result is a {@link CatalogException} with reason
 * {@code UNAVAILABLE}, never an unfiltered answer.
 */
@ApplicationScoped
public class PolicyClient {

    private static final Logger LOG = Logger.getLogger(PolicyClient.class);

    /**
     * What policy said about a set of candidates.
     *
     * @param visible the visible candidates, in input order
     * @param hidden  hidden candidate → reason ({@code NOT_VISIBLE}, {@code TOOL_UNREVIEWED}, {@code TOOL_RETIRED})
     */
    public record Visibility(List<String> visible, Map<String, String> hidden, long policyVersion) {
    }

    private final MutinyPolicyServiceStub policy;
    private final int batchSize;
    private final Duration timeout;

    public PolicyClient(@GrpcClient("policy") @RegisterClientInterceptor(ServiceTokenInterceptor.class) MutinyPolicyServiceStub policy,
            CatalogConfig config) {
        this.policy = policy;
        this.batchSize = Math.max(1, config.policy().filterBatchSize());
        this.timeout = config.policy().timeout();
    }

    /**
     * Which of {@code candidates} {@code principal} may see under {@code toolkit}.
     *
     * @param reviewStates the catalog's review state per candidate (candidates missing here are sent without one)
     */
    public Uni<Visibility> filterVisible(Principal principal, String toolkit, List<String> candidates,
            Map<String, ReviewState> reviewStates) {
        if (candidates.isEmpty()) {
            return Uni.createFrom().item(new Visibility(List.of(), Map.of(), 0));
        }
        List<Uni<FilterVisibleResponse>> calls = new ArrayList<>();
        for (int from = 0; from < candidates.size(); from += batchSize) {
            List<String> batch = candidates.subList(from, Math.min(candidates.size(), from + batchSize));
            FilterVisibleRequest.Builder request = FilterVisibleRequest.newBuilder().setPrincipal(principal)
                    .setToolkit(toolkit == null ? "" : toolkit).addAllCandidateAddresses(batch);
            for (String address : batch) {
                ReviewState state = reviewStates.get(address);
                if (state != null) {
                    request.putReviewStates(address, state);
                }
            }
            calls.add(policy.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).filterVisible(request.build())
                    .ifNoItem().after(timeout.plusMillis(250)).fail());
        }
        Uni<List<FilterVisibleResponse>> all = calls.size() == 1 ? calls.get(0).map(List::of)
                : Uni.join().all(calls).andFailFast();
        return all.map(responses -> merge(candidates, responses))
                .onFailure(e -> !(e instanceof CatalogException)).transform(PolicyClient::unavailable);
    }

    private static Visibility merge(List<String> candidates, List<FilterVisibleResponse> responses) {
        java.util.Set<String> visible = new java.util.HashSet<>();
        Map<String, String> hidden = new HashMap<>();
        long version = 0;
        for (FilterVisibleResponse r : responses) {
            visible.addAll(r.getVisibleAddressesList());
            for (HiddenAddress h : r.getHiddenList()) {
                hidden.put(h.getAddress(), h.getReason().isEmpty() ? ErrorReasons.NOT_VISIBLE : h.getReason());
            }
            version = Math.max(version, r.getPolicyVersion());
        }
        List<String> ordered = new ArrayList<>(visible.size());
        for (String c : candidates) {
            // Only a candidate policy explicitly called visible is shown; one it left out of both
            // lists (a partial answer) is hidden, never assumed visible.
            if (visible.contains(c) && !hidden.containsKey(c)) {
                ordered.add(c);
            } else {
                hidden.putIfAbsent(c, ErrorReasons.NOT_VISIBLE);
            }
        }
        return new Visibility(ordered, hidden, version);
    }

    private static Throwable unavailable(Throwable cause) {
        LOG.warnf("PolicyService.FilterVisible failed, refusing to answer unfiltered: %s", describe(cause));
        return new CatalogException(ErrorReasons.UNAVAILABLE,
                "The policy service could not say what you may see, so nothing is shown; retry shortly.");
    }

    private static String describe(Throwable e) {
        if (e instanceof io.grpc.StatusRuntimeException s) {
            return s.getStatus().getCode() + (s.getStatus().getDescription() == null ? "" : " " + s.getStatus().getDescription());
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
