package io.quiver.querycoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.milvus.grpc.GetQuerySegmentInfoResponse;
import io.milvus.grpc.GetReplicasResponse;
import io.milvus.grpc.LoadState;
import io.milvus.grpc.QuerySegmentInfo;
import io.milvus.grpc.ReplicaInfo;
import io.milvus.grpc.SegmentLevel;
import io.milvus.grpc.SegmentState;
import io.milvus.grpc.ShardReplica;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.proto.ChannelDistribution;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.GetRecoveryInfoResponse;
import io.quiver.proto.LoadCollectionInternalRequest;
import io.quiver.proto.LoadStateInternalResponse;
import io.quiver.proto.QnReleaseSegmentsRequest;
import io.quiver.proto.Replica;
import io.quiver.proto.ReplicaAssignment;
import io.quiver.proto.SegmentDistribution;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.ShardLeader;
import io.quiver.storage.MetaKv;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import javax.annotation.concurrent.GuardedBy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load, release, replicas and placement (DESIGN section 11). A loaded collection ({@code <root>/querycoord/load/<coll>})
 * has {@code replica_number} replicas, each a stable set of querynodes ({@code <root>/querycoord/replica/<coll>}). The
 * target (channels, flushed segments, L0 deletes, unflushed manifests, compaction lineage, delete floors) comes from
 * datacoord and the actual placement from the querynodes, so a restarted querycoord rebuilds everything from those two.
 *
 * <p>Each {@link #reconcile()} round works like Milvus querycoordv2: it reads a {@link RoundSnapshot} (nodes, their
 * distributions, every collection's target) without the lock; under the lock, checkers decide per replica
 * ({@link LeaderChecker}, {@link SegmentChecker}, {@link BalanceChecker}, {@link CompactionHandoff},
 * {@link DistributionChecker}) and return {@link Action}s; {@link ActionExecutor} performs them without the lock;
 * its failures are recorded under the lock (a node whose load failed is skipped for that segment next round, and the
 * load progress says why). Moves never leave a segment unserved: the new holder loads it, the leader's distribution
 * switches to it, and only then is the old copy released. Leaders move the same way (warm-up, switch, release after a
 * grace period for the proxies' caches). A node that leaves leaves its replica; its work is rebuilt on the others and
 * its leftovers are released once every replica serves them elsewhere. New nodes join the replica with the fewest
 * nodes. Handoffs in progress live in memory only: a restarted querycoord keeps one serving leader per shard and
 * releases the other (the proxies refetch leaders when a cached one fails).
 *
 * <p>Concurrency: {@code roundLock} lets one round (or a release) run at a time; the monitor guards decisions and
 * state changes and is never held across a remote call. Answers read concurrent maps and volatile snapshots.
 */
public final class QueryCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(QueryCoordinator.class);
    /** The default balance tolerance: node row counts may differ by this fraction of the mean (or one segment). */
    static final double BALANCE_TOLERANCE = 0.10;
    /**
     * The default time the old leader keeps its channel after a handoff switched: longer than the proxies'
     * shard-leader cache (3 s) plus a placement round, so no proxy still routes to a leader that is gone.
     */
    static final long LEADER_RELEASE_GRACE_MS = 10_000;

    private final MetaKv kv;
    private final String prefix;
    private final String replicaPrefix;
    private final QueryCluster cluster;
    private final InstantSource clock;
    /** Decisions and their state: used under the monitor, except {@link PlacementPlanner#leader} (a concurrent map). */
    private final PlacementPlanner planner;
    private final ActionExecutor executor;
    private final ReentrantLock roundLock = new ReentrantLock();

    private final Map<Long, LoadCollectionInternalRequest> loaded = new ConcurrentHashMap<>();
    private final Map<Long, ReplicaAssignment> replicas = new ConcurrentHashMap<>();
    private final Map<Long, LoadProgress> progress = new ConcurrentHashMap<>();
    private volatile Map<Long, DistributionResponse> actual = Map.of();
    /** Per loading collection, the last permanent load failure (loads are still retried: a repaired file clears it). */
    private final Map<Long, LoadError> loadErrors = new ConcurrentHashMap<>();
    /** Whether a round has read the querynodes' distributions since this querycoord started (before: leaders unknown). */
    private volatile boolean observed;
    private volatile Map<Long, SessionInfo> known = Map.of();

    record LoadProgress(int done, int total, String reason) {}

    /** A load a querynode refused with an error retrying cannot fix: reported by GetLoadState until the load completes. */
    record LoadError(ErrorCode code, String reason) {}

    public QueryCoordinator(MetaKv kv, String root, QueryCluster cluster) {
        this(kv, root, cluster, BALANCE_TOLERANCE, LEADER_RELEASE_GRACE_MS);
    }

    public QueryCoordinator(MetaKv kv, String root, QueryCluster cluster, double balanceTolerance, long leaderReleaseGraceMs) {
        this(kv, root, cluster, balanceTolerance, leaderReleaseGraceMs, InstantSource.system());
    }

    public QueryCoordinator(MetaKv kv, String root, QueryCluster cluster, double balanceTolerance, long leaderReleaseGraceMs,
                            InstantSource clock) {
        this.kv = requireNonNull(kv, "kv is null");
        this.prefix = root + "/querycoord/load/";
        this.replicaPrefix = root + "/querycoord/replica/";
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.planner = new PlacementPlanner(balanceTolerance, leaderReleaseGraceMs);
        this.executor = new ActionExecutor(cluster);
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

    private static <T> T parse(byte[] b, Parser<T> p) {
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

    /** Releases partitions, or the whole collection; waits for a round in progress, calls the querynodes unlocked. */
    public void release(long collectionId, List<Long> partitionIds) {
        roundLock.lock();
        try {
            LoadCollectionInternalRequest cur = loaded.get(collectionId);
            List<Long> all = cur == null || partitionIds.isEmpty() || cur.getIsPartitionLoad() ? List.of()
                    : cluster.collection(collectionId).getPartitionsList().stream().map(p -> p.getPartitionId()).toList();
            if (!forget(collectionId, partitionIds, all)) {
                return;
            }
            for (SessionInfo n : cluster.queryNodes()) {
                try {
                    cluster.release(n, QnReleaseSegmentsRequest.newBuilder().setCollectionId(collectionId).build());
                } catch (RuntimeException e) {
                    LOG.warn("release on node {} failed: {}", n.getServerId(), e.toString());
                }
            }
            LOG.info("collection released collectionId={}", collectionId);
        } finally {
            roundLock.unlock();
        }
    }

    /** The bookkeeping half of a release: true if the whole collection is gone (its segments must be released). */
    private synchronized boolean forget(long collectionId, List<Long> partitionIds, List<Long> allPartitions) {
        LoadCollectionInternalRequest cur = loaded.get(collectionId);
        if (cur == null) {
            return false;
        }
        if (!partitionIds.isEmpty()) {
            List<Long> current = cur.getIsPartitionLoad() ? cur.getPartitionIdsList() : allPartitions;
            List<Long> left = current.stream().filter(p -> !partitionIds.contains(p)).toList();
            if (!left.isEmpty()) {
                LoadCollectionInternalRequest rec = cur.toBuilder().setIsPartitionLoad(true).clearPartitionIds().addAllPartitionIds(left).build();
                kv.put(prefix + collectionId, rec.toByteArray());
                loaded.put(collectionId, rec);
                return false;
            }
        }
        kv.delete(prefix + collectionId);
        kv.delete(replicaPrefix + collectionId);
        loaded.remove(collectionId);
        replicas.remove(collectionId);
        progress.remove(collectionId);
        loadErrors.remove(collectionId);
        planner.forget(collectionId);
        return true;
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
        LoadError error = loadErrors.get(collectionId);
        if (error != null) {
            // what a client waiting for the load needs: the error, at once, not a load that never ends
            return b.setStatus(Statuses.of(error.code(), error.reason())).setState(LoadState.LoadStateLoading)
                    .setProgress(Math.min(99, pct)).setReason(error.reason()).build();
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
        if (!observed) {
            // a restarted querycoord knows what is loaded (etcd) but not yet where: "no leaders" would be a wrong answer
            throw new QuiverException(ErrorCode.SERVICE_NOT_READY, "querycoord started and has not yet read the querynodes' distributions");
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
                        Long cur = planner.leader(new ReplicaChannel(collectionId, rep.getReplicaId(), ch.getVchannel()));
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
                        .setIndexID(s.getIndexBuildId()).setNodeID(d.getNodeId()).setState(SegmentState.Sealed)
                        .setLevel(SegmentLevel.L1)).addNodeIds(d.getNodeId());
            }
        }
        GetQuerySegmentInfoResponse.Builder b = GetQuerySegmentInfoResponse.newBuilder().setStatus(Statuses.success());
        bySegment.values().forEach(s -> b.addInfos(s));
        return b.build();
    }


    /** One placement round over every loaded collection: observe, decide (locked), execute (unlocked), record (locked). */
    public void reconcile() {
        roundLock.lock();
        try {
            RoundSnapshot snapshot = observe();
            PlacementPlanner.Round round;
            synchronized (this) {
                Map<Long, ReplicaAssignment> assignments = new HashMap<>();
                replicas.forEach((coll, a) -> assignments.put(coll, updateMembership(a, snapshot.usable())));
                round = planner.decide(snapshot, List.copyOf(loaded.values()), assignments, Map.copyOf(progress));
            }
            ActionExecutor.Report report = executor.execute(round.actions(), snapshot.nodes());
            synchronized (this) {
                planner.record(round, report).forEach((coll, p) -> {
                    if (loaded.containsKey(coll)) {
                        progress.put(coll, p);
                        if (p.done() >= p.total() && p.reason().isEmpty()) {
                            loadErrors.remove(coll);
                        }
                    }
                });
                recordLoadErrors(report);
            }
        } finally {
            roundLock.unlock();
        }
    }


    @GuardedBy("this")
    private void recordLoadErrors(ActionExecutor.Report report) {
        for (ActionExecutor.Failure f : report.failures()) {
            if (f.permanent() && f.action() instanceof Action.LoadSegment l && l.purpose() != Action.LoadPurpose.MOVE
                    && loaded.containsKey(l.key().collectionId())) {
                LoadProgress p = progress.get(l.key().collectionId());
                if (p == null || p.done() < p.total() || !p.reason().isEmpty()) {
                    loadErrors.put(l.key().collectionId(), new LoadError(ErrorCode.SEGMENT_LOAD_FAILED, "load failed: " + f.reason()));
                }
            }
        }
    }

    /** Reads the nodes, their distributions and the target of every loaded collection (remote calls, no lock). */
    private RoundSnapshot observe() {
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
        observed = true;
        Set<Long> usable = new HashSet<>();
        all.values().stream().filter(n -> !n.getStopping() && dist.containsKey(n.getServerId())).forEach(n -> usable.add(n.getServerId()));
        Map<Long, CollectionTarget> targets = new HashMap<>();
        Map<Long, String> errors = new HashMap<>();
        for (LoadCollectionInternalRequest r : usable.isEmpty() ? List.<LoadCollectionInternalRequest>of() : List.copyOf(loaded.values())) {
            try {
                CollectionInfo c = cluster.collection(r.getCollectionId());
                List<Long> partitions = r.getIsPartitionLoad() ? r.getPartitionIdsList()
                        : c.getPartitionsList().stream().map(p -> p.getPartitionId()).toList();
                GetRecoveryInfoResponse target = cluster.recoveryInfo(r.getCollectionId(), partitions);
                Statuses.check(target.getStatus());
                targets.put(r.getCollectionId(), CollectionTarget.of(r, c, target, cluster.segmentIndexes(r.getCollectionId())));
            } catch (RuntimeException e) {
                LOG.warn("target of collectionId={} unavailable: {}", r.getCollectionId(), e.toString());
                errors.put(r.getCollectionId(), String.valueOf(e.getMessage()));
            }
        }
        return new RoundSnapshot(clock.millis(), all, dist, usable, targets, errors);
    }

    private ReplicaAssignment updateMembership(ReplicaAssignment a, Set<Long> usable) {
        ReplicaAssignment n = ReplicaMembership.update(a, usable);
        if (!n.equals(a)) {
            saveReplicas(n);
            LOG.info("replica membership changed collectionId={} replicas={}", a.getCollectionId(),
                    n.getReplicasList().stream().map(Replica::getNodeIdsList).toList());
        }
        return n;
    }
}
