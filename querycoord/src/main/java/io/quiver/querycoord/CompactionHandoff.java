package io.quiver.querycoord;

import io.quiver.proto.SegmentInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The read-path half of a compaction handoff. Datacoord lists a compaction result R (with {@code compacted_from}) only
 * once it is servable, and from then on no longer lists its inputs. In each replica an input S that a member still
 * holds keeps being served (named in the shard's sealed distribution, not released) until R is held in that replica;
 * then one SyncDistribution switches the shard from the inputs to R, and only after that are the inputs released. R
 * and any of its inputs are never named together: that would count their rows twice.
 */
final class CompactionHandoff {
    private CompactionHandoff() {}

    /** The rule's outcome in one replica: inputs still served (input -> the member serving it) and results not yet named. */
    record Retained(Map<Long, Long> inputs, Set<Long> pendingResults) {
        static final Retained NONE = new Retained(Map.of(), Set.of());

        boolean retains(long nodeId, long segmentId) {
            Long at = inputs.get(segmentId);
            return at != null && at == nodeId;
        }
    }

    static Retained check(ReplicaView view, CollectionTarget target) {
        if (target.resultOfInput().isEmpty()) {
            return Retained.NONE;
        }
        Map<Long, Long> inputs = new HashMap<>();
        Set<Long> pending = new HashSet<>();
        for (var e : target.resultOfInput().entrySet()) {
            SegmentInfo result = e.getValue();
            List<Long> at = view.holdersOf(e.getKey());
            if (!at.isEmpty() && view.holdersOf(result.getSegmentId()).isEmpty()) {
                inputs.put(e.getKey(), at.get(0));
                pending.add(result.getSegmentId());
            }
        }
        return new Retained(Map.copyOf(inputs), Set.copyOf(pending));
    }
}
