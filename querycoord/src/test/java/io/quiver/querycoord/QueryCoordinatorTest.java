package io.quiver.querycoord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.LoadState;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.proto.ChannelDistribution;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.GetRecoveryInfoResponse;
import io.quiver.proto.GetSegmentIndexesResponse;
import io.quiver.proto.LoadCollectionInternalRequest;
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
import io.quiver.proto.ShardLeader;
import io.quiver.proto.SyncDistributionRequest;
import io.quiver.proto.VchannelRecoveryInfo;
import io.quiver.storage.LocalMetaKv;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Placement, balance and leader handoff against an in-memory cluster: after every round the invariants a search
 * relies on are checked (every shard has a serviceable leader that knows the whole sealed distribution of its
 * shard, and every segment it names is loaded where it says).
 */
class QueryCoordinatorTest {
    private static final long COLL = 1;
    private static final List<String> CHANNELS = List.of("dml_0_1v0", "dml_1_1v1");
    private static final long GRACE_MS = 150;

    /** A querynode as querycoord sees it: the channels it leads (serviceable after one distribution report) and its segments. */
    static final class FakeNode {
        final SessionInfo session;
        final Map<String, Integer> channels = new LinkedHashMap<>(); // vchannel -> distribution reports since the watch
        final Map<Long, Long> segments = new TreeMap<>();
        final Map<String, List<SealedSegmentLocation>> synced = new HashMap<>(); // since the last watch
        final Map<String, Long> unwatchedAt = new HashMap<>();
        boolean down;

        FakeNode(long id) {
            session = SessionInfo.newBuilder().setServerId(id).setRole("querynode").setAddress("127.0.0.1:" + (30000 + id)).build();
        }

        boolean serviceable(String v) {
            return channels.getOrDefault(v, 0) > 0;
        }
    }

    static final class FakeCluster implements QueryCluster {
        final Map<Long, FakeNode> nodes = new TreeMap<>();
        final Map<Long, Long> segmentRows = new TreeMap<>();
        final Map<Long, String> segmentChannel = new HashMap<>();
        final Map<String, Long> channelCollection = new LinkedHashMap<>();
        /** Segments whose files every querynode refuses as corrupt. */
        final Set<Long> corrupt = new HashSet<>();

        long collectionOf(String vchannel) {
            return channelCollection.get(vchannel);
        }

        /** A collection with these vchannels and {@code segmentsPerChannel} sealed segments of 1,000 rows on each. */
        void add(long collectionId, List<String> vchannels, int segmentsPerChannel) {
            long id = 100 + segmentRows.size() + 1000 * collectionId;
            for (String v : vchannels) {
                channelCollection.put(v, collectionId);
                for (int i = 0; i < segmentsPerChannel; i++, id++) {
                    segmentRows.put(id, 1000L);
                    segmentChannel.put(id, v);
                }
            }
        }

        FakeNode node(SessionInfo s) {
            FakeNode n = nodes.get(s.getServerId());
            if (n == null || n.down) {
                throw new IllegalStateException("querynode " + s.getServerId() + " unavailable");
            }
            return n;
        }

        @Override
        public List<SessionInfo> queryNodes() {
            return nodes.values().stream().filter(n -> !n.down).map(n -> n.session).toList();
        }

        @Override
        public DistributionResponse distribution(SessionInfo s) {
            FakeNode n = node(s);
            DistributionResponse.Builder b = DistributionResponse.newBuilder().setStatus(Statuses.success()).setNodeId(s.getServerId());
            n.channels.replaceAll((v, reports) -> {
                b.addChannels(ChannelDistribution.newBuilder().setCollectionId(collectionOf(v)).setVchannel(v).setServiceable(reports > 0));
                return reports + 1;
            });
            n.segments.forEach((id, rows) -> b.addSegments(SegmentDistribution.newBuilder().setCollectionId(collectionOf(segmentChannel.get(id))).setSegmentId(id)
                    .setVchannel(segmentChannel.get(id)).setNumRows(rows)));
            return b.build();
        }

        @Override
        public void watch(SessionInfo s, QnWatchChannelRequest r) {
            FakeNode n = node(s);
            n.channels.putIfAbsent(r.getVchannel(), 0);
            n.synced.remove(r.getVchannel());
        }

        @Override
        public void unwatch(SessionInfo s, QnUnwatchChannelRequest r) {
            FakeNode n = node(s);
            n.channels.remove(r.getVchannel());
            n.synced.remove(r.getVchannel());
            n.unwatchedAt.put(r.getVchannel(), System.nanoTime());
        }

        @Override
        public void load(SessionInfo s, QnLoadSegmentsRequest r) {
            FakeNode n = node(s);
            for (var l : r.getSegmentsList()) {
                if (corrupt.contains(l.getSegment().getSegmentId())) {
                    throw new QuiverException(ErrorCode.SEGMENT_LOAD_FAILED, "segment " + l.getSegment().getSegmentId()
                            + ": binlog checksum (CRC32C) mismatch");
                }
            }
            r.getSegmentsList().forEach(l -> n.segments.put(l.getSegment().getSegmentId(), l.getSegment().getNumRows()));
        }

        @Override
        public void release(SessionInfo s, QnReleaseSegmentsRequest r) {
            FakeNode n = node(s);
            if (r.getSegmentIdsCount() == 0) {
                n.segments.keySet().removeIf(id -> collectionOf(segmentChannel.get(id)) == r.getCollectionId());
            } else {
                r.getSegmentIdsList().forEach(n.segments::remove);
            }
        }

        @Override
        public void syncDistribution(SessionInfo s, SyncDistributionRequest r) {
            FakeNode n = node(s);
            assertThat(n.channels).containsKey(r.getVchannel());
            n.synced.put(r.getVchannel(), r.getSealedList());
        }

        @Override
        public GetRecoveryInfoResponse recoveryInfo(long collectionId, List<Long> partitionIds) {
            GetRecoveryInfoResponse.Builder b = GetRecoveryInfoResponse.newBuilder().setStatus(Statuses.success());
            channelCollection.forEach((v, coll) -> {
                if (coll == collectionId) b.addChannels(VchannelRecoveryInfo.newBuilder().setVchannel(v));
            });
            segmentRows.forEach((id, rows) -> {
                if (collectionOf(segmentChannel.get(id)) == collectionId) {
                    b.addSegments(SegmentInfo.newBuilder().setSegmentId(id).setCollectionId(collectionId).setPartitionId(10)
                            .setVchannel(segmentChannel.get(id)).setLevel(SegmentLevel.L1).setNumRows(rows));
                }
            });
            return b.build();
        }

        @Override
        public GetSegmentIndexesResponse segmentIndexes(long collectionId) {
            return GetSegmentIndexesResponse.newBuilder().setStatus(Statuses.success()).build();
        }

        @Override
        public CollectionInfo collection(long collectionId) {
            return CollectionInfo.newBuilder().setCollectionId(collectionId).setName("c" + collectionId)
                    .addAllVchannels(channelCollection.entrySet().stream().filter(e -> e.getValue() == collectionId).map(Map.Entry::getKey).toList())
                    .addPartitions(PartitionInfo.newBuilder().setPartitionId(10)).build();
        }

        @Override
        public SegmentManifest manifest(String path) {
            return SegmentManifest.getDefaultInstance();
        }
    }

    private static FakeCluster cluster(int nodes, int segmentsPerChannel) {
        FakeCluster c = new FakeCluster();
        for (long i = 1; i <= nodes; i++) c.nodes.put(i, new FakeNode(i));
        c.add(COLL, CHANNELS, segmentsPerChannel);
        return c;
    }

    /** What a search needs, checked after every round once the collection is loaded. */
    private static void assertServes(QueryCoordinator qc, FakeCluster c) {
        List<ShardLeader> leaders = qc.shardLeaders(COLL);
        Set<Long> replicas = leaders.stream().map(ShardLeader::getReplicaId).collect(Collectors.toSet());
        for (String v : CHANNELS) {
          for (long replica : replicas) {
            List<ShardLeader> l = leaders.stream().filter(x -> x.getVchannel().equals(v) && x.getReplicaId() == replica).toList();
            assertThat(l).as("leaders of %s in replica %d", v, replica).hasSize(1);
            FakeNode n = c.nodes.get(l.get(0).getNodeId());
            assertThat(n.serviceable(v)).as("leader %d of %s serviceable", n.session.getServerId(), v).isTrue();
            List<SealedSegmentLocation> known = n.synced.get(v);
            assertThat(known).as("sealed distribution known to leader %d of %s", n.session.getServerId(), v).isNotNull();
            Set<Long> named = known.stream().map(SealedSegmentLocation::getSegmentId).collect(Collectors.toSet());
            Set<Long> expected = c.segmentChannel.entrySet().stream().filter(e -> e.getValue().equals(v)).map(Map.Entry::getKey).collect(Collectors.toSet());
            assertThat(named).isEqualTo(expected);
            for (SealedSegmentLocation s : known) {
                assertThat(c.nodes.get(s.getNodeId()).segments).as("segment %d on node %d", s.getSegmentId(), s.getNodeId())
                        .containsKey(s.getSegmentId());
            }
          }
        }
    }

    private static boolean loaded(QueryCoordinator qc) {
        return qc.loadState(COLL, List.of()).getState() == LoadState.LoadStateLoaded;
    }

    private static Map<Long, Long> leadersPerNode(QueryCoordinator qc) {
        Map<Long, Long> m = new TreeMap<>();
        qc.shardLeaders(COLL).forEach(l -> m.merge(l.getNodeId(), 1L, Long::sum));
        return m;
    }

    /** Rounds until {@code done}, checking the serving invariants after each one once loaded; the number of rounds. */
    private static int roundsUntil(QueryCoordinator qc, FakeCluster c, java.util.function.BooleanSupplier done) throws InterruptedException {
        for (int i = 1; i <= 400; i++) {
            qc.reconcile();
            if (loaded(qc)) {
                assertServes(qc, c);
            }
            if (done.getAsBoolean()) {
                return i;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("did not converge in 400 rounds: nodes="
                + c.nodes.values().stream().map(n -> n.session.getServerId() + "=" + n.channels.keySet() + n.segments.keySet()).toList());
    }

    /** A querycoord that has loaded the collection with {@code replicas} replicas on the cluster. */
    private static QueryCoordinator loaded(Path dir, FakeCluster c, int replicas) throws InterruptedException {
        QueryCoordinator qc = new QueryCoordinator(new LocalMetaKv(dir), "t", c, QueryCoordinator.BALANCE_TOLERANCE, GRACE_MS);
        qc.load(LoadCollectionInternalRequest.newBuilder().setCollectionId(COLL).setReplicaNumber(replicas).build());
        roundsUntil(qc, c, () -> loaded(qc));
        return qc;
    }

    private static boolean settled(FakeCluster c, int nodes) {
        long perNode = c.segmentRows.size() / nodes;
        return c.nodes.values().stream().filter(n -> !n.down).allMatch(n -> n.channels.size() == CHANNELS.size() / nodes
                && n.segments.size() == perNode && n.channels.values().stream().allMatch(r -> r > 0));
    }

    @Test
    void joinedNodeTakesSegmentsAndALeaderWithoutAGap(@TempDir Path dir) throws Exception {
        FakeCluster c = cluster(1, 4);
        QueryCoordinator qc = loaded(dir, c, 1);
        assertThat(leadersPerNode(qc)).containsExactly(Map.entry(1L, 2L));

        c.nodes.put(2L, new FakeNode(2));
        long joined = System.nanoTime();
        Map<String, Long> switchedAt = new HashMap<>();
        for (int i = 0; i < 400 && !settled(c, 2); i++) {
            qc.reconcile();
            assertServes(qc, c);
            for (ShardLeader l : qc.shardLeaders(COLL)) {
                if (l.getNodeId() == 2) {
                    switchedAt.putIfAbsent(l.getVchannel(), System.nanoTime());
                }
            }
            Thread.sleep(5);
        }
        assertThat(settled(c, 2)).as("balanced: one leader and half the segments each").isTrue();
        assertThat(leadersPerNode(qc)).containsExactly(Map.entry(1L, 1L), Map.entry(2L, 1L));
        // the old leader kept serving for the grace period after the switch (proxies cache leaders for a few seconds)
        assertThat(switchedAt).hasSize(1);
        String moved = switchedAt.keySet().iterator().next();
        long keptMs = (c.nodes.get(1L).unwatchedAt.get(moved) - switchedAt.get(moved)) / 1_000_000;
        assertThat(keptMs).isGreaterThanOrEqualTo(GRACE_MS - 20);
        System.out.printf("rebalanced after join in %.0f ms%n", (System.nanoTime() - joined) / 1e6);
    }

    @Test
    void restartedQuerycoordAnswersNotReadyUntilItHasReadTheDistributions(@TempDir Path dir) throws Exception {
        FakeCluster c = cluster(2, 2);
        LocalMetaKv kv = new LocalMetaKv(dir);
        QueryCoordinator before = new QueryCoordinator(kv, "t", c, QueryCoordinator.BALANCE_TOLERANCE, GRACE_MS);
        before.load(LoadCollectionInternalRequest.newBuilder().setCollectionId(COLL).setReplicaNumber(1).build());
        roundsUntil(before, c, () -> loaded(before));
        kv.close();

        QueryCoordinator restarted = new QueryCoordinator(new LocalMetaKv(dir), "t", c, QueryCoordinator.BALANCE_TOLERANCE, GRACE_MS);
        // it knows the collection is loaded (etcd) but not yet where: not "no leaders", which a proxy would take as loading
        assertThatThrownBy(() -> restarted.shardLeaders(COLL)).isInstanceOfSatisfying(QuiverException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.SERVICE_NOT_READY));
        restarted.reconcile();
        assertServes(restarted, c);
    }

    @Test
    void aSegmentNoNodeCanReadFailsTheLoadStateWithTheReasonUntilItIsRepaired(@TempDir Path dir) throws Exception {
        FakeCluster c = cluster(2, 2);
        long bad = c.segmentRows.keySet().iterator().next();
        c.corrupt.add(bad);
        QueryCoordinator qc = new QueryCoordinator(new LocalMetaKv(dir), "t", c, QueryCoordinator.BALANCE_TOLERANCE, GRACE_MS);
        qc.load(LoadCollectionInternalRequest.newBuilder().setCollectionId(COLL).setReplicaNumber(1).build());
        for (int i = 0; i < 5; i++) {
            qc.reconcile();
        }
        var state = qc.loadState(COLL, List.of());
        assertThat(state.getStatus().getCode()).isEqualTo(ErrorCode.SEGMENT_LOAD_FAILED.code());
        assertThat(state.getStatus().getReason()).contains("load failed", "segment " + bad, "checksum");
        assertThat(state.getState()).isEqualTo(LoadState.LoadStateLoading);
        // the load goes on being retried: once the file is good again the collection loads and the error is gone
        c.corrupt.clear();
        roundsUntil(qc, c, () -> loaded(qc));
        assertThat(Statuses.isOk(qc.loadState(COLL, List.of()).getStatus())).isTrue();
    }

    @Test
    void leaderReturningToANodeItLeftGetsTheDistributionAgain(@TempDir Path dir) throws Exception {
        FakeCluster c = cluster(1, 2);
        QueryCoordinator qc = loaded(dir, c, 1);
        c.nodes.put(2L, new FakeNode(2));
        roundsUntil(qc, c, () -> settled(c, 2));
        // node 2 dies: its leader and segments come back to node 1, which led that shard before
        c.nodes.get(2L).down = true;
        roundsUntil(qc, c, () -> loaded(qc) && settled(c, 1));
        assertThat(leadersPerNode(qc)).containsExactly(Map.entry(1L, 2L));
    }

    @Test
    void twoReplicasKeepTheirLeadersOnTheirOwnNodes(@TempDir Path dir) throws Exception {
        FakeCluster c = cluster(2, 2);
        QueryCoordinator qc = loaded(dir, c, 2);
        for (int i = 0; i < 20; i++) {
            qc.reconcile(); // nothing to balance inside one-node replicas: no handoff back and forth
        }
        assertThat(c.nodes.values()).allMatch(n -> n.channels.size() == 2 && n.segments.size() == 4);
        List<ShardLeader> leaders = new ArrayList<>(qc.shardLeaders(COLL));
        assertThat(leaders).hasSize(4);
        assertThat(leaders.stream().map(l -> l.getReplicaId() + "@" + l.getNodeId()).distinct()).hasSize(2);
    }

    /**
     * One-shard collections all led by the first node: each collection alone is as even as it can be (1 vs 0), but
     * the nodes lead 4 vs 0 channels, so leaders move (one handoff per replica at a time) until 2 vs 2, and then stop.
     */
    @Test
    void singleShardCollectionsSpreadTheirLeadersAndTheMovesEnd(@TempDir Path dir) throws Exception {
        FakeCluster c = new FakeCluster();
        c.nodes.put(1L, new FakeNode(1));
        QueryCoordinator qc = new QueryCoordinator(new LocalMetaKv(dir), "t", c, QueryCoordinator.BALANCE_TOLERANCE, GRACE_MS);
        List<Long> colls = List.of(11L, 12L, 13L, 14L);
        for (long coll : colls) {
            c.add(coll, List.of("dml_" + coll + "v0"), 1);
            qc.load(LoadCollectionInternalRequest.newBuilder().setCollectionId(coll).setReplicaNumber(1).build());
        }
        java.util.function.BooleanSupplier allLoaded = () -> colls.stream()
                .allMatch(x -> qc.loadState(x, List.of()).getState() == LoadState.LoadStateLoaded);
        roundsUntil(qc, c, allLoaded);
        assertThat(c.nodes.get(1L).channels).hasSize(4);

        c.nodes.put(2L, new FakeNode(2));
        roundsUntil(qc, c, () -> allLoaded.getAsBoolean() && c.nodes.values().stream().allMatch(n -> n.channels.size() == 2));
        Map<Long, Long> leaders = new TreeMap<>();
        colls.forEach(x -> qc.shardLeaders(x).forEach(l -> leaders.merge(l.getNodeId(), 1L, Long::sum)));
        assertThat(leaders).containsExactly(Map.entry(1L, 2L), Map.entry(2L, 2L));
        // settled: further rounds (past the grace period) move nothing
        Map<Long, Set<String>> before = new TreeMap<>();
        c.nodes.forEach((id, n) -> before.put(id, Set.copyOf(n.channels.keySet())));
        for (int i = 0; i < 60; i++) {
            qc.reconcile();
            Thread.sleep(5);
        }
        c.nodes.forEach((id, n) -> assertThat(n.channels.keySet()).as("channels of node %d", id).isEqualTo(before.get(id)));
    }
}
