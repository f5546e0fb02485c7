package dev.executor.ledger.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.events.RunCancelled;
import dev.executor.contracts.events.RunEvent;
import dev.executor.ledger.Run;
import dev.executor.ledger.RunEvents;

class RunFoldTest {

    private static final Instant T0 = Instant.parse("2025-06-01T10:15:30Z");
    private final RunFold fold = new RunFold(RunEvents.JSON, Duration.ofHours(24));
    private final ObjectMapper json = RunEvents.JSON;

    private Run foldAll(List<RunEvent> events) {
        Run run = null;
        for (RunEvent e : events) {
            run = fold.apply(run, e);
        }
        return run;
    }

    @Test
    void foldsTheHappyPathIntoASucceededRunWithAllItsTimings() throws Exception {
        // Given
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", T0);

        // When
        Run folded = foldAll(run.lifecycle());

        // Then
        assertEquals(Run.SUCCEEDED, folded.status);
        assertEquals("github", folded.source);
        assertEquals("acme", folded.scopeId);
        assertEquals("alice", folded.principalSubject);
        assertEquals(T0, folded.createdAt);
        assertEquals(T0.plusMillis(10), folded.admittedAt);
        assertEquals(T0.plusMillis(20), folded.startedAt);
        assertEquals(T0.plusMillis(30), folded.finishedAt);
        assertEquals(1347, json.readTree(folded.output).get("number").asInt());
        assertEquals(4, folded.lastSequence);
        assertEquals("mcp", folded.surface);
        assertEquals("allow", folded.verdict);
    }

    @Test
    void givesTheSameRunForEveryArrivalOrderAndDuplicates() {
        // Given
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", T0);
        Run inOrder = foldAll(run.lifecycle());
        Random random = new Random(7);

        for (int i = 0; i < 50; i++) {
            List<RunEvent> shuffled = new ArrayList<>(run.lifecycle());
            shuffled.addAll(run.lifecycle().subList(0, 1 + random.nextInt(3)));
            Collections.shuffle(shuffled, random);

            // When
            Run folded = foldAll(shuffled);

            // Then
            assertEquals(inOrder.status, folded.status, "order " + shuffled);
            assertEquals(inOrder.createdAt, folded.createdAt);
            assertEquals(inOrder.admittedAt, folded.admittedAt);
            assertEquals(inOrder.startedAt, folded.startedAt);
            assertEquals(inOrder.finishedAt, folded.finishedAt);
            assertEquals(inOrder.output, folded.output);
            assertEquals(inOrder.lastSequence, folded.lastSequence);
        }
    }

    @Test
    void neverRegressesATerminalStatusWhenAnEarlierEventArrivesLate() {
        // Given a run that already failed
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", T0);
        Run failed = foldAll(List.of(run.requested(), run.failed()));

        // When the late RunStarted (sequence 3) arrives
        Run after = fold.apply(failed, run.started());

        // Then the status stays failed, the start time is filled in
        assertEquals(Run.FAILED, after.status);
        assertEquals(T0.plusMillis(20), after.startedAt);
        assertEquals(4, after.lastSequence);
    }

    @Test
    void ignoresATransitionAfterTheTerminalOneEvenWithAHigherSequence() {
        // Given
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", T0);
        Run succeeded = foldAll(run.lifecycle());

        // When
        Run after = fold.apply(succeeded, new RunCancelled(run.runId, 9, T0.plusSeconds(1), run.context, null, "late"));

        // Then
        assertEquals(Run.SUCCEEDED, after.status);
        assertEquals(9, after.lastSequence);
    }

    @Test
    void keepsTheHigherSequenceStatusWhenALowerOneArrivesLate() {
        // Given
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", T0);
        Run started = fold.apply(null, run.started());

        // When
        Run after = fold.apply(fold.apply(started, run.admitted()), run.requested());

        // Then
        assertEquals(Run.RUNNING, after.status);
        assertEquals(T0, after.createdAt);
    }

    @Test
    void capsAPendingApprovalDeadlineByTheConfiguredTtl() {
        // Given
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", T0);

        // When the event asks for a week but the ledger allows 24h
        Run pending = fold.apply(null, run.pending(T0.plus(Duration.ofDays(7))));
        Run sooner = fold.apply(null, run.pending(T0.plus(Duration.ofHours(1))));
        Run none = fold.apply(null, run.pending(null));

        // Then
        assertEquals(Run.PENDING_APPROVAL, pending.status);
        assertEquals(T0.plusMillis(10).plus(Duration.ofHours(24)), pending.approvalExpiresAt);
        assertEquals(T0.plus(Duration.ofHours(1)), sooner.approvalExpiresAt);
        assertEquals(T0.plusMillis(10).plus(Duration.ofHours(24)), none.approvalExpiresAt);
        assertTrue(pending.arguments.contains("Refund job stuck"));
    }

    @Test
    void dropsTheArgumentsOnceTheRunEnds() {
        // Given
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", T0);
        Run pending = fold.apply(null, run.pending(null));

        // When
        Run ended = fold.apply(pending, run.failed());

        // Then
        assertNull(ended.arguments);
        assertEquals(Run.FAILED, ended.status);
    }
}
