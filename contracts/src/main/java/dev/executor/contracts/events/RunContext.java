package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a Run is about, repeated on every run event so that a consumer can act on any single event
 * without having seen the earlier ones (events of one run may be replayed or arrive late).
 *
 * @param address         {@code <source>.<scope>.<connection>.<tool>}
 * @param manifestVersion manifest version the tool was resolved at
 * @param principalChain  the token subject the call was made for first, then the actors from the
 *                        token's nested {@code act} claims (RFC 8693), nearest actor first
 * @param toolkit         toolkit in force; null for none
 * @param surface         where the call arrived
 * @param idempotencyKey  the caller's idempotency key; null for none
 * @param inputHash       {@code sha256:<hex>} of the canonical (RFC 8785) JSON of the arguments
 * @param policyVersion   policy version of the decision; null before the decision
 * @param verdict         the policy verdict; null before the decision
 * @param traceId         W3C trace id (32 lowercase hex chars); null when untraced
 * @param parentRunId     Run that caused this one; null for none
 * @param replySubject    tag from {@link InvocationRequested#replySubject()}; null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunContext(
        String address,
        String manifestVersion,
        List<PrincipalRef> principalChain,
        String toolkit,
        Surface surface,
        String idempotencyKey,
        String inputHash,
        Long policyVersion,
        Verdict verdict,
        String traceId,
        String parentRunId,
        String replySubject) {
}
