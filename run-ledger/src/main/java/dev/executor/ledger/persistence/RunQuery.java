package dev.executor.ledger.persistence;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import dev.executor.ledger.Run;
import dev.executor.ledger.Visibility;

/**
 * A page of Runs: visibility, filters (each null for "any"), a keyset cursor and a limit. Runs
 * come newest first ({@code created_at DESC, id DESC}) or, for the approvals inbox, oldest first.
 *
 * @param visibility  what the caller may read
 * @param subject     only Runs made for this subject
 * @param scopeId     only Runs whose connection is placed in this scope (address segment 2)
 * @param address     only Runs of this tool address
 * @param source      only Runs of this source (address segment 1)
 * @param statuses    only Runs in one of these statuses; empty for all
 * @param from        created at or after (inclusive)
 * @param to          created before (exclusive)
 * @param after       keyset position: the last Run of the previous page; null for the first page
 * @param ascending   oldest first
 * @param pendingOnly only undecided pending approvals
 * @param limit       rows to fetch
 */
public record RunQuery(Visibility visibility, String subject, String scopeId, String address, String source,
        List<String> statuses, Instant from, Instant to, Cursor after, boolean ascending, boolean pendingOnly,
        int limit) {

    /** Position after a Run in (created_at, id) order. */
    public record Cursor(Instant createdAt, UUID id) {

        /** Opaque to callers: base64url of "micros:uuid". */
        public String encode() {
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
        }

        /** @throws IllegalArgumentException when the token is not one this service issued */
        public static Cursor decode(String token) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII).split(":", 2);
                return new Cursor(Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS), UUID.fromString(parts[1]));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("The page token is not valid; start again without one.");
            }
        }

        public static Cursor of(Run run) {
            return new Cursor(run.createdAt.truncatedTo(ChronoUnit.MICROS), run.id);
        }
    }

    void appendWhere(StringBuilder sql, List<Object> params) {
        if (!visibility.all()) {
            params.add(visibility.subject());
            params.add(visibility.scopeIds().toArray(String[]::new));
            sql.append(" AND (principal_subject = $").append(params.size() - 1)
                    .append(" OR scope_id = ANY($").append(params.size()).append("))");
        }
        eq(sql, params, "principal_subject", subject);
        eq(sql, params, "scope_id", scopeId);
        eq(sql, params, "address", address);
        eq(sql, params, "source", source);
        if (statuses != null && !statuses.isEmpty()) {
            params.add(statuses.toArray(String[]::new));
            sql.append(" AND status = ANY($").append(params.size()).append(")");
        }
        if (from != null) {
            params.add(RunRepository.utc(from));
            sql.append(" AND created_at >= $").append(params.size());
        }
        if (to != null) {
            params.add(RunRepository.utc(to));
            sql.append(" AND created_at < $").append(params.size());
        }
        if (pendingOnly) {
            sql.append(" AND status = 'pending_approval' AND NOT EXISTS (SELECT 1 FROM approval a WHERE a.run_id = run.id)");
        }
        if (after != null) {
            params.add(RunRepository.utc(after.createdAt()));
            params.add(after.id());
            sql.append(" AND (created_at, id) ").append(ascending ? ">" : "<")
                    .append(" ($").append(params.size() - 1).append(", $").append(params.size()).append(")");
        }
    }

    private static void eq(StringBuilder sql, List<Object> params, String column, String value) {
        if (value != null && !value.isBlank()) {
            params.add(value);
            sql.append(" AND ").append(column).append(" = $").append(params.size());
        }
    }
}
