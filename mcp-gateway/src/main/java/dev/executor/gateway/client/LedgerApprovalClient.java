package dev.executor.gateway.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.executor.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Records a human's approval decision in run-ledger's REST API
 * ({@code POST /api/approvals/{runId}/approve | deny}) <em>with that human's own token</em>: the
 * ledger decides whether the caller may approve (executor-approver, a person, not an agent) and
 * records the decision as theirs. The gateway's service account is never used for this, so no
 * service-to-service path can approve.
 */
@ApplicationScoped
public class LedgerApprovalClient {

    private static final Logger LOG = Logger.getLogger(LedgerApprovalClient.class);

    /** What the ledger answered: whether the decision was recorded, and if not, why (for a person). */
    public record Answer(boolean recorded, int status, String problem) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final GatewayConfig config;

    public LedgerApprovalClient(GatewayConfig config) {
        this.config = config;
    }

    public Uni<Answer> decide(String bearer, String runId, boolean approve, String comment) {
        String base = config.approval().ledgerApiUrl().orElse(config.approval().ledgerUrl());
        URI uri = URI.create(trimSlash(base) + "/api/approvals/" + URLEncoder.encode(runId, StandardCharsets.UTF_8)
                + (approve ? "/approve" : "/deny"));
        JsonObject body = new JsonObject();
        if (comment != null && !comment.isBlank()) {
            body.put("comment", comment.length() > 2000 ? comment.substring(0, 2000) : comment);
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .map(r -> {
                    if (r.statusCode() / 100 == 2) {
                        return new Answer(true, r.statusCode(), null);
                    }
                    String problem = "run-ledger answered " + r.statusCode();
                    try {
                        JsonObject p = new JsonObject(r.body());
                        problem = p.getString("detail", p.getString("title", problem));
                    } catch (RuntimeException notJson) {
                        // keep the status line
                    }
                    LOG.infof("Approval decision on run %s not recorded: %d", runId, r.statusCode());
                    return new Answer(false, r.statusCode(), problem);
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Could not reach run-ledger to record a decision on run %s: %s", runId, e.getClass().getSimpleName());
                    return new Answer(false, 0, "run-ledger could not be reached");
                });
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
