package io.quiver.querycoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.LoadState;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.ChannelDistribution;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.GetRecoveryInfoResponse;
import io.quiver.proto.GetSegmentIndexesResponse;
import io.quiver.proto.IndexInfo;
import io.quiver.proto.LoadCollectionInternalRequest;
import io.quiver.proto.LoadStateInternalResponse;
import io.quiver.proto.QnLoadSegmentsRequest;
import io.quiver.proto.QnReleaseSegmentsRequest;
import io.quiver.proto.QnUnwatchChannelRequest;
import io.quiver.proto.QnWatchChannelRequest;
import io.quiver.proto.SealedSegmentLocation;
import io.quiver.proto.SegmentDistribution;
import io.quiver.proto.SegmentIndex;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentLoadInfo;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.ShardLeader;
import io.quiver.proto.SyncDistributionRequest;
import io.quiver.proto.VchannelRecoveryInfo;
import io.quiver.storage.MetaKv;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load, release and placement (DESIGN section 11). A loaded collection is persisted in MetaKv
 * ({@code <root>/querycoord/load/<coll>}); its target (channels and flushed segments) comes from datacoord and
 * the actual placement from the querynodes themselves, so a restarted querycoord rebuilds everything from those
 * two. Each {@link #reconcile()} round moves the actual placement towards the target: a leader for every vchannel,
 * every flushed segment (with its finished index) on a live node, dropped segments released, and each leader told
 * the sealed distribution of its shard.
 */
public final class QueryCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(QueryCoordinator.class);

    private final MetaKv kv;
    private final String prefix;
    private final QueryCluster cluster;
    private final Map<Long, LoadCollectionInternalRequest> loaded = new ConcurrentHashMap<>();
    private final Map<Long, LoadProgress> progress = new ConcurrentHashMap<>();
    private final Map<String, List<SealedSegmentLocation>> lastSynced = new ConcurrentHashMap<>();
    private volatile Map<Long, DistributionResponse> actual = Map.of();

    record LoadProgress(int done, int total, String reason) {}

    public QueryCoordinator(MetaKv kv, String root, QueryCluster cluster) {
        this.kv = requireNonNull(kv, "kv is null");
        this.prefix = root + "/querycoord/load/";
        this.cluster = requireNonNull(cluster, "cluster is null");
        for (var e : kv.scan(prefix).kvs()) {
            try {
                LoadCollectionInternalRequest r = LoadCollectionInternalRequest.parseFrom(e.value());
                loaded.put(r.getCollectionId(), r);
            } catch (InvalidProtocolBufferException ex) {
                throw new IllegalStateException("corrupt load record " + e.key(), ex);
            }
        }
        LOG.info("querycoord recovered loadedCollections={}", loaded.keySet());
    }

    public synchronized void load(LoadCollectionInternalRequest r) {
        int replicas = r.getReplicaNumber() <= 0 ? 1 : r.getReplicaNumber();
        int nodes = (int) cluster.queryNodes().stream().filter(n -> !n.getStopping()).count();
        if (replicas > Math.max(1, nodes)) {
            throw QuiverException.invalid("replica number %d exceeds the number of live querynodes (%d)", replicas, nodes);
        }
        if (replicas > 1) {
            throw QuiverException.invalid("replica number %d: more than one replica is not supported yet", replicas);
        }
        LoadCollectionInternalRequest cur = loaded.get(r.getCollectionId());
        List<Long> parts = new ArrayList<>();
        if (r.getIsPartitionLoad()) {
            if (cur != null) {
                parts.addAll(cur.getPartitionIdsList());
            }
            for (long p : r.getPartitionIdsList()) {
                if (!parts.contains(p)) {
                    parts.add(p);
                }
            }
        }
        LoadCollectionInternalRequest rec = r.toBuilder().setReplicaNumber(replicas).clearPartitionIds().addAllPartitionIds(parts)
                .setIsPartitionLoad(r.getIsPartitionLoad() && (cur == null || cur.getIsPartitionLoad())).build();
        kv.put(prefix + r.getCollectionId(), rec.toByteArray());
        loaded.put(r.getCollectionId(), rec);
        LOG.info("load requested collectionId={} partitions={} replicas={}", r.getCollectionId(), parts, replicas);
    }

    public synchronized void release(long collectionId, List<Long> partitionIds) {
        LoadCollectionInternalRequest cur = loaded.get(collectionId);
        if (cur == null) {
            return;
        }
        if (!partitionIds.isEmpty() && cur.getIsPartitionLoad()) {
            List<Long> left = cur.getPartitionIdsList().stream().filter(p -> !partitionIds.contains(p)).toList();
            if (!left.isEmpty()) {
                LoadCollectionInternalRequest rec = cur.toBuilder().clearPartitionIds().addAllPartitionIds(left).build();
                kv.put(prefix + collectionId, rec.toByteArray());
                loaded.put(collectionId, rec);
                return;
            }
        } else if (!partitionIds.isEmpty()) {
            // releasing some partitions of a whole-collection load: keep the others loaded
            CollectionInfo c = cluster.collection(collectionId);
            List<Long> left = c.getPartitionsList().stream().map(p -> p.getPartitionId()).filter(p -> !partitionIds.contains(p)).toList();
            if (!left.isEmpty()) {
                LoadCollectionInternalRequest rec = cur.toBuilder().setIsPartitionLoad(true).clearPartitionIds().addAllPartitionIds(left).build();
                kv.put(prefix + collectionId, rec.toByteArray());
                loaded.put(collectionId, rec);
                return;
            }
        }
        kv.delete(prefix + collectionId);
        loaded.remove(collectionId);
        progress.remove(collectionId);
        for (SessionInfo n : cluster.queryNodes()) {
            try {
                cluster.release(n, QnReleaseSegmentsRequest.newBuilder().setCollectionId(collectionId).build());
            } catch (RuntimeException e) {
                LOG.warn("release on node {} failed: {}", n.getServerId(), e.toString());
            }
        }
        lastSynced.keySet().removeIf(k -> k.startsWith(collectionId + "/"));
        LOG.info("collection released collectionId={}", collectionId);
    }

    public boolean isLoaded(long collectionId) {
        return loaded.containsKey(collectionId);
    }

    public LoadStateInternalResponse loadState(long collectionId, List<Long> partitionIds) {
        LoadCollectionInternalRequest cur = loaded.get(collectionId);
        LoadStateInternalResponse.Builder b = LoadStateInternalResponse.newBuilder().setStatus(io.quiver.common.error.Statuses.success());
        if (cur == null) {
            return b.setState(LoadState.LoadStateNotLoad).setProgress(0).build();
        }
        if (cur.getIsPartitionLoad() && !partitionIds.isEmpty() && !cur.getPartitionIdsList().containsAll(partitionIds)) {
            return b.setState(LoadState.LoadStateNotLoad).setProgress(0).build();
        }
        b.addAllLoadedPartitionIds(cur.getPartitionIdsList());
        LoadProgress p = progress.get(collectionId);
        if (p == null) {
            return b.setState(LoadState.LoadStateLoading).setProgress(0).setReason("waiting for the first placement round").build();
        }
        int pct = p.total() == 0 ? 100 : (int) (100L * p.done() / p.total());
        if (p.done() >= p.total() && p.reason().isEmpty()) {
            return b.setState(LoadState.LoadStateLoaded).setProgress(100).build();
        }
        return b.setState(LoadState.LoadStateLoading).setProgress(Math.min(99, pct)).setReason(p.reason()).build();
    }

    public List<ShardLeader> shardLeaders(long collectionId) {
        if (!loaded.containsKey(collectionId)) {
            throw new QuiverException(io.quiver.common.error.ErrorCode.COLLECTION_NOT_LOADED, "collectionID=" + collectionId);
        }
        List<ShardLeader> out = new ArrayList<>();
        Map<Long, SessionInfo> nodes = nodesById();
        for (DistributionResponse d : actual.values()) {
            for (ChannelDistribution ch : d.getChannelsList()) {
                SessionInfo n = nodes.get(d.getNodeId());
                if (ch.getCollectionId() == collectionId && n != null) {
                    out.add(ShardLeader.newBuilder().setVchannel(ch.getVchannel()).setNodeId(d.getNodeId()).setAddress(n.getAddress()).build());
                }
            }
        }
        return out;
    }

    public List<Long> loadedPartitions(long collectionId) {
        LoadCollectionInternalRequest cur = loaded.get(collectionId);
        return cur == null ? List.of() : cur.getPartitionIdsList();
    }

    private Map<Long, SessionInfo> nodesById() {
        Map<Long, SessionInfo> m = new HashMap<>();
        cluster.queryNodes().stream().filter(n -> !n.getStopping()).forEach(n -> m.put(n.getServerId(), n));
        return m;
    }

    /** One placement round over every loaded collection. */
    public synchronized void reconcile() {
        Map<Long, SessionInfo> nodes = nodesById();
        Map<Long, DistributionResponse> dist = new HashMap<>();
        for (SessionInfo n : nodes.values()) {
            try {
                dist.put(n.getServerId(), cluster.distribution(n));
            } catch (RuntimeException e) {
                LOG.warn("distribution of querynode {} unavailable: {}", n.getServerId(), e.toString());
            }
        }
        actual = dist;
        // place work only on nodes that answered: a node killed with -9 keeps its session until the lease expires,
        // but must not receive leaders or segments meanwhile
        Map<Long, SessionInfo> reachable = new HashMap<>(nodes);
        reachable.keySet().retainAll(dist.keySet());
        for (LoadCollectionInternalRequest r : List.copyOf(loaded.values())) {
            try {
                reconcile(r, reachable, dist);
            } catch (RuntimeException e) {
                LOG.warn("placement round failed collectionId={}: {}", r.getCollectionId(), e.toString());
                LoadProgress p = progress.get(r.getCollectionId());
                progress.put(r.getCollectionId(), new LoadProgress(p == null ? 0 : p.done(), p == null ? 1 : p.total(), e.getMessage()));
            }
        }
    }

    private void reconcile(LoadCollectionInternalRequest r, Map<Long, SessionInfo> nodes, Map<Long, DistributionResponse> dist) {
        long coll = r.getCollectionId();
        if (nodes.isEmpty()) {
            progress.put(coll, new LoadProgress(0, 1, "no querynode is available"));
            return;
        }
        CollectionInfo c = cluster.collection(coll);
        List<Long> partitions = r.getIsPartitionLoad() ? r.getPartitionIdsList()
                : c.getPartitionsList().stream().map(p -> p.getPartitionId()).toList();
        // what leaders filter on: the loaded partitions of a partition load; empty = every partition, including
        // partitions created after the load (Milvus loads those automatically)
        List<Long> leaderPartitions = r.getIsPartitionLoad() ? partitions : List.of();
        GetRecoveryInfoResponse target = cluster.recoveryInfo(coll, partitions);
        io.quiver.common.error.Statuses.check(target.getStatus());
        GetSegmentIndexesResponse idx = cluster.segmentIndexes(coll);
        Map<Long, List<SegmentIndex>> indexBySegment = new HashMap<>();
        for (SegmentIndex si : idx.getSegmentIndexesList()) {
            indexBySegment.computeIfAbsent(si.getSegmentId(), k -> new ArrayList<>()).add(si);
        }
        List<IndexInfo> indexInfos = idx.getIndexesList();

        // where things are now
        Map<String, Long> leaderOf = new HashMap<>();
        Map<String, Boolean> serviceable = new HashMap<>();
        Map<Long, Long> segmentNode = new HashMap<>();
        Map<Long, Long> segmentBuild = new HashMap<>();
        Map<Long, Long> rowsOnNode = new HashMap<>();
        Map<Long, Integer> channelsOnNode = new HashMap<>();
        nodes.keySet().forEach(n -> {
            rowsOnNode.put(n, 0L);
            channelsOnNode.put(n, 0);
        });
        for (DistributionResponse d : dist.values()) {
            for (ChannelDistribution ch : d.getChannelsList()) {
                channelsOnNode.merge(d.getNodeId(), 1, Integer::sum);
                if (ch.getCollectionId() == coll) {
                    leaderOf.put(ch.getVchannel(), d.getNodeId());
                    serviceable.put(ch.getVchannel(), ch.getServiceable());
                }
            }
            for (SegmentDistribution s : d.getSegmentsList()) {
                rowsOnNode.merge(d.getNodeId(), s.getNumRows(), Long::sum);
                if (s.getCollectionId() == coll) {
                    segmentNode.put(s.getSegmentId(), d.getNodeId());
                    segmentBuild.put(s.getSegmentId(), s.getIndexBuildId());
                }
            }
        }
        List<SegmentInfo> flushed = target.getSegmentsList().stream().filter(s -> s.getLevel() == SegmentLevel.L1).toList();
        List<SegmentInfo> l0 = target.getSegmentsList().stream().filter(s -> s.getLevel() == SegmentLevel.L0).toList();
        int total = target.getChannelsCount() + flushed.size();
        int done = 0;
        String reason = "";

        // 1. a leader for every vchannel
        for (VchannelRecoveryInfo ch : target.getChannelsList()) {
            Long leader = leaderOf.get(ch.getVchannel());
            if (leader != null && nodes.containsKey(leader)) {
                if (Boolean.TRUE.equals(serviceable.get(ch.getVchannel()))) {
                    done++;
                } else {
                    reason = "shard leader of " + ch.getVchannel() + " is catching up with the WAL";
                }
                continue;
            }
            long node = channelsOnNode.entrySet().stream().min(Map.Entry.<Long, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                    .orElseThrow().getKey();
            QnWatchChannelRequest.Builder w = QnWatchChannelRequest.newBuilder().setCollection(c).setVchannel(ch.getVchannel())
                    .addAllPartitionIds(leaderPartitions);
            if (ch.hasSeekPosition()) {
                w.setSeekPosition(ch.getSeekPosition());
            }
            for (SegmentInfo s : l0) {
                if (s.getVchannel().equals(ch.getVchannel())) {
                    w.addL0Segments(SegmentLoadInfo.newBuilder().setSegment(s).setManifest(cluster.manifest(s.getManifestPath())));
                }
            }
            for (SegmentInfo s : target.getUnflushedSegmentsList()) {
                if (s.getVchannel().equals(ch.getVchannel()) && !s.getManifestPath().isEmpty()) {
                    w.addGrowingSegments(SegmentLoadInfo.newBuilder().setSegment(s).setManifest(cluster.manifest(s.getManifestPath())));
                }
            }
            flushed.stream().filter(s -> s.getVchannel().equals(ch.getVchannel())).forEach(s -> w.addExcludedSegmentIds(s.getSegmentId()));
            cluster.watch(nodes.get(node), w.build());
            channelsOnNode.merge(node, 1, Integer::sum);
            leaderOf.put(ch.getVchannel(), node);
            reason = "shard leader of " + ch.getVchannel() + " starting on querynode " + node;
            LOG.info("shard leader assigned vchannel={} node={}", ch.getVchannel(), node);
        }

        // 2. every flushed segment, with its finished index, on a live node
        Set<Long> targetIds = new HashSet<>();
        for (SegmentInfo s : flushed) {
            targetIds.add(s.getSegmentId());
            List<SegmentIndex> built = indexBySegment.getOrDefault(s.getSegmentId(), List.of());
            long wantedBuild = built.stream().filter(b -> b.getIndexFilesCount() > 0).mapToLong(SegmentIndex::getBuildId).max().orElse(0);
            Long at = segmentNode.get(s.getSegmentId());
            if (at != null && nodes.containsKey(at) && (wantedBuild == 0 || Objects.equals(segmentBuild.get(s.getSegmentId()), wantedBuild))) {
                done++;
                continue;
            }
            long node = at != null && nodes.containsKey(at) ? at
                    : rowsOnNode.entrySet().stream().min(Map.Entry.<Long, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey())).orElseThrow().getKey();
            SegmentLoadInfo info = SegmentLoadInfo.newBuilder().setSegment(s).setManifest(cluster.manifest(s.getManifestPath()))
                    .addAllIndexes(built).addAllIndexInfos(indexInfos).build();
            try {
                cluster.load(nodes.get(node), QnLoadSegmentsRequest.newBuilder().setCollection(c).setVchannel(s.getVchannel()).addSegments(info).build());
                segmentNode.put(s.getSegmentId(), node);
                rowsOnNode.merge(node, s.getNumRows(), Long::sum);
                done++;
            } catch (RuntimeException e) {
                reason = "segment " + s.getSegmentId() + " cannot be loaded: " + e.getMessage();
                LOG.warn("segment load failed segmentId={} node={}: {}", s.getSegmentId(), node, e.getMessage());
            }
        }

        // 3. segments no longer in the target (compacted, dropped partitions) are released
        for (var e : segmentNode.entrySet()) {
            if (!targetIds.contains(e.getKey()) && nodes.containsKey(e.getValue())) {
                cluster.release(nodes.get(e.getValue()), QnReleaseSegmentsRequest.newBuilder().setCollectionId(coll).addSegmentIds(e.getKey()).build());
            }
        }

        // 4. each leader learns the sealed distribution of its shard
        for (VchannelRecoveryInfo ch : target.getChannelsList()) {
            Long leader = leaderOf.get(ch.getVchannel());
            if (leader == null || !nodes.containsKey(leader)) {
                continue;
            }
            List<SealedSegmentLocation> locs = new ArrayList<>();
            for (SegmentInfo s : flushed) {
                Long at = segmentNode.get(s.getSegmentId());
                if (s.getVchannel().equals(ch.getVchannel()) && at != null && nodes.containsKey(at)) {
                    locs.add(SealedSegmentLocation.newBuilder().setSegmentId(s.getSegmentId()).setNodeId(at)
                            .setAddress(nodes.get(at).getAddress()).setNumRows(s.getNumRows()).setPartitionId(s.getPartitionId()).build());
                }
            }
            locs.sort(Comparator.comparingLong(SealedSegmentLocation::getSegmentId));
            String key = coll + "/" + ch.getVchannel() + "/" + leader + "/" + leaderPartitions;
            if (!locs.equals(lastSynced.get(key))) {
                cluster.syncDistribution(nodes.get(leader), SyncDistributionRequest.newBuilder().setCollectionId(coll)
                        .setVchannel(ch.getVchannel()).addAllSealed(locs).addAllPartitionIds(leaderPartitions).build());
                lastSynced.put(key, locs);
            }
        }
        progress.put(coll, new LoadProgress(done, total, done >= total ? "" : reason));
    }
}
