package io.quiver.querycoord;

import static io.quiver.querycoord.InMemoryQueryCluster.COLL;

import io.quiver.common.error.Statuses;
import io.quiver.proto.ChannelDistribution;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.GetRecoveryInfoResponse;
import io.quiver.proto.GetSegmentIndexesResponse;
import io.quiver.proto.LoadCollectionInternalRequest;
import io.quiver.proto.Replica;
import io.quiver.proto.SegmentDistribution;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.VchannelRecoveryInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Snapshot records for the checkers' unit tests: nodes with their distributions, and one collection's target. */
final class Fixtures {
    private Fixtures() {}

    static SessionInfo node(long id) {
        return SessionInfo.newBuilder().setServerId(id).setAddress("127.0.0.1:" + (32000 + id)).build();
    }

    static ChannelDistribution watching(String vchannel, boolean serviceable) {
        return ChannelDistribution.newBuilder().setCollectionId(COLL).setVchannel(vchannel).setServiceable(serviceable).build();
    }

    static SegmentDistribution holding(long segmentId, String vchannel, long rows, long manifestVersion) {
        return SegmentDistribution.newBuilder().setCollectionId(COLL).setSegmentId(segmentId).setVchannel(vchannel).setNumRows(rows)
                .setPartitionId(10).setManifestVersion(manifestVersion).build();
    }

    static DistributionResponse dist(long nodeId, List<ChannelDistribution> channels, List<SegmentDistribution> segments) {
        return DistributionResponse.newBuilder().setStatus(Statuses.success()).setNodeId(nodeId).addAllChannels(channels)
                .addAllSegments(segments).build();
    }

    static VchannelRecoveryInfo channel(String vchannel, long floor) {
        return VchannelRecoveryInfo.newBuilder().setVchannel(vchannel).setDeleteFloorTs(floor).build();
    }

    static CollectionTarget target(List<VchannelRecoveryInfo> channels, SegmentInfo... segments) {
        GetRecoveryInfoResponse r = GetRecoveryInfoResponse.newBuilder().setStatus(Statuses.success()).addAllChannels(channels)
                .addAllSegments(List.of(segments)).build();
        return CollectionTarget.of(LoadCollectionInternalRequest.newBuilder().setCollectionId(COLL).setReplicaNumber(1).build(),
                CollectionInfo.newBuilder().setCollectionId(COLL).build(), r, GetSegmentIndexesResponse.getDefaultInstance());
    }

    static RoundSnapshot snapshot(long nowMs, CollectionTarget target, DistributionResponse... dists) {
        Map<Long, SessionInfo> nodes = new HashMap<>();
        Map<Long, DistributionResponse> byNode = new HashMap<>();
        for (DistributionResponse d : dists) {
            nodes.put(d.getNodeId(), node(d.getNodeId()));
            byNode.put(d.getNodeId(), d);
        }
        return new RoundSnapshot(nowMs, nodes, byNode, byNode.keySet(), Map.of(COLL, target), Map.of());
    }

    static ReplicaView view(RoundSnapshot s, long replicaId, Long... members) {
        return ReplicaView.of(s, COLL, Replica.newBuilder().setReplicaId(replicaId).addAllNodeIds(List.of(members)).build());
    }
}
