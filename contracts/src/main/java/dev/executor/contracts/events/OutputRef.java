package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Run's output: inline when small, otherwise a handle to read it from the ledger
 * ({@code RunLedger.ReadOutput}). Exactly one of {@code inline} and {@code handle} is set.
 *
 * @param inline    the output JSON, or null when stored
 * @param handle    handle of the stored output, or null when inline
 * @param sizeBytes size of the output's JSON in bytes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutputRef(JsonNode inline, String handle, long sizeBytes) {

    public static OutputRef inline(JsonNode output, long sizeBytes) {
        return new OutputRef(output, null, sizeBytes);
    }

    public static OutputRef stored(String handle, long sizeBytes) {
        return new OutputRef(null, handle, sizeBytes);
    }
}
