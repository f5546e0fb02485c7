package dev.executor.invoker.lane;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a lane returns for a call that reached its upstream and got an answer.
 *
 * @param output the tool's output as JSON: the upstream's JSON body (HTTP), {@code data} (GraphQL), the
 *               MCP {@code CallToolResult} object, or {@code {exitCode, stdout, stderr}} (process)
 * @param toolError true when the upstream answered but reported the call as failed in its own terms
 *                  (an MCP result with {@code isError}); the Run fails with {@code UPSTREAM_ERROR}
 *                  and keeps the output so the caller can read what went wrong
 */
public record LaneResult(JsonNode output, boolean toolError) {

    public static LaneResult of(JsonNode output) {
        return new LaneResult(output, false);
    }
}
