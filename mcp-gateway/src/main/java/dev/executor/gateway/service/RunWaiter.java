package dev.executor.gateway.service;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.common.v1.Principal;
import dev.executor.gateway.RunOutcome;
import dev.executor.gateway.client.LedgerClient;
import dev.executor.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;

/**
 * Reads a Run from the ledger and, while it is not terminal, re-reads it until it is or a deadline
 * passes. Only ever reads: waiting never approves anything.
 */
@ApplicationScoped
public class RunWaiter {

    private final LedgerClient ledger;
    private final GatewayConfig config;

    public RunWaiter(LedgerClient ledger, GatewayConfig config) {
        this.ledger = ledger;
        this.config = config;
    }

    /** The Run now, or as soon as it is terminal, waiting at most {@code wait}. */
    public Uni<RunOutcome> await(Principal principal, String runId, Duration wait) {
        Instant deadline = Instant.now().plus(wait);
        return poll(principal, runId, deadline);
    }

    private Uni<RunOutcome> poll(Principal principal, String runId, Instant deadline) {
        return ledger.getRun(principal, runId).map(r -> RunOutcome.of(r.getRun())).chain(run -> {
            if (run.terminal() || !Instant.now().plus(config.runStatus().pollInterval()).isBefore(deadline)) {
                return Uni.createFrom().item(run);
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(config.runStatus().pollInterval())
                    .chain(() -> poll(principal, runId, deadline));
        });
    }
}
