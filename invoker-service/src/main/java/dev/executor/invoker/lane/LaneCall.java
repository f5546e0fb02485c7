package dev.executor.invoker.lane;

import java.time.Duration;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.common.v1.Principal;

/**
 * One admitted call, as handed to a lane.
 *
 * @param runId       the Run this call belongs to (for secrets-proxy audit and log correlation)
 * @param tool        the resolved tool: schemas, source facts, lane binding, connection
 * @param arguments   the validated arguments
 * @param principal   on whose behalf (passed to secrets-proxy, never widened)
 * @param timeout     the whole call must finish within this
 * @param traceParent W3C {@code traceparent} of the Run, or null
 */
public record LaneCall(String runId, ResolveToolResponse tool, ObjectNode arguments, Principal principal, Duration timeout,
        String traceParent) {
}
