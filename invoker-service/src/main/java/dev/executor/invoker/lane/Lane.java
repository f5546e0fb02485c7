package dev.executor.invoker.lane;

import io.smallrye.mutiny.Uni;

/**
 * One execution lane: turns a resolved tool plus validated arguments into an upstream call and
 * its result. A lane is an {@code @ApplicationScoped} bean; {@link Lanes} picks it by
 * {@link #name()}, which matches {@code LaneFacts.lane} from the catalog ({@code http},
 * {@code graphql}, {@code mcp}, {@code process}).
 *
 * <p>Rules every lane keeps:
 * <ul>
 * <li>Any request that carries credentials goes through {@link Upstream#forward} (secrets-proxy);
 * a lane never sees a secret value.</li>
 * <li>It honours {@link LaneCall#timeout()} and stops its work when the returned Uni is
 * cancelled.</li>
 * <li>It reports failures as a {@link LaneException} with a reason from
 * {@code dev.executor.contracts.ErrorReasons} and a message a person can act on; never a stack
 * trace or an upstream's secret.</li>
 * </ul>
 */
public interface Lane {

    /** The {@code LaneFacts.lane} value this lane serves. */
    String name();

    /** Executes {@code call}; the arguments were already validated against the input schema. */
    Uni<LaneResult> execute(LaneCall call);
}
