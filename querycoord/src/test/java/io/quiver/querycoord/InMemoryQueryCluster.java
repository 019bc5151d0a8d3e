package io.quiver.querycoord;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.proto.ChannelDistribution;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.GetRecoveryInfoResponse;
import io.quiver.proto.GetSegmentIndexesResponse;
import io.quiver.proto.PartitionInfo;
import io.quiver.proto.QnLoadSegmentsRequest;
import io.quiver.proto.QnReleaseSegmentsRequest;
import io.quiver.proto.QnUnwatchChannelRequest;
import io.quiver.proto.QnWatchChannelRequest;
import io.quiver.proto.SealedSegmentLocation;
import io.quiver.proto.SegmentDistribution;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentManifest;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.SyncDistributionRequest;
import io.quiver.proto.VchannelRecoveryInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One collection on in-memory querynodes whose target the test sets directly (segments with their manifest versions
 * and compaction lineage, channels with their delete floors). Every remote call is logged in order; loads listed in
 * {@link #refuse} fail as a querynode out of memory does.
 */
final class InMemoryQueryCluster implements QueryCluster {
    static final long COLL = 7;

    static final class Node {
        final SessionInfo session;
        final Map<String, Integer> channels = new LinkedHashMap<>(); // vchannel -> distribution reports since the watch
        final Map<Long, SegmentInfo> segments = new TreeMap<>();     // what it loaded, with the manifest version
        final Map<String, SyncDistributionRequest> synced = new HashMap<>();

        Node(long id) {
            session = SessionInfo.newBuilder().setServerId(id).setRole("querynode").setAddress("127.0.0.1:" + (31000 + id)).build();
        }
    }

    final Map<Long, Node> nodes = new TreeMap<>();
    final Map<String, VchannelRecoveryInfo> channels = new LinkedHashMap<>();
    final Map<Long, SegmentInfo> target = new TreeMap<>();
    final Set<NodeSegment> refuse = new HashSet<>();
    final List<String> log = new ArrayList<>();
    final List<SyncDistributionRequest> syncs = new ArrayList<>();

    InMemoryQueryCluster(int nodes, String... vchannels) {
        for (long i = 1; i <= nodes; i++) {
            this.nodes.put(i, new Node(i));
        }
        for (String v : vchannels) {
            channels.put(v, VchannelRecoveryInfo.newBuilder().setVchannel(v).build());
        }
    }

    static SegmentInfo segment(long id, String vchannel, long rows, long manifestVersion, Long... compactedFrom) {
        return SegmentInfo.newBuilder().setSegmentId(id).setCollectionId(COLL).setPartitionId(10).setVchannel(vchannel)
                .setLevel(SegmentLevel.L1).setNumRows(rows).setManifestVersion(manifestVersion).setManifestPath("m/" + id + "/" + manifestVersion)
                .addAllCompactedFrom(List.of(compactedFrom)).build();
    }

    void setTarget(SegmentInfo... segments) {
        target.clear();
        for (SegmentInfo s : segments) {
            target.put(s.getSegmentId(), s);
        }
    }

    void setFloor(String vchannel, long floor) {
        channels.put(vchannel, channels.get(vchannel).toBuilder().setDeleteFloorTs(floor).build());
    }

    Node node(SessionInfo s) {
        return nodes.get(s.getServerId());
    }

    @Override
    public List<SessionInfo> queryNodes() {
        return nodes.values().stream().map(n -> n.session).toList();
    }

    @Override
    public DistributionResponse distribution(SessionInfo s) {
        Node n = node(s);
        DistributionResponse.Builder b = DistributionResponse.newBuilder().setStatus(Statuses.success()).setNodeId(s.getServerId());
        n.channels.replaceAll((v, reports) -> {
            b.addChannels(ChannelDistribution.newBuilder().setCollectionId(COLL).setVchannel(v).setServiceable(reports > 0));
            return reports + 1;
        });
        n.segments.values().forEach(x -> b.addSegments(SegmentDistribution.newBuilder().setCollectionId(COLL).setSegmentId(x.getSegmentId())
                .setPartitionId(x.getPartitionId()).setVchannel(x.getVchannel()).setNumRows(x.getNumRows()).setManifestVersion(x.getManifestVersion())));
        return b.build();
    }

    @Override
    public void watch(SessionInfo s, QnWatchChannelRequest r) {
        node(s).channels.putIfAbsent(r.getVchannel(), 0);
        node(s).synced.remove(r.getVchannel());
        log.add("watch " + s.getServerId() + " " + r.getVchannel());
    }

    @Override
    public void unwatch(SessionInfo s, QnUnwatchChannelRequest r) {
        node(s).channels.remove(r.getVchannel());
        node(s).synced.remove(r.getVchannel());
        log.add("unwatch " + s.getServerId() + " " + r.getVchannel());
    }

    @Override
    public void load(SessionInfo s, QnLoadSegmentsRequest r) {
        for (var l : r.getSegmentsList()) {
            SegmentInfo seg = l.getSegment();
            if (refuse.contains(new NodeSegment(s.getServerId(), seg.getSegmentId()))) {
                throw new QuiverException(ErrorCode.MEMORY_LIMIT, "querynode " + s.getServerId() + " has no memory for segment " + seg.getSegmentId());
            }
            node(s).segments.put(seg.getSegmentId(), seg);
            log.add("load " + s.getServerId() + " " + seg.getSegmentId() + " v" + seg.getManifestVersion());
        }
    }

    @Override
    public void release(SessionInfo s, QnReleaseSegmentsRequest r) {
        if (r.getSegmentIdsCount() == 0) {
            node(s).segments.clear();
        }
        r.getSegmentIdsList().forEach(node(s).segments::remove);
        log.add("release " + s.getServerId() + " " + r.getSegmentIdsList());
    }

    @Override
    public void syncDistribution(SessionInfo s, SyncDistributionRequest r) {
        if (!node(s).channels.containsKey(r.getVchannel())) {
            throw new IllegalStateException("sync to a node that does not watch " + r.getVchannel());
        }
        node(s).synced.put(r.getVchannel(), r);
        syncs.add(r);
        log.add("sync " + s.getServerId() + " " + r.getVchannel() + " " + r.getSealedList().stream().map(SealedSegmentLocation::getSegmentId).toList()
                + " floor=" + r.getDeleteFloorTs());
    }

    @Override
    public GetRecoveryInfoResponse recoveryInfo(long collectionId, List<Long> partitionIds) {
        return GetRecoveryInfoResponse.newBuilder().setStatus(Statuses.success()).addAllChannels(channels.values())
                .addAllSegments(target.values()).build();
    }

    @Override
    public GetSegmentIndexesResponse segmentIndexes(long collectionId) {
        return GetSegmentIndexesResponse.newBuilder().setStatus(Statuses.success()).build();
    }

    @Override
    public CollectionInfo collection(long collectionId) {
        return CollectionInfo.newBuilder().setCollectionId(collectionId).setName("c" + collectionId).addAllVchannels(channels.keySet())
                .addPartitions(PartitionInfo.newBuilder().setPartitionId(10)).build();
    }

    @Override
    public SegmentManifest manifest(String path) {
        return SegmentManifest.getDefaultInstance();
    }
}
