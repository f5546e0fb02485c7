package dev.executor.gateway.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.common.v1.ErrorDetail;
import dev.executor.contracts.ErrorReasons;
import dev.executor.gateway.Caller;
import dev.executor.gateway.client.DownstreamError;
import dev.executor.gateway.client.PolicyClient;
import io.smallrye.mutiny.Uni;

/**
 * Defence in depth for what the gateway shows, with {@code PolicyService.FilterVisible} (the same
 * rule the invoker enforces): {@code describe} of a tool outside the caller's scope chain or
 * toolkit answers as if the tool did not exist, and close-match suggestions in a TOOL_NOT_FOUND
 * only name tools the caller may see. When policy cannot answer, nothing is shown.
 */
@ApplicationScoped
public class Visibility {

    private final PolicyClient policy;

    public Visibility(PolicyClient policy) {
        this.policy = policy;
    }

    /** Fails with TOOL_NOT_FOUND (no suggestions) unless the caller may see {@code address}. */
    public Uni<Void> requireVisible(Caller caller, String address) {
        return policy.visible(caller.principal(), caller.toolkit(), List.of(address)).chain(visible -> visible.contains(address)
                ? Uni.createFrom().voidItem()
                : Uni.createFrom().failure(notFound(caller, address)));
    }

    /** {@code detail} with its suggestions narrowed to what the caller may see. */
    public Uni<ErrorDetail> narrowSuggestions(Caller caller, ErrorDetail detail) {
        if (!ErrorReasons.TOOL_NOT_FOUND.equals(detail.getReason()) || detail.getSuggestionsCount() == 0) {
            return Uni.createFrom().item(detail);
        }
        return policy.visible(caller.principal(), caller.toolkit(), detail.getSuggestionsList())
                .map(visible -> visible.size() == detail.getSuggestionsCount() ? detail
                        : detail.toBuilder().clearSuggestions().addAllSuggestions(visible)
                                .setMessage(visible.isEmpty() ? stripDidYouMean(detail.getMessage()) : detail.getMessage()).build())
                .onFailure().recoverWithItem(detail.toBuilder().clearSuggestions().setMessage(stripDidYouMean(detail.getMessage())).build());
    }

    private static String stripDidYouMean(String message) {
        int i = message.indexOf(" Did you mean");
        return i < 0 ? message : message.substring(0, i);
    }

    private static DownstreamError notFound(Caller caller, String address) {
        String where = caller.toolkit().isEmpty() ? "" : " in toolkit '" + caller.toolkit() + "'";
        return DownstreamError.refusal(ErrorDetail.newBuilder().setReason(ErrorReasons.TOOL_NOT_FOUND)
                .setMessage("No tool '" + address + "'" + where + " that you can see. Call search to find tools.").build());
    }
}
