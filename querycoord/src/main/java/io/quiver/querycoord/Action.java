package io.quiver.querycoord;

import io.quiver.proto.SegmentInfo;
import io.quiver.proto.VchannelRecoveryInfo;
import java.util.List;

/**
 * One remote step a checker plans and {@link ActionExecutor} performs (Milvus querycoordv2: a task's action). Actions
 * carry what the executor needs to build the request; the executor reads manifests and calls the querynodes.
 */
sealed interface Action {
    /**
     * Why a segment is loaded: placed where the replica lacks it, given its new index on the member that serves it,
     * moved by balance, or refreshed with new deltalogs where it is.
     */
    enum LoadPurpose { PLACE, REINDEX, MOVE, REFRESH }

    /** Start a shard leader (or a handoff's new leader) of {@code channel} on {@code at.nodeId()}. */
    record WatchChannel(ShardNode at, long replicaId, CollectionTarget target, VchannelRecoveryInfo channel) implements Action {}

    /** Stop watching a shard on a node (an old leader after its grace, a leftover). */
    record UnwatchChannel(ShardNode at) implements Action {}

    /** Load {@code segment} (from the target) on {@code nodeId} with its manifest and finished index. */
    record LoadSegment(ReplicaSegment key, long nodeId, LoadPurpose purpose, CollectionTarget target, SegmentInfo segment) implements Action {
        NodeSegment at() {
            return new NodeSegment(nodeId, key.segmentId());
        }
    }

    /** Release segments of a collection from a node. */
    record ReleaseSegments(long collectionId, long nodeId, List<Long> segmentIds) implements Action {
        public ReleaseSegments {
            segmentIds = List.copyOf(segmentIds);
        }
    }

    /** Tell the watcher {@code at} the sealed distribution of its shard in {@code replicaId}. */
    record SyncDistribution(ShardNode at, long replicaId, ShardDistribution distribution) implements Action {}
}
