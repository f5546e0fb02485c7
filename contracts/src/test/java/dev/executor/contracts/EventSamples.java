package dev.executor.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.executor.contracts.events.ApprovalDenied;
import dev.executor.contracts.events.ApprovalExpired;
import dev.executor.contracts.events.ApprovalGranted;
import dev.executor.contracts.events.Change;
import dev.executor.contracts.events.ConnectionCreated;
import dev.executor.contracts.events.ConnectionDeleted;
import dev.executor.contracts.events.ConnectionNeedsReauth;
import dev.executor.contracts.events.ConnectionRef;
import dev.executor.contracts.events.CredentialSlot;
import dev.executor.contracts.events.ErrorInfo;
import dev.executor.contracts.events.ExecutorEvent;
import dev.executor.contracts.events.InvocationRequested;
import dev.executor.contracts.events.OutputRef;
import dev.executor.contracts.events.PolicyChanged;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.contracts.events.RunAdmitted;
import dev.executor.contracts.events.RunApproved;
import dev.executor.contracts.events.RunBlocked;
import dev.executor.contracts.events.RunCancelled;
import dev.executor.contracts.events.RunContext;
import dev.executor.contracts.events.RunDenied;
import dev.executor.contracts.events.RunExpired;
import dev.executor.contracts.events.RunFailed;
import dev.executor.contracts.events.RunPendingApproval;
import dev.executor.contracts.events.RunRequested;
import dev.executor.contracts.events.RunStarted;
import dev.executor.contracts.events.RunSucceeded;
import dev.executor.contracts.events.ScopeRef;
import dev.executor.contracts.events.SourceAdded;
import dev.executor.contracts.events.SourceRefreshed;
import dev.executor.contracts.events.SourceRemoved;
import dev.executor.contracts.events.SourceStatus;
import dev.executor.contracts.events.SourceStatusChanged;
import dev.executor.contracts.events.Surface;
import dev.executor.contracts.events.ToolkitChanged;
import dev.executor.contracts.events.ToolsReviewed;
import dev.executor.contracts.events.Verdict;
import java.time.Instant;
import java.util.List;

/** One realistic instance of every event payload, for the schema and round-trip tests. */
final class EventSamples {

    static final Instant T0 = Instant.parse("2025-06-01T10:15:30.123Z");
    static final ScopeRef ACME = new ScopeRef("org", "acme");
    static final PrincipalRef ADMIN = PrincipalRef.human("5b1f0c9e-admin", "dana");
    static final PrincipalRef APPROVER = PrincipalRef.human("77aa01c2-approver", "olivia");
    static final PrincipalRef ALICE_VIA_AGENT = new PrincipalRef("0c3e9d4a-alice", "alice", "claude-desktop", true);
    static final String SOURCE_ID = "0b9a2f0e-7c8d-4f7e-9a51-3d2b1c0e9f11";
    static final String RUN_ID = "3f6d2c1b-9e8a-4b7c-a6d5-e4f3a2b1c0d9";
    static final String CONNECTION_ID = "c0ffee00-1234-4abc-8def-000000000042";
    static final ConnectionRef WORK = new ConnectionRef(ACME, "github", "work");
    static final String ADDRESS = "github.acme.work.issues_create";

    private EventSamples() {
    }

    static List<ExecutorEvent> all() {
        RunContext requested = new RunContext(ADDRESS, "sha256:9f86d08", List.of(ALICE_VIA_AGENT), "triage",
                Surface.MCP, "idem-42", "sha256:" + "ab".repeat(32), null, null,
                "4bf92f3577b34da6a3ce929d0e0e4736", null, null);
        RunContext decided = new RunContext(ADDRESS, "sha256:9f86d08", List.of(ALICE_VIA_AGENT), "triage",
                Surface.KAFKA, "idem-42", "sha256:" + "ab".repeat(32), 17L, Verdict.REQUIRE_APPROVAL,
                "4bf92f3577b34da6a3ce929d0e0e4736", "1a2b3c4d-parent", "team-payments-batch-7");
        return List.of(
                new SourceAdded(SOURCE_ID, "github", "openapi", ACME, SourceStatus.CONNECTED,
                        List.of("api.github.com"), "sha256:9f86d08", 412, ADMIN, T0),
                new SourceRefreshed(SOURCE_ID, "sha256:2c26b46", "sha256:9f86d08", 3, 5, 1, 3, T0),
                new SourceStatusChanged(SOURCE_ID, SourceStatus.CONNECTED, SourceStatus.ERROR,
                        "GET https://api.github.com/openapi.json answered 503", T0),
                new SourceRemoved(SOURCE_ID, "github", ACME, ADMIN, T0),
                new ToolsReviewed(SOURCE_ID, "sha256:2c26b46", List.of("issues_lock", "issues_unlock"),
                        List.of("repos_delete"), ADMIN, T0),
                new PolicyChanged("pol-7", new ScopeRef("workspace", "payments"), Change.UPDATED, 18L,
                        PolicyChanged.AttachedTo.CONNECTION, CONNECTION_ID, ADMIN, T0),
                new ToolkitChanged("tk-3", "triage", ACME, Change.CREATED, 19L, ADMIN, T0),
                new ConnectionCreated(CONNECTION_ID, WORK, SOURCE_ID,
                        List.of(new CredentialSlot("token", "vault")), ADMIN, T0),
                new ConnectionDeleted(CONNECTION_ID, WORK, ADMIN, T0),
                new ConnectionNeedsReauth(CONNECTION_ID, WORK, "upstream answered 401 Bad credentials", RUN_ID, T0),
                new InvocationRequested("idem-42", ADDRESS, arguments(), "triage", "team-payments-batch-7", null, T0),
                new RunRequested(RUN_ID, 1, T0, requested),
                new RunAdmitted(RUN_ID, 2, T0, decided),
                new RunBlocked(RUN_ID, 2, T0, decided,
                        new ErrorInfo(ErrorReasons.POLICY_BLOCKED, "destructive tools are blocked in org acme")),
                new RunPendingApproval(RUN_ID, 2, T0, decided, arguments(), T0.plusSeconds(86_400),
                        "https://executor.example.com/approvals/" + RUN_ID),
                new RunApproved(RUN_ID, 3, T0, decided, APPROVER, "ok, known issue"),
                new RunDenied(RUN_ID, 3, T0, decided, APPROVER, null),
                new RunStarted(RUN_ID, 4, T0, decided, 1),
                new RunSucceeded(RUN_ID, 5, T0, decided, OutputRef.inline(output(), 96), 1, 412),
                new RunFailed(RUN_ID, 5, T0, decided,
                        new ErrorInfo(ErrorReasons.UPSTREAM_TIMEOUT, "api.github.com did not answer within 30s"), 3, 90_120),
                new RunCancelled(RUN_ID, 3, T0, decided, ALICE_VIA_AGENT, "wrong repository"),
                new RunExpired(RUN_ID, 3, T0, decided, "approval not given within 24h"),
                new ApprovalGranted(RUN_ID, APPROVER, T0, "ok, known issue", decided, arguments()),
                new ApprovalDenied(RUN_ID, APPROVER, T0, "not during the freeze"),
                new ApprovalExpired(RUN_ID, T0, null));
    }

    static JsonNode arguments() {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.put("owner", "acme").put("repo", "payments").put("title", "Refund job stuck");
        args.putArray("labels").add("bug").add("p1");
        return args;
    }

    static JsonNode output() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("number", 1347).put("html_url", "https://github.com/acme/payments/issues/1347");
        return out;
    }
}
