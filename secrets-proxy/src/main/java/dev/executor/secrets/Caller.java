package dev.executor.secrets;

/**
 * Who is calling the REST API, as read from the verified token.
 *
 * @param subject  {@code sub}
 * @param username {@code preferred_username}
 * @param admin    holds {@code executor-admin}
 * @param agent    holds {@code executor-agent}: never allowed to configure anything
 * @param service  holds {@code executor-service} (another Executor service's account)
 */
public record Caller(String subject, String username, boolean admin, boolean agent, boolean service) {

    /** A person (not an agent, not a service account). */
    public boolean human() {
        return !agent && !service && username != null && !username.isEmpty();
    }

    /** The user scope of this caller: {@code user:<preferred_username>}. */
    public String ownScope() {
        return "user:" + username;
    }
}
