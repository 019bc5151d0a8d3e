package io.quiver.querycoord;

import io.quiver.proto.DistributionResponse;
import io.quiver.proto.SessionInfo;
import java.util.Map;
import java.util.Set;

/**
 * Everything one placement round decides from, read before any decision: the querynodes, what each reports holding,
 * which of them may take new work, and the target of every loaded collection (or why it could not be read).
 *
 * @param usable       nodes that answered and are not stopping: the only ones that get new leaders or segments (a
 *                     node killed with -9 keeps its session until the lease expires)
 * @param targetErrors collections whose target could not be read this round, with the reason
 */
record RoundSnapshot(long nowMs, Map<Long, SessionInfo> nodes, Map<Long, DistributionResponse> distributions, Set<Long> usable,
                     Map<Long, CollectionTarget> targets, Map<Long, String> targetErrors) {
    RoundSnapshot {
        nodes = Map.copyOf(nodes);
        distributions = Map.copyOf(distributions);
        usable = Set.copyOf(usable);
        targets = Map.copyOf(targets);
        targetErrors = Map.copyOf(targetErrors);
    }
}
