package io.quiver.querycoord;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.QnLoadSegmentsRequest;
import io.quiver.proto.QnReleaseSegmentsRequest;
import io.quiver.proto.QnUnwatchChannelRequest;
import io.quiver.proto.QnWatchChannelRequest;
import io.quiver.proto.SealedSegmentLocation;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentLoadInfo;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.SyncDistributionRequest;
import io.quiver.proto.VchannelRecoveryInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs a round's planned actions against the querynodes (Milvus querycoordv2's task scheduler, one round at a
 * time). Called without the coordinator's lock. The order keeps every shard served: watches and loads first, then
 * the SyncDistributions that name them, then unwatches and releases. A sync leaves out the new copies whose load
 * failed (the shard learns the rest; the segment is named once it loads), and is not sent to a node whose watch
 * failed; releases of a collection wait for a round in which all its syncs went out (a compaction input is released
 * only after the shard switched to its result). Every failure is reported, none is thrown.
 */
final class ActionExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ActionExecutor.class);
    private final QueryCluster cluster;

    ActionExecutor(QueryCluster cluster) {
        this.cluster = requireNonNull(cluster, "cluster is null");
    }

    /**
     * An action that failed, with why; {@code permanent}: the node answered that the segment's files cannot be read
     * as data (checksum mismatch, bad format), which retrying on any node cannot fix (unlike a node that could not be
     * reached, or one short of memory).
     */
    record Failure(Action action, String reason, boolean permanent) {}

    /** What happened: failures, and the syncs the watchers received (as sent). */
    record Report(List<Failure> failures, List<Action.SyncDistribution> synced) {}

    Report execute(List<Action> actions, Map<Long, SessionInfo> nodes) {
        List<Failure> failures = new ArrayList<>();
        List<Action.SyncDistribution> synced = new ArrayList<>();
        Set<ShardNode> unwatched = new HashSet<>();
        Set<NodeSegment> unloaded = new HashSet<>();
        Set<Long> unsynced = new HashSet<>(); // collections with a sync not sent: their releases wait
        for (Action a : actions) {
            if (a instanceof Action.WatchChannel w && !run(a, nodes, failures)) {
                unwatched.add(w.at());
            }
        }
        for (Action a : actions) {
            if (a instanceof Action.LoadSegment l && !run(a, nodes, failures) && l.purpose() == Action.LoadPurpose.PLACE) {
                unloaded.add(l.at());
            }
        }
        for (Action a : actions) {
            if (a instanceof Action.SyncDistribution planned) {
                Action.SyncDistribution s = withoutUnloaded(planned, unloaded);
                if (unwatched.contains(s.at()) || !run(s, nodes, failures)) {
                    unsynced.add(s.at().collectionId());
                } else {
                    synced.add(s);
                }
            }
        }
        for (Action a : actions) {
            if (a instanceof Action.UnwatchChannel) {
                run(a, nodes, failures);
            }
        }
        for (Action a : actions) {
            if (a instanceof Action.ReleaseSegments r && !unsynced.contains(r.collectionId())) {
                run(a, nodes, failures);
            }
        }
        return new Report(failures, synced);
    }

    private static Action.SyncDistribution withoutUnloaded(Action.SyncDistribution s, Set<NodeSegment> unloaded) {
        if (unloaded.isEmpty()) {
            return s;
        }
        ShardDistribution d = s.distribution();
        List<SealedSegmentLocation> sealed = d.sealed().stream().filter(x -> !unloaded.contains(new NodeSegment(x.getNodeId(), x.getSegmentId()))).toList();
        return sealed.size() == d.sealed().size() ? s
                : new Action.SyncDistribution(s.at(), s.replicaId(), new ShardDistribution(sealed, d.partitionIds(), d.deleteFloorTs()));
    }

    /** Performs one action; false (and a failure recorded) if it failed. */
    private boolean run(Action a, Map<Long, SessionInfo> nodes, List<Failure> failures) {
        try {
            switch (a) {
                case Action.WatchChannel w -> cluster.watch(node(nodes, w.at().nodeId()), watchRequest(w));
                case Action.UnwatchChannel u -> cluster.unwatch(node(nodes, u.at().nodeId()), QnUnwatchChannelRequest.newBuilder()
                        .setCollectionId(u.at().collectionId()).setVchannel(u.at().vchannel()).build());
                case Action.LoadSegment l -> cluster.load(node(nodes, l.nodeId()), loadRequest(l));
                case Action.ReleaseSegments r -> cluster.release(node(nodes, r.nodeId()), QnReleaseSegmentsRequest.newBuilder()
                        .setCollectionId(r.collectionId()).addAllSegmentIds(r.segmentIds()).build());
                case Action.SyncDistribution s -> cluster.syncDistribution(node(nodes, s.at().nodeId()), SyncDistributionRequest.newBuilder()
                        .setCollectionId(s.at().collectionId()).setVchannel(s.at().vchannel()).addAllSealed(s.distribution().sealed())
                        .addAllPartitionIds(s.distribution().partitionIds()).setDeleteFloorTs(s.distribution().deleteFloorTs()).build());
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warn("querycoord action failed {}: {}", describe(a), e.getMessage());
            boolean permanent = e instanceof QuiverException q && q.errorCode() == ErrorCode.SEGMENT_LOAD_FAILED;
            failures.add(new Failure(a, String.valueOf(e.getMessage()), permanent));
            return false;
        }
    }

    private static SessionInfo node(Map<Long, SessionInfo> nodes, long id) {
        SessionInfo n = nodes.get(id);
        if (n == null) {
            throw new IllegalStateException("querynode " + id + " is gone");
        }
        return n;
    }

    private static String describe(Action a) {
        return switch (a) {
            case Action.LoadSegment l -> "load " + l.purpose() + " segment " + l.key().segmentId() + " on querynode " + l.nodeId();
            case Action.WatchChannel w -> "watch " + w.at();
            case Action.UnwatchChannel u -> "unwatch " + u.at();
            case Action.ReleaseSegments r -> "release " + r.segmentIds() + " on querynode " + r.nodeId();
            case Action.SyncDistribution s -> "sync " + s.at();
        };
    }

    /** A shard leader of the channel: from its checkpoint, with its L0 deletes and synced growing data. */
    private QnWatchChannelRequest watchRequest(Action.WatchChannel w) {
        CollectionTarget t = w.target();
        VchannelRecoveryInfo ch = w.channel();
        QnWatchChannelRequest.Builder b = QnWatchChannelRequest.newBuilder().setCollection(t.collection()).setVchannel(ch.getVchannel())
                .addAllPartitionIds(t.leaderPartitions());
        if (ch.hasSeekPosition()) {
            b.setSeekPosition(ch.getSeekPosition());
        }
        for (SegmentInfo s : t.recovery().getSegmentsList()) {
            if (s.getLevel() == SegmentLevel.L0 && s.getVchannel().equals(ch.getVchannel())) {
                b.addL0Segments(SegmentLoadInfo.newBuilder().setSegment(s).setManifest(cluster.manifest(s.getManifestPath())));
            }
        }
        for (SegmentInfo s : t.recovery().getUnflushedSegmentsList()) {
            if (s.getVchannel().equals(ch.getVchannel()) && !s.getManifestPath().isEmpty()) {
                b.addGrowingSegments(SegmentLoadInfo.newBuilder().setSegment(s).setManifest(cluster.manifest(s.getManifestPath())));
            }
        }
        for (SegmentInfo s : t.flushed()) {
            if (s.getVchannel().equals(ch.getVchannel())) {
                b.addExcludedSegmentIds(s.getSegmentId());
                b.addAllExcludedSegmentIds(s.getCompactedFromList()); // inputs still served are flushed data too
            }
        }
        return b.build();
    }

    private QnLoadSegmentsRequest loadRequest(Action.LoadSegment l) {
        SegmentInfo s = l.segment();
        CollectionTarget t = l.target();
        SegmentLoadInfo info = SegmentLoadInfo.newBuilder().setSegment(s).setManifest(cluster.manifest(s.getManifestPath()))
                .addAllIndexes(t.builtIndexes(s.getSegmentId())).addAllIndexInfos(t.indexInfos()).build();
        return QnLoadSegmentsRequest.newBuilder().setCollection(t.collection()).setVchannel(s.getVchannel()).addSegments(info).build();
    }
}
