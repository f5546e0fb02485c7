package dev.executor.policy;

import java.util.Locale;

/** Who may approve a {@code require_approval} run: any approver ({@code any}) or only through the ledger ({@code ledger_only}). */
public enum ApprovalMode {
    ANY, LEDGER_ONLY;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ApprovalMode fromWire(String text) {
        return text == null ? ANY : valueOf(text.toUpperCase(Locale.ROOT));
    }
}
