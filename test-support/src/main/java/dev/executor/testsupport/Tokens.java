package dev.executor.testsupport;

/**
 * Bearer tokens for the local realm's principals, for RestAssured/gRPC calls in tests:
 * {@code given().auth().oauth2(KeycloakResource.tokens().admin())}. Implementations cache a
 * token until shortly before it expires. Claims (real realm and stub alike): {@code iss},
 * {@code aud} ({@code executor}), {@code azp}, {@code preferred_username},
 * {@code realm_access.roles}, flat {@code roles}, {@code executor_org},
 * {@code executor_workspaces}.
 */
public interface Tokens {

    /** The {@code executor-agent} client's service account: role {@code executor-agent} only; org acme, workspace payments. */
    String agent();

    /** User {@code dev}: {@code executor-admin} + {@code executor-approver}; org acme, workspace payments. */
    String admin();

    /** User {@code approver}: {@code executor-approver} only; org acme, workspace payments. */
    String approver();

    /** User {@code viewer}: no executor role, no org/workspace. */
    String viewer();

    /** The service account of client {@code name} (e.g. {@code invoker-service}): role {@code executor-service}. */
    String service(String name);
}
