package io.quiver.querycoord;

import io.quiver.proto.ChannelDistribution;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.Replica;
import io.quiver.proto.SegmentDistribution;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One replica of a collection as the round's snapshot shows it: its answering members, who watches which shard,
 * which copies of which segments they hold, and their row counts.
 *
 * @param channelHolders vchannel -> the members that watch it
 * @param holders        segment -> the members that hold it (sorted)
 * @param rowsOnNode     rows of every collection on each member (tie-break when placing)
 * @param collRows       rows of this collection on each member (what balance evens out)
 */
record ReplicaView(long collectionId, long replicaId, List<Long> members, Map<String, List<Long>> channelHolders,
                   Set<NodeChannel> serviceable, Map<Long, List<Long>> holders, Map<NodeSegment, SegmentDistribution> held,
                   Map<Long, Long> rowsOnNode, Map<Long, Long> collRows) {

    /** A shard watched on a node. */
    record NodeChannel(long nodeId, String vchannel) {}

    static ReplicaView of(RoundSnapshot s, long collectionId, Replica replica) {
        List<Long> members = replica.getNodeIdsList().stream().filter(s.distributions()::containsKey).sorted().toList();
        Map<String, List<Long>> channelHolders = new HashMap<>();
        Set<NodeChannel> serviceable = new HashSet<>();
        Map<Long, List<Long>> holders = new HashMap<>();
        Map<NodeSegment, SegmentDistribution> held = new HashMap<>();
        Map<Long, Long> rowsOnNode = new HashMap<>();
        Map<Long, Long> collRows = new HashMap<>();
        for (long n : members) {
            rowsOnNode.put(n, 0L);
            collRows.put(n, 0L);
            DistributionResponse d = s.distributions().get(n);
            for (ChannelDistribution ch : d.getChannelsList()) {
                if (ch.getCollectionId() == collectionId) {
                    channelHolders.computeIfAbsent(ch.getVchannel(), k -> new ArrayList<>()).add(n);
                    if (ch.getServiceable()) {
                        serviceable.add(new NodeChannel(n, ch.getVchannel()));
                    }
                }
            }
            for (SegmentDistribution seg : d.getSegmentsList()) {
                rowsOnNode.merge(n, seg.getNumRows(), Long::sum);
                if (seg.getCollectionId() == collectionId) {
                    collRows.merge(n, seg.getNumRows(), Long::sum);
                    holders.computeIfAbsent(seg.getSegmentId(), k -> new ArrayList<>()).add(n);
                    held.put(new NodeSegment(n, seg.getSegmentId()), seg);
                }
            }
        }
        return new ReplicaView(collectionId, replica.getReplicaId(), members, channelHolders, serviceable, holders, held, rowsOnNode, collRows);
    }

    List<Long> holdersOf(long segmentId) {
        return holders.getOrDefault(segmentId, List.of());
    }

    List<Long> watchersOf(String vchannel) {
        return channelHolders.getOrDefault(vchannel, List.of());
    }

    boolean serviceableOn(String vchannel, long nodeId) {
        return serviceable.contains(new NodeChannel(nodeId, vchannel));
    }

    ReplicaChannel shard(String vchannel) {
        return new ReplicaChannel(collectionId, replicaId, vchannel);
    }

    ReplicaSegment segment(long segmentId) {
        return new ReplicaSegment(collectionId, replicaId, segmentId);
    }
}
