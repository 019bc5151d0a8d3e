package io.quiver.querycoord;

import io.quiver.proto.SealedSegmentLocation;
import io.quiver.proto.SegmentDistribution;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.VchannelRecoveryInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Which SyncDistribution to send (Milvus LeaderChecker's sync half): every node that watches a shard of the replica
 * (the leader, a handoff target warming up, an old leader in its grace period) learns the shard's complete sealed
 * distribution in the replica, its loaded partitions and its delete floor, whenever one of them differs from what it
 * was last sent. Compaction inputs still served ({@link CompactionHandoff}) are named instead of their result.
 *
 * <p>The delete floor ({@code VchannelRecoveryInfo.delete_floor_ts}) lets the leader forget deletes at or below it. It
 * is sent only when every segment named was loaded with at least the target's manifest version (so its deltalogs
 * hold those deletes); otherwise the previous floor of the shard in the replica (or 0) is sent again.
 */
final class DistributionChecker {

    /**
     * @param leaderOf      vchannel -> leader of the shard in the replica
     * @param watchers      vchannel -> members that watch it (planned watches included)
     * @param keep          target segment -> the member serving it (planned loads included)
     * @param lastSynced    what each watcher was last sent (watchers started this round have no entry)
     * @param previousFloor vchannel -> the floor last sent for the shard in this replica
     */
    List<Action> check(ReplicaView view, CollectionTarget target, Map<Long, SessionInfo> nodes, Map<String, Long> leaderOf,
                       Map<String, List<Long>> watchers, Map<Long, Long> keep, CompactionHandoff.Retained retained,
                       Map<ShardNode, ShardDistribution> lastSynced, Map<String, Long> previousFloor) {
        List<Action> actions = new ArrayList<>();
        for (VchannelRecoveryInfo ch : target.channels()) {
            String v = ch.getVchannel();
            if (!leaderOf.containsKey(v)) {
                continue;
            }
            List<SealedSegmentLocation> locs = new ArrayList<>();
            boolean floorReached = true;
            for (SegmentInfo s : target.flushed()) {
                Long at = keep.get(s.getSegmentId());
                if (!s.getVchannel().equals(v) || at == null || retained.pendingResults().contains(s.getSegmentId())) {
                    continue;
                }
                locs.add(location(s.getSegmentId(), at, nodes, s.getNumRows(), s.getPartitionId()));
                SegmentDistribution copy = view.held().get(new NodeSegment(at, s.getSegmentId()));
                // a copy loading this round is loaded from the target's manifest
                floorReached &= copy == null || copy.getManifestVersion() >= s.getManifestVersion();
            }
            for (var e : retained.inputs().entrySet()) {
                SegmentDistribution copy = view.held().get(new NodeSegment(e.getValue(), e.getKey()));
                if (copy.getVchannel().equals(v)) {
                    locs.add(location(e.getKey(), e.getValue(), nodes, copy.getNumRows(), copy.getPartitionId()));
                    floorReached = false; // an input is not in the target: nothing says its deltalogs reach the floor
                }
            }
            locs.sort(Comparator.comparingLong(SealedSegmentLocation::getSegmentId));
            long floor = floorReached ? ch.getDeleteFloorTs() : previousFloor.getOrDefault(v, 0L);
            ShardDistribution wanted = new ShardDistribution(locs, target.leaderPartitions(), floor);
            for (long holder : watchers.getOrDefault(v, List.of())) {
                ShardNode at = new ShardNode(view.collectionId(), v, holder);
                if (!wanted.equals(lastSynced.get(at))) {
                    actions.add(new Action.SyncDistribution(at, view.replicaId(), wanted));
                }
            }
        }
        return actions;
    }

    private static SealedSegmentLocation location(long segmentId, long nodeId, Map<Long, SessionInfo> nodes, long rows, long partitionId) {
        return SealedSegmentLocation.newBuilder().setSegmentId(segmentId).setNodeId(nodeId).setAddress(nodes.get(nodeId).getAddress())
                .setNumRows(rows).setPartitionId(partitionId).build();
    }
}
