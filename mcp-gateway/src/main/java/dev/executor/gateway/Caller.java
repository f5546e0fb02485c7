package dev.executor.gateway;

import dev.executor.common.v1.Principal;

/**
 * The authenticated MCP caller of one request, as the gateway passes it on: the contracts
 * {@link Principal} (identity from the verified token plus its resolved scope chain), the toolkit
 * in force for this request, and whether the token belongs to a human approver (who may answer
 * an approval through elicitation).
 *
 * @param principal who the call is made for; never widened by the gateway
 * @param toolkit toolkit narrowing this request, from the endpoint path or the token's
 *        {@code executor_toolkit} claim; empty for none
 * @param direct whether the request came through a toolkit endpoint in direct mode
 * @param humanApprover a person's token (not a client/service account) carrying
 *        {@code executor-approver} and not {@code executor-agent}
 * @param bearer the caller's own access token, used only to record that person's approval
 *        decision in run-ledger; never logged, never returned
 */
public record Caller(Principal principal, String toolkit, boolean direct, boolean humanApprover, String bearer) {

    @Override
    public String toString() {
        return "Caller[" + principal.getSubject() + ", toolkit=" + toolkit + "]";
    }
}
