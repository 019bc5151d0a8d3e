package io.quiver.querycoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.GetQuerySegmentInfoResponse;
import io.milvus.grpc.GetReplicasResponse;
import io.milvus.grpc.LoadState;
import io.milvus.grpc.QuerySegmentInfo;
import io.milvus.grpc.ReplicaInfo;
import io.milvus.grpc.ShardReplica;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
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
import io.quiver.proto.Replica;
import io.quiver.proto.ReplicaAssignment;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load, release, replicas and placement (DESIGN section 11). A loaded collection ({@code <root>/querycoord/load/<coll>})
 * has {@code replica_number} replicas, each a stable set of querynodes ({@code <root>/querycoord/replica/<coll>}). The
 * target (channels, flushed segments, L0 deletes, unflushed manifests) comes from datacoord and the actual placement
 * from the querynodes, so a restarted querycoord rebuilds everything from those two.
 *
 * <p>Each {@link #reconcile()} round moves every replica towards the target: a shard leader per vchannel on the
 * replica's nodes, every flushed segment (with its finished index) on one node of the replica, each leader told the
 * sealed distribution of its shard, and one segment moved per round from the fullest to the emptiest node of a
 * replica when their row counts differ by more than the balance tolerance. Moves never leave a segment unserved:
 * the new holder loads it, the leader's distribution switches to it, and only in a later round is the old copy
 * released. Shard leaders are balanced the same way, one handoff per replica at a time: the new leader warms up
 * (watches the channel, catches up, learns the distribution) while the old one serves, {@code GetShardLeaders}
 * switches to it once it is serviceable, and the old one is released after a grace period for the proxies' caches.
 * A node that leaves (lease lost, or stopping gracefully) leaves its replica; its work is rebuilt on the others, and
 * its leftovers are released once every replica serves them elsewhere. New nodes join the replica with the fewest
 * nodes. Handoffs in progress live in memory only: a restarted querycoord keeps one serving leader per shard and
 * releases the other (the proxies refetch leaders when a cached one fails).
 */
public final class QueryCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(QueryCoordinator.class);
    /** The default {@link #balanceTolerance}. */
    static final double BALANCE_TOLERANCE = 0.10;
    /** Replicas are balanced when node row counts differ by at most this fraction of the mean (or one segment). */
    private final double balanceTolerance;

    private final MetaKv kv;
    private final String prefix;
    private final String replicaPrefix;
    private final QueryCluster cluster;
    private final Map<Long, LoadCollectionInternalRequest> loaded = new ConcurrentHashMap<>();
    private final Map<Long, ReplicaAssignment> replicas = new ConcurrentHashMap<>();
    private final Map<Long, LoadProgress> progress = new ConcurrentHashMap<>();
    private final Map<String, List<SealedSegmentLocation>> lastSynced = new ConcurrentHashMap<>();
    /** segment -> node it is being moved to (balance), per collection/replica key. */
    private final Map<String, Long> moving = new ConcurrentHashMap<>();
    /** coll/replica/vchannel -> the node that leads the shard in that replica (what GetShardLeaders answers). */
    private final Map<String, Long> currentLeader = new ConcurrentHashMap<>();
    /** coll/replica/vchannel -> a shard leader handoff in progress (balance). */
    private final Map<String, LeaderMove> leaderMoves = new ConcurrentHashMap<>();
    /**
     * How long the old leader keeps its channel after a handoff switched: longer than the proxies' shard-leader cache
     * (3 s) plus a placement round, so no proxy still routes to a leader that is gone.
     */
    private final long leaderReleaseGraceMs;
    private volatile Map<Long, DistributionResponse> actual = Map.of();
    private volatile Map<Long, SessionInfo> known = Map.of();

    record LoadProgress(int done, int total, String reason) {}

    /** A leader moving from one node of a replica to another: {@code switchedAt} is 0 while the new one warms up. */
    record LeaderMove(long from, long to, long switchedAt) {}

    /** The default {@link #leaderReleaseGraceMs}. */
    static final long LEADER_RELEASE_GRACE_MS = 10_000;

    public QueryCoordinator(MetaKv kv, String root, QueryCluster cluster) {
        this(kv, root, cluster, BALANCE_TOLERANCE, LEADER_RELEASE_GRACE_MS);
    }

    public QueryCoordinator(MetaKv kv, String root, QueryCluster cluster, double balanceTolerance, long leaderReleaseGraceMs) {
        this.balanceTolerance = balanceTolerance;
        this.leaderReleaseGraceMs = leaderReleaseGraceMs;
        this.kv = requireNonNull(kv, "kv is null");
        this.prefix = root + "/querycoord/load/";
        this.replicaPrefix = root + "/querycoord/replica/";
        this.cluster = requireNonNull(cluster, "cluster is null");
        for (var e : kv.scan(prefix).kvs()) {
            LoadCollectionInternalRequest r = parse(e.value(), LoadCollectionInternalRequest.parser());
            loaded.put(r.getCollectionId(), r);
        }
        for (var e : kv.scan(replicaPrefix).kvs()) {
            ReplicaAssignment a = parse(e.value(), ReplicaAssignment.parser());
            replicas.put(a.getCollectionId(), a);
        }
        LOG.info("querycoord recovered loadedCollections={}", loaded.keySet());
    }

    private static <T> T parse(byte[] b, com.google.protobuf.Parser<T> p) {
        try {
            return p.parseFrom(b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt querycoord record", e);
        }
    }

    private List<Long> liveNodeIds() {
        return cluster.queryNodes().stream().filter(n -> !n.getStopping()).map(SessionInfo::getServerId).sorted().toList();
    }

    public synchronized void load(LoadCollectionInternalRequest r) {
        int n = r.getReplicaNumber() <= 0 ? 1 : r.getReplicaNumber();
        List<Long> live = liveNodeIds();
        if (n > Math.max(1, live.size())) {
            throw QuiverException.invalid("replica number %d exceeds the number of live querynodes (%d)", n, live.size());
        }
        LoadCollectionInternalRequest cur = loaded.get(r.getCollectionId());
        if (cur != null && cur.getReplicaNumber() != n && r.getReplicaNumber() > 0) {
            throw QuiverException.invalid("can't change the replica number for loaded collection: expected=%d, actual=%d",
                    cur.getReplicaNumber(), n);
        }
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
        LoadCollectionInternalRequest rec = r.toBuilder().setReplicaNumber(n).clearPartitionIds().addAllPartitionIds(parts)
                .setIsPartitionLoad(r.getIsPartitionLoad() && (cur == null || cur.getIsPartitionLoad())).build();
        kv.put(prefix + r.getCollectionId(), rec.toByteArray());
        loaded.put(r.getCollectionId(), rec);
        if (!replicas.containsKey(r.getCollectionId())) {
            ReplicaAssignment.Builder a = ReplicaAssignment.newBuilder().setCollectionId(r.getCollectionId());
            for (int i = 0; i < n; i++) {
                a.addReplicas(Replica.newBuilder().setReplicaId(i + 1)); // replica ids are per collection
            }
            for (int i = 0; i < live.size(); i++) {
                Replica rep = a.getReplicas(i % n);
                a.setReplicas(i % n, rep.toBuilder().addNodeIds(live.get(i)));
            }
            saveReplicas(a.build());
        }
        LOG.info("load requested collectionId={} partitions={} replicas={} assignment={}", r.getCollectionId(), parts, n,
                replicas.get(r.getCollectionId()).getReplicasList().stream().map(Replica::getNodeIdsList).toList());
    }

    private void saveReplicas(ReplicaAssignment a) {
        kv.put(replicaPrefix + a.getCollectionId(), a.toByteArray());
        replicas.put(a.getCollectionId(), a);
    }

    public synchronized void release(long collectionId, List<Long> partitionIds) {
        LoadCollectionInternalRequest cur = loaded.get(collectionId);
        if (cur == null) {
            return;
        }
        if (!partitionIds.isEmpty()) {
            List<Long> current = cur.getIsPartitionLoad() ? cur.getPartitionIdsList()
                    : cluster.collection(collectionId).getPartitionsList().stream().map(p -> p.getPartitionId()).toList();
            List<Long> left = current.stream().filter(p -> !partitionIds.contains(p)).toList();
            if (!left.isEmpty()) {
                LoadCollectionInternalRequest rec = cur.toBuilder().setIsPartitionLoad(true).clearPartitionIds().addAllPartitionIds(left).build();
                kv.put(prefix + collectionId, rec.toByteArray());
                loaded.put(collectionId, rec);
                return;
            }
        }
        kv.delete(prefix + collectionId);
        kv.delete(replicaPrefix + collectionId);
        loaded.remove(collectionId);
        replicas.remove(collectionId);
        progress.remove(collectionId);
        for (SessionInfo n : cluster.queryNodes()) {
            try {
                cluster.release(n, QnReleaseSegmentsRequest.newBuilder().setCollectionId(collectionId).build());
            } catch (RuntimeException e) {
                LOG.warn("release on node {} failed: {}", n.getServerId(), e.toString());
            }
        }
        lastSynced.keySet().removeIf(k -> k.startsWith(collectionId + "/"));
        moving.keySet().removeIf(k -> k.startsWith(collectionId + "/"));
        currentLeader.keySet().removeIf(k -> k.startsWith(collectionId + "/"));
        leaderMoves.keySet().removeIf(k -> k.startsWith(collectionId + "/"));
        LOG.info("collection released collectionId={}", collectionId);
    }

    public int loadedCount() {
        return loaded.size();
    }

    public boolean isLoaded(long collectionId) {
        return loaded.containsKey(collectionId);
    }

    public LoadStateInternalResponse loadState(long collectionId, List<Long> partitionIds) {
        LoadCollectionInternalRequest cur = loaded.get(collectionId);
        LoadStateInternalResponse.Builder b = LoadStateInternalResponse.newBuilder().setStatus(Statuses.success());
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

    /**
     * Per replica and vchannel, the serviceable leader on one of the replica's nodes; while a leader moves away from a
     * node that is leaving, that node's leader still answers until its replacement is serviceable.
     */
    public List<ShardLeader> shardLeaders(long collectionId) {
        if (!loaded.containsKey(collectionId)) {
            throw new QuiverException(ErrorCode.COLLECTION_NOT_LOADED, "collectionID=" + collectionId);
        }
        ReplicaAssignment a = replicas.get(collectionId);
        Map<Long, SessionInfo> nodes = known;
        List<ShardLeader> out = new ArrayList<>();
        if (a == null) {
            return out;
        }
        Set<Long> members = new HashSet<>();
        a.getReplicasList().forEach(r -> members.addAll(r.getNodeIdsList()));
        for (Replica rep : a.getReplicasList()) {
            Map<String, ShardLeader> chosen = new TreeMap<>();
            Map<String, ShardLeader> fallback = new TreeMap<>();
            for (DistributionResponse d : actual.values()) {
                SessionInfo n = nodes.get(d.getNodeId());
                if (n == null) {
                    continue;
                }
                for (ChannelDistribution ch : d.getChannelsList()) {
                    if (ch.getCollectionId() != collectionId || !ch.getServiceable()) {
                        continue;
                    }
                    ShardLeader l = ShardLeader.newBuilder().setVchannel(ch.getVchannel()).setNodeId(d.getNodeId())
                            .setAddress(n.getAddress()).setReplicaId(rep.getReplicaId()).build();
                    if (rep.getNodeIdsList().contains(d.getNodeId())) {
                        // during a handoff both nodes serve the shard: the one querycoord switched to is the leader
                        Long cur = currentLeader.get(collectionId + "/" + rep.getReplicaId() + "/" + ch.getVchannel());
                        if (cur != null && cur == d.getNodeId()) {
                            chosen.put(ch.getVchannel(), l);
                        } else {
                            chosen.putIfAbsent(ch.getVchannel(), l);
                        }
                    } else if (!members.contains(d.getNodeId())) {
                        fallback.putIfAbsent(ch.getVchannel(), l);
                    }
                }
            }
            fallback.forEach(chosen::putIfAbsent);
            out.addAll(chosen.values());
        }
        return out;
    }

    public List<Long> loadedPartitions(long collectionId) {
        LoadCollectionInternalRequest cur = loaded.get(collectionId);
        return cur == null ? List.of() : cur.getPartitionIdsList();
    }

    /** GetReplicas: each replica's nodes and shard leaders. */
    public GetReplicasResponse replicaInfo(long collectionId) {
        if (!loaded.containsKey(collectionId)) {
            throw new QuiverException(ErrorCode.COLLECTION_NOT_LOADED, "collectionID=" + collectionId);
        }
        GetReplicasResponse.Builder b = GetReplicasResponse.newBuilder().setStatus(Statuses.success());
        List<ShardLeader> leaders = shardLeaders(collectionId);
        for (Replica rep : replicas.getOrDefault(collectionId, ReplicaAssignment.getDefaultInstance()).getReplicasList()) {
            ReplicaInfo.Builder ri = ReplicaInfo.newBuilder().setReplicaID(rep.getReplicaId()).setCollectionID(collectionId)
                    .addAllPartitionIds(loadedPartitions(collectionId)).addAllNodeIds(rep.getNodeIdsList()).setResourceGroupName("__default_resource_group");
            for (ShardLeader l : leaders) {
                if (l.getReplicaId() == rep.getReplicaId()) {
                    ri.addShardReplicas(ShardReplica.newBuilder().setLeaderID(l.getNodeId()).setLeaderAddr(l.getAddress())
                            .setDmChannelName(l.getVchannel()).addAllNodeIds(rep.getNodeIdsList()));
                }
            }
            b.addReplicas(ri);
        }
        return b.build();
    }

    /** GetQuerySegmentInfo: every sealed segment of the collection with the nodes that hold it. */
    public GetQuerySegmentInfoResponse segmentInfo(long collectionId) {
        Map<Long, QuerySegmentInfo.Builder> bySegment = new TreeMap<>();
        for (DistributionResponse d : actual.values()) {
            for (SegmentDistribution s : d.getSegmentsList()) {
                if (s.getCollectionId() != collectionId) {
                    continue;
                }
                bySegment.computeIfAbsent(s.getSegmentId(), id -> QuerySegmentInfo.newBuilder().setSegmentID(id).setCollectionID(collectionId)
                        .setPartitionID(s.getPartitionId()).setNumRows(s.getNumRows()).setMemSize(s.getMemoryBytes())
                        .setIndexID(s.getIndexBuildId()).setNodeID(d.getNodeId()).setState(io.milvus.grpc.SegmentState.Sealed)
                        .setLevel(io.milvus.grpc.SegmentLevel.L1)).addNodeIds(d.getNodeId());
            }
        }
        GetQuerySegmentInfoResponse.Builder b = GetQuerySegmentInfoResponse.newBuilder().setStatus(Statuses.success());
        bySegment.values().forEach(s -> b.addInfos(s));
        return b.build();
    }

    /** One placement round over every loaded collection. */
    public synchronized void reconcile() {
        Map<Long, SessionInfo> all = new HashMap<>();
        cluster.queryNodes().forEach(n -> all.put(n.getServerId(), n));
        Map<Long, DistributionResponse> dist = new HashMap<>();
        for (SessionInfo n : all.values()) {
            try {
                dist.put(n.getServerId(), cluster.distribution(n));
            } catch (RuntimeException e) {
                LOG.warn("distribution of querynode {} unavailable: {}", n.getServerId(), e.toString());
            }
        }
        known = all;
        actual = dist;
        // new work goes only to nodes that answer and are not leaving; a node killed with -9 keeps its session until
        // the lease expires but must not receive leaders or segments meanwhile
        Set<Long> usable = new HashSet<>();
        for (SessionInfo n : all.values()) {
            if (!n.getStopping() && dist.containsKey(n.getServerId())) {
                usable.add(n.getServerId());
            }
        }
        // channels each node leads, over all collections, shared by every collection of this round so that their
        // leader moves see each other's (a handoff's source no longer counts: its channel is on its way out)
        Map<Long, Integer> channelsOnNode = new HashMap<>();
        dist.forEach((n, d) -> channelsOnNode.put(n, d.getChannelsCount()));
        leaderMoves.values().forEach(mv -> channelsOnNode.computeIfPresent(mv.from(), (k, x) -> x - 1));
        for (LoadCollectionInternalRequest r : List.copyOf(loaded.values())) {
            try {
                reconcile(r, usable, all, dist, channelsOnNode);
            } catch (RuntimeException e) {
                LOG.warn("placement round failed collectionId={}: {}", r.getCollectionId(), e.toString());
                LoadProgress p = progress.get(r.getCollectionId());
                progress.put(r.getCollectionId(), new LoadProgress(p == null ? 0 : p.done(), p == null ? 1 : p.total(), String.valueOf(e.getMessage())));
            }
        }
    }

    /** Keeps replica membership in step with the usable nodes: leavers out, newcomers into the smallest replica. */
    private ReplicaAssignment updateMembership(long coll, Set<Long> usable) {
        ReplicaAssignment a = replicas.get(coll);
        if (a == null) {
            return null;
        }
        Set<Long> assigned = new HashSet<>();
        List<Replica.Builder> reps = new ArrayList<>();
        for (Replica r : a.getReplicasList()) {
            Replica.Builder b = r.toBuilder().clearNodeIds();
            r.getNodeIdsList().stream().filter(usable::contains).forEach(n -> {
                b.addNodeIds(n);
                assigned.add(n);
            });
            reps.add(b);
        }
        for (long n : usable.stream().sorted().toList()) {
            if (!assigned.contains(n)) {
                reps.stream().min(Comparator.comparingInt(Replica.Builder::getNodeIdsCount)).ifPresent(b -> b.addNodeIds(n));
            }
        }
        // a replica left without nodes takes one from the largest replica that has more than one
        for (Replica.Builder empty : reps) {
            if (empty.getNodeIdsCount() == 0) {
                reps.stream().filter(b -> b.getNodeIdsCount() > 1).max(Comparator.comparingInt(Replica.Builder::getNodeIdsCount)).ifPresent(big -> {
                    long n = big.getNodeIds(big.getNodeIdsCount() - 1);
                    List<Long> keep = new ArrayList<>(big.getNodeIdsList());
                    keep.remove(n);
                    big.clearNodeIds().addAllNodeIds(keep);
                    empty.addNodeIds(n);
                });
            }
        }
        ReplicaAssignment.Builder nb = ReplicaAssignment.newBuilder().setCollectionId(coll);
        reps.forEach(b -> nb.addReplicas(b.build()));
        ReplicaAssignment n = nb.build();
        if (!n.equals(a)) {
            saveReplicas(n);
            LOG.info("replica membership changed collectionId={} replicas={}", coll, n.getReplicasList().stream().map(Replica::getNodeIdsList).toList());
        }
        return n;
    }

    private void reconcile(LoadCollectionInternalRequest r, Set<Long> usable, Map<Long, SessionInfo> all, Map<Long, DistributionResponse> dist,
                           Map<Long, Integer> channelsOnNode) {
        long coll = r.getCollectionId();
        ReplicaAssignment assignment = updateMembership(coll, usable);
        if (assignment == null || usable.isEmpty()) {
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
        Statuses.check(target.getStatus());
        GetSegmentIndexesResponse idx = cluster.segmentIndexes(coll);
        Map<Long, List<SegmentIndex>> indexBySegment = new HashMap<>();
        for (SegmentIndex si : idx.getSegmentIndexesList()) {
            indexBySegment.computeIfAbsent(si.getSegmentId(), k -> new ArrayList<>()).add(si);
        }
        List<SegmentInfo> flushed = target.getSegmentsList().stream().filter(s -> s.getLevel() == SegmentLevel.L1).toList();
        Set<Long> targetIds = new HashSet<>();
        flushed.forEach(s -> targetIds.add(s.getSegmentId()));

        int done = 0;
        int total = 0;
        String reason = "";
        Set<Long> members = new HashSet<>();
        for (Replica rep : assignment.getReplicasList()) {
            members.addAll(rep.getNodeIdsList());
            ReplicaResult res = reconcileReplica(c, rep, all, dist, channelsOnNode, target, flushed, indexBySegment, idx.getIndexesList(),
                    leaderPartitions);
            done += res.done;
            total += res.total;
            if (!res.reason.isEmpty()) {
                reason = res.reason;
            }
        }
        // leftovers: segments and leaders of this collection on nodes outside every replica (left, stopping, moved)
        // are released once every replica serves them elsewhere
        boolean complete = done >= total && reason.isEmpty();
        for (var e : dist.entrySet()) {
            long node = e.getKey();
            if (members.contains(node) || !complete) {
                continue;
            }
            SessionInfo s = all.get(node);
            for (ChannelDistribution ch : e.getValue().getChannelsList()) {
                if (ch.getCollectionId() == coll) {
                    cluster.unwatch(s, QnUnwatchChannelRequest.newBuilder().setCollectionId(coll).setVchannel(ch.getVchannel()).build());
                    forgetSync(coll, ch.getVchannel(), node);
                    LOG.info("leader released from non-member node vchannel={} node={}", ch.getVchannel(), node);
                }
            }
            List<Long> segs = e.getValue().getSegmentsList().stream().filter(x -> x.getCollectionId() == coll).map(SegmentDistribution::getSegmentId).toList();
            if (!segs.isEmpty()) {
                cluster.release(s, QnReleaseSegmentsRequest.newBuilder().setCollectionId(coll).addAllSegmentIds(segs).build());
            }
        }
        // segments no longer in the target (dropped partitions, compaction) are released everywhere
        for (var e : dist.entrySet()) {
            List<Long> gone = e.getValue().getSegmentsList().stream()
                    .filter(x -> x.getCollectionId() == coll && !targetIds.contains(x.getSegmentId())).map(SegmentDistribution::getSegmentId).toList();
            if (!gone.isEmpty() && all.containsKey(e.getKey())) {
                cluster.release(all.get(e.getKey()), QnReleaseSegmentsRequest.newBuilder().setCollectionId(coll).addAllSegmentIds(gone).build());
            }
        }
        progress.put(coll, new LoadProgress(done, total, done >= total ? "" : reason));
    }

    private record ReplicaResult(int done, int total, String reason) {}

    private ReplicaResult reconcileReplica(CollectionInfo c, Replica rep, Map<Long, SessionInfo> all, Map<Long, DistributionResponse> dist,
                                           Map<Long, Integer> channelsOnNode, GetRecoveryInfoResponse target, List<SegmentInfo> flushed,
                                           Map<Long, List<SegmentIndex>> indexBySegment, List<IndexInfo> indexInfos, List<Long> leaderPartitions) {
        long coll = c.getCollectionId();
        List<Long> members = rep.getNodeIdsList().stream().filter(dist::containsKey).toList();
        if (members.isEmpty()) {
            return new ReplicaResult(0, target.getChannelsCount() + flushed.size(), "replica " + rep.getReplicaId() + " has no available querynode");
        }
        Map<String, Long> leaderOf = new HashMap<>();
        Map<String, List<Long>> channelHolders = new HashMap<>(); // vchannel -> the replica's nodes that watch it
        Set<String> serviceableOn = new HashSet<>(); // vchannel@node
        Map<Long, List<Long>> holders = new HashMap<>();
        Map<Long, Long> heldBuild = new HashMap<>();
        Map<Long, Long> rowsOnNode = new HashMap<>(); // all collections: tie-break when placing
        Map<Long, Long> collRows = new HashMap<>(); // this collection (= this replica, on its nodes): what balance evens out
        for (long n : members) {
            rowsOnNode.put(n, 0L);
            collRows.put(n, 0L);
            DistributionResponse d = dist.get(n);
            for (ChannelDistribution ch : d.getChannelsList()) {
                if (ch.getCollectionId() == coll) {
                    channelHolders.computeIfAbsent(ch.getVchannel(), k -> new ArrayList<>()).add(n);
                    if (ch.getServiceable()) {
                        serviceableOn.add(ch.getVchannel() + "@" + n);
                    }
                }
            }
            for (SegmentDistribution s : d.getSegmentsList()) {
                rowsOnNode.merge(n, s.getNumRows(), Long::sum);
                if (s.getCollectionId() == coll) {
                    collRows.merge(n, s.getNumRows(), Long::sum);
                    holders.computeIfAbsent(s.getSegmentId(), k -> new ArrayList<>()).add(n);
                    heldBuild.put(s.getSegmentId() * 31 + n, s.getIndexBuildId());
                }
            }
        }
        int total = target.getChannelsCount() + flushed.size();
        int done = 0;
        String reason = "";

        // 1. a leader for every vchannel on one of the replica's nodes: the current one, the target of a handoff once
        // it is serviceable, or a new one on the node leading the fewest channels
        long now = System.currentTimeMillis();
        String repKey = coll + "/" + rep.getReplicaId() + "/";
        for (VchannelRecoveryInfo ch : target.getChannelsList()) {
            String v = ch.getVchannel();
            String key = repKey + v;
            List<Long> hs = channelHolders.getOrDefault(v, List.of());
            LeaderMove mv = leaderMoves.get(key);
            if (mv != null && !hs.contains(mv.to())) {
                leaderMoves.remove(key); // the handoff target left the replica or lost the channel: forget the handoff
                LOG.info("shard leader handoff abandoned vchannel={} replica={} from={} to={}", v, rep.getReplicaId(), mv.from(), mv.to());
                mv = null;
            }
            Long leader;
            if (mv != null) {
                if (mv.switchedAt() == 0 && serviceableOn.contains(v + "@" + mv.to())) {
                    mv = new LeaderMove(mv.from(), mv.to(), now);
                    leaderMoves.put(key, mv);
                    LOG.info("shard leader handoff switched vchannel={} replica={} from={} to={}", v, rep.getReplicaId(), mv.from(), mv.to());
                }
                leader = mv.switchedAt() != 0 || !hs.contains(mv.from()) ? mv.to() : mv.from();
            } else {
                Long cur = currentLeader.get(key);
                leader = cur != null && hs.contains(cur) ? cur
                        : hs.stream().filter(n -> serviceableOn.contains(v + "@" + n)).findFirst().orElse(hs.isEmpty() ? null : hs.get(0));
            }
            if (leader != null) {
                leaderOf.put(v, leader);
                currentLeader.put(key, leader);
                if (serviceableOn.contains(v + "@" + leader)) {
                    done++;
                } else {
                    reason = "shard leader of " + v + " is catching up with the WAL";
                }
                continue;
            }
            // the node leading the fewest shards of this collection in the replica, then the fewest channels overall
            Map<Long, Integer> led = ledPerNode(members, leaderOf);
            long node = members.stream().min(Comparator.comparingInt((Long n) -> led.get(n))
                    .thenComparingInt(channelsOnNode::get).thenComparingLong(n -> n)).orElseThrow();
            watch(c, ch, target, flushed, leaderPartitions, all.get(node));
            channelsOnNode.merge(node, 1, Integer::sum);
            channelHolders.computeIfAbsent(v, k -> new ArrayList<>()).add(node);
            leaderOf.put(v, node);
            currentLeader.put(key, node);
            reason = "shard leader of " + v + " starting on querynode " + node;
            LOG.info("shard leader assigned vchannel={} replica={} node={}", v, rep.getReplicaId(), node);
        }

        // 2. every flushed segment, with its finished index, on one node of the replica
        Map<Long, Long> keep = new HashMap<>();
        boolean placedAll = true;
        for (SegmentInfo s : flushed) {
            long seg = s.getSegmentId();
            List<SegmentIndex> built = indexBySegment.getOrDefault(seg, List.of());
            long wantedBuild = built.stream().filter(b -> b.getIndexFilesCount() > 0).mapToLong(SegmentIndex::getBuildId).max().orElse(0);
            List<Long> h = holders.getOrDefault(seg, List.of());
            String moveKey = coll + "/" + rep.getReplicaId() + "/" + seg;
            Long movingTo = moving.get(moveKey);
            if (movingTo != null && !members.contains(movingTo)) {
                moving.remove(moveKey); // the move's target left the replica: forget the move
                movingTo = null;
            }
            Long kept = movingTo != null && h.contains(movingTo) ? movingTo : h.isEmpty() ? null : h.stream().sorted().findFirst().orElse(null);
            if (kept != null && (wantedBuild == 0 || Objects.equals(heldBuild.get(seg * 31 + kept), wantedBuild))) {
                keep.put(seg, kept);
                done++;
                continue;
            }
            // the emptiest node first; a node that refuses (memory budget) is skipped for the next one
            List<Long> order = kept != null ? List.of(kept)
                    : members.stream().sorted(Comparator.comparingLong((Long n) -> collRows.get(n)).thenComparingLong(rowsOnNode::get)
                            .thenComparingLong(n -> n)).toList();
            Long placed = null;
            for (long node : order) {
                if (load(c, s, all.get(node), built, indexInfos)) {
                    placed = node;
                    break;
                }
            }
            if (placed != null) {
                keep.put(seg, placed);
                if (kept == null) {
                    rowsOnNode.merge(placed, s.getNumRows(), Long::sum);
                    collRows.merge(placed, s.getNumRows(), Long::sum);
                }
                done++;
            } else {
                placedAll = false;
                reason = "segment " + seg + " (" + s.getNumRows() + " rows) cannot be loaded on any querynode of replica "
                        + rep.getReplicaId() + ": " + lastLoadError;
            }
        }

        // 3. balance: one move per round from the node holding most of this replica's rows to the one holding least
        // (ties: fewest rows of all collections), when the difference is worth it. Only this collection's rows count:
        // they are all the replica can move, and counting other collections' rows made moves chase a global
        // imbalance this replica cannot fix (every segment of one collection ended up on the newest node).
        if (placedAll && members.size() > 1 && moving.keySet().stream().noneMatch(k -> k.startsWith(coll + "/" + rep.getReplicaId() + "/"))) {
            Comparator<Long> byLoad = Comparator.comparingLong((Long n) -> collRows.get(n)).thenComparingLong(rowsOnNode::get);
            long max = members.stream().max(byLoad).orElseThrow();
            long min = members.stream().min(byLoad).orElseThrow();
            long diff = collRows.get(max) - collRows.get(min);
            double mean = members.stream().mapToLong(collRows::get).average().orElse(0);
            if (diff > balanceTolerance * mean) {
                // the segment on the fullest node whose move brings the two closest together
                SegmentInfo best = null;
                for (SegmentInfo s : flushed) {
                    if (Objects.equals(keep.get(s.getSegmentId()), max) && s.getNumRows() < diff
                            && (best == null || Math.abs(diff - 2 * s.getNumRows()) < Math.abs(diff - 2 * best.getNumRows()))) {
                        best = s;
                    }
                }
                if (best != null) {
                    List<SegmentIndex> built = indexBySegment.getOrDefault(best.getSegmentId(), List.of());
                    if (load(c, best, all.get(min), built, indexInfos)) {
                        moving.put(coll + "/" + rep.getReplicaId() + "/" + best.getSegmentId(), min);
                        LOG.info("balance: segment {} ({} rows) moving from querynode {} to {} (rows {} vs {})", best.getSegmentId(),
                                best.getNumRows(), max, min, collRows.get(max), collRows.get(min));
                    }
                }
            }
        }

        // 3b. leaders: one handoff at a time per replica, from a node leading more of this collection's shards to one
        // leading fewer, when they differ by two, or by one while the nodes' channels of every collection differ by
        // two (both strictly even things out, so moves end). The new leader watches the channel and catches up with the
        // WAL and the sealed distribution while the old one serves; then the switch; then, after a grace period for
        // the proxies' caches, the old one is released.
        if (placedAll && reason.isEmpty() && members.size() > 1 && leaderMoves.keySet().stream().noneMatch(k -> k.startsWith(repKey))) {
            Map<Long, Integer> led = ledPerNode(members, leaderOf);
            long to = members.stream().min(Comparator.comparingInt((Long n) -> led.get(n)).thenComparingInt(channelsOnNode::get)
                    .thenComparingLong(n -> n)).orElseThrow();
            VchannelRecoveryInfo move = null;
            long from = -1;
            for (VchannelRecoveryInfo ch : target.getChannelsList()) {
                Long l = leaderOf.get(ch.getVchannel());
                if (l == null || l == to || channelHolders.getOrDefault(ch.getVchannel(), List.of()).size() != 1) {
                    continue;
                }
                int collDiff = led.get(l) - led.get(to);
                boolean worth = collDiff >= 2 || collDiff == 1 && channelsOnNode.get(l) - channelsOnNode.get(to) >= 2;
                if (worth && (move == null || led.get(l) > led.get(from))) {
                    move = ch;
                    from = l;
                }
            }
            if (move != null) {
                watch(c, move, target, flushed, leaderPartitions, all.get(to));
                channelHolders.computeIfAbsent(move.getVchannel(), k -> new ArrayList<>()).add(to);
                leaderMoves.put(repKey + move.getVchannel(), new LeaderMove(from, to, 0));
                LOG.info("balance: shard leader of {} moving from querynode {} to {} (leads {} vs {} of the collection, {} vs {} channels in all)",
                        move.getVchannel(), from, to, led.get(from), led.get(to), channelsOnNode.get(from), channelsOnNode.get(to));
                channelsOnNode.merge(to, 1, Integer::sum);
                channelsOnNode.merge(from, -1, Integer::sum);
            }
        }

        // 4. every node that watches a shard of this replica (the leader, a handoff target warming up, an old leader
        // in its grace period) learns the sealed distribution of the shard in this replica
        for (VchannelRecoveryInfo ch : target.getChannelsList()) {
            if (!leaderOf.containsKey(ch.getVchannel())) {
                continue;
            }
            List<SealedSegmentLocation> locs = new ArrayList<>();
            for (SegmentInfo s : flushed) {
                Long at = keep.get(s.getSegmentId());
                if (s.getVchannel().equals(ch.getVchannel()) && at != null) {
                    locs.add(SealedSegmentLocation.newBuilder().setSegmentId(s.getSegmentId()).setNodeId(at)
                            .setAddress(all.get(at).getAddress()).setNumRows(s.getNumRows()).setPartitionId(s.getPartitionId()).build());
                }
            }
            locs.sort(Comparator.comparingLong(SealedSegmentLocation::getSegmentId));
            for (long holder : channelHolders.getOrDefault(ch.getVchannel(), List.of())) {
                String key = coll + "/" + ch.getVchannel() + "/" + holder + "/" + leaderPartitions;
                if (!locs.equals(lastSynced.get(key))) {
                    cluster.syncDistribution(all.get(holder), SyncDistributionRequest.newBuilder().setCollectionId(coll)
                            .setVchannel(ch.getVchannel()).addAllSealed(locs).addAllPartitionIds(leaderPartitions).build());
                    lastSynced.put(key, locs);
                }
            }
        }

        // 4b. second watchers of a shard inside the replica are released: an old leader once its grace period after
        // the switch is over, any other one (a handoff abandoned, a leftover) once the leader serves
        for (VchannelRecoveryInfo ch : target.getChannelsList()) {
            String v = ch.getVchannel();
            Long leader = leaderOf.get(v);
            if (leader == null || !serviceableOn.contains(v + "@" + leader)) {
                continue;
            }
            LeaderMove mv = leaderMoves.get(repKey + v);
            for (long h : channelHolders.getOrDefault(v, List.of())) {
                if (h == leader || mv != null && h == mv.to()) {
                    continue;
                }
                if (mv != null && h == mv.from() && now - mv.switchedAt() < leaderReleaseGraceMs) {
                    continue;
                }
                cluster.unwatch(all.get(h), QnUnwatchChannelRequest.newBuilder().setCollectionId(coll).setVchannel(v).build());
                forgetSync(coll, v, h);
                LOG.info("shard leader released vchannel={} replica={} node={} (led by {})", v, rep.getReplicaId(), h, leader);
            }
            if (mv != null && mv.switchedAt() != 0 && now - mv.switchedAt() >= leaderReleaseGraceMs) {
                leaderMoves.remove(repKey + v);
                LOG.info("shard leader handoff finished vchannel={} replica={} from={} to={}", v, rep.getReplicaId(), mv.from(), mv.to());
            }
        }

        // 5. extra copies inside the replica (a finished move) are released now that the leader points elsewhere
        for (var e : holders.entrySet()) {
            Long kept = keep.get(e.getKey());
            if (kept == null) {
                continue;
            }
            for (long n : e.getValue()) {
                if (n != kept) {
                    cluster.release(all.get(n), QnReleaseSegmentsRequest.newBuilder().setCollectionId(coll).addSegmentIds(e.getKey()).build());
                    moving.remove(coll + "/" + rep.getReplicaId() + "/" + e.getKey());
                    LOG.info("segment {} released from querynode {} (served by {})", e.getKey(), n, kept);
                }
            }
        }
        return new ReplicaResult(done, total, reason);
    }

    /** Starts a shard leader of {@code ch} on {@code node}: from the channel checkpoint, with its L0 deletes and synced growing data. */
    private void watch(CollectionInfo c, VchannelRecoveryInfo ch, GetRecoveryInfoResponse target, List<SegmentInfo> flushed,
                       List<Long> leaderPartitions, SessionInfo node) {
        QnWatchChannelRequest.Builder w = QnWatchChannelRequest.newBuilder().setCollection(c).setVchannel(ch.getVchannel())
                .addAllPartitionIds(leaderPartitions);
        if (ch.hasSeekPosition()) {
            w.setSeekPosition(ch.getSeekPosition());
        }
        for (SegmentInfo s : target.getSegmentsList()) {
            if (s.getLevel() == SegmentLevel.L0 && s.getVchannel().equals(ch.getVchannel())) {
                w.addL0Segments(SegmentLoadInfo.newBuilder().setSegment(s).setManifest(cluster.manifest(s.getManifestPath())));
            }
        }
        for (SegmentInfo s : target.getUnflushedSegmentsList()) {
            if (s.getVchannel().equals(ch.getVchannel()) && !s.getManifestPath().isEmpty()) {
                w.addGrowingSegments(SegmentLoadInfo.newBuilder().setSegment(s).setManifest(cluster.manifest(s.getManifestPath())));
            }
        }
        flushed.stream().filter(s -> s.getVchannel().equals(ch.getVchannel())).forEach(s -> w.addExcludedSegmentIds(s.getSegmentId()));
        forgetSync(c.getCollectionId(), ch.getVchannel(), node.getServerId()); // a new leader starts without a sealed distribution
        cluster.watch(node, w.build());
    }

    /** How many of the shards in {@code leaderOf} each member leads. */
    private static Map<Long, Integer> ledPerNode(List<Long> members, Map<String, Long> leaderOf) {
        Map<Long, Integer> led = new HashMap<>();
        members.forEach(n -> led.put(n, 0));
        leaderOf.values().forEach(n -> led.computeIfPresent(n, (k, x) -> x + 1));
        return led;
    }

    private void forgetSync(long coll, String vchannel, long node) {
        String p = coll + "/" + vchannel + "/" + node + "/";
        lastSynced.keySet().removeIf(k -> k.startsWith(p));
    }

    private volatile String lastLoadError = "";

    private boolean load(CollectionInfo c, SegmentInfo s, SessionInfo node, List<SegmentIndex> built, List<IndexInfo> indexInfos) {
        SegmentLoadInfo info = SegmentLoadInfo.newBuilder().setSegment(s).setManifest(cluster.manifest(s.getManifestPath()))
                .addAllIndexes(built).addAllIndexInfos(indexInfos).build();
        try {
            cluster.load(node, QnLoadSegmentsRequest.newBuilder().setCollection(c).setVchannel(s.getVchannel()).addSegments(info).build());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("segment load failed segmentId={} node={}: {}", s.getSegmentId(), node.getServerId(), e.getMessage());
            lastLoadError = String.valueOf(e.getMessage());
            return false;
        }
    }
}
