package io.quiver.datacoord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.CompactionState;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.config.QuiverConfig;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionResultSegment;
import io.quiver.proto.CompactionTaskState;
import io.quiver.proto.CompactionType;
import io.quiver.proto.MsgPosition;
import io.quiver.proto.SaveBinlogPathsRequest;
import io.quiver.proto.SegmentIDRequest;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentManifest;
import io.quiver.proto.SegmentState;
import io.quiver.proto.SegmentSync;
import io.quiver.proto.SessionInfo;
import io.quiver.storage.LocalMetaKv;
import io.quiver.storage.LocalObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task life cycle against a fake datanode: plan, issue into slots, poll, commit, and the failure paths. */
class CompactionManagerTest {
    @TempDir
    Path tmp;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    private final AtomicLong ids = new AtomicLong(1000);
    private final CollectionInfo collection = CollectionInfo.newBuilder().setCollectionId(1).addVchannels("ch").addPchannels("p")
            .setSchema(CollectionSchema.newBuilder().addFields(FieldSchema.newBuilder().setFieldID(100).setName("id")
                    .setDataType(DataType.Int64).setIsPrimaryKey(true))).build();

    /** A datanode that runs every plan at once and answers what {@link #answer} says. */
    final class FakeNode implements CompactionManager.DataNodes {
        final SessionInfo node = SessionInfo.newBuilder().setServerId(7).setAddress("dn").build();
        final Map<Long, CompactionPlan> plans = new HashMap<>();
        final List<Long> dropped = new ArrayList<>();
        boolean alive = true;
        CompactionTaskState answer = CompactionTaskState.COMPLETED;

        @Override
        public List<SessionInfo> live() {
            return alive ? List.of(node) : List.of();
        }

        @Override
        public int freeSlots(SessionInfo n) {
            return 2 - (int) plans.keySet().stream().filter(id -> !dropped.contains(id)).count();
        }

        @Override
        public void compact(SessionInfo n, CompactionPlan plan) {
            plans.put(plan.getPlanId(), plan);
        }

        @Override
        public List<CompactionResult> results(SessionInfo n, List<Long> planIds) {
            List<CompactionResult> out = new ArrayList<>();
            for (long id : planIds) {
                CompactionPlan p = plans.get(id);
                CompactionResult.Builder r = CompactionResult.newBuilder().setPlanId(id).setState(answer);
                if (answer == CompactionTaskState.COMPLETED && p.getType() == CompactionType.MIX_COMPACTION) {
                    r.addSegments(CompactionResultSegment.newBuilder().setSegmentId(p.getResultSegmentIds(0)).setNumRows(30)
                            .setManifestPath("m/result").setManifestVersion(1));
                }
                out.add(r.build());
            }
            return out;
        }

        @Override
        public void drop(SessionInfo n, List<Long> planIds) {
            dropped.addAll(planIds);
        }
    }

    private SegmentManager segments(LocalMetaKv kv) {
        SegmentManager m = new SegmentManager(kv, "q", n -> ids.getAndAdd(n), () -> now.get() << 18, clock,
                new SegmentManager.SealPolicy(1L << 20, Duration.ofMinutes(10), Duration.ofMinutes(1), 0.2), (ch, s, ts) -> { });
        m.registerCollection(1, collection.getSchema());
        return m;
    }

    /** A flushed L1 segment of {@code rows} rows with a manifest in the store. */
    private long flushedSegment(SegmentManager m, LocalObjectStore store, long rows) {
        long seg = m.assign(List.of(SegmentIDRequest.newBuilder().setCollectionId(1).setPartitionId(2).setVchannel("ch").setCount(1).build()))
                .get(0).getSegmentId();
        String path = "manifest/" + seg;
        store.put(path, SegmentManifest.newBuilder().setSegmentId(seg).setVersion(1).build().toByteArray());
        m.saveBinlogPaths(SaveBinlogPathsRequest.newBuilder().setVchannel("ch").setCollectionId(1)
                .setCheckpoint(MsgPosition.newBuilder().setChannel("ch").setTimestamp(now.get() << 18))
                .addSegments(SegmentSync.newBuilder().setSegmentId(seg).setCollectionId(1).setPartitionId(2).setManifestPath(path)
                        .setManifestVersion(1).setNumRows(rows).setFlushed(true).setLevel(SegmentLevel.L1).setMinTs(1).setMaxTs(2)).build());
        return seg;
    }

    private CompactionManager manager(SegmentManager m, LocalObjectStore store, FakeNode node, QuiverConfig.CompactionConfig cfg) {
        return new CompactionManager(cfg, m, store, node, id -> id == 1 ? collection : null, n -> ids.getAndAdd(n), () -> now.get() << 18,
                s -> true, clock, CompactionMetrics.discard());
    }

    @Test
    void manualCompactionRunsCommitsAndReportsCompleted() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("meta")); LocalObjectStore store = new LocalObjectStore(tmp.resolve("obj"))) {
            SegmentManager m = segments(kv);
            long a = flushedSegment(m, store, 10);
            long b = flushedSegment(m, store, 20);
            FakeNode node = new FakeNode();
            CompactionManager c = manager(m, store, node, QuiverConfig.defaultsOnly().dataCoord().compaction());
            var r = c.manual(1, 0, "", List.of(), false);
            assertThat(r.planCount()).isEqualTo(1);
            assertThat(c.state(r.compactionId()).getState()).isEqualTo(CompactionState.Executing);
            assertThat(c.backlog(1)).isEqualTo(1);
            c.schedule(); // issue, then poll: the fake finishes at once and the commit follows
            assertThat(node.plans).hasSize(1);
            assertThat(c.state(r.compactionId()).getState()).isEqualTo(CompactionState.Completed);
            assertThat(c.state(r.compactionId()).getCompletedPlanNo()).isEqualTo(1);
            assertThat(m.get(a).getState()).isEqualTo(SegmentState.DROPPED);
            assertThat(m.get(b).getState()).isEqualTo(SegmentState.DROPPED);
            long result = node.plans.values().iterator().next().getResultSegmentIds(0);
            assertThat(m.get(result).getCompactedFromList()).containsExactlyInAnyOrder(a, b);
            assertThat(c.plans(r.compactionId()).getMergeInfos(0).getSourcesList()).containsExactlyInAnyOrder(a, b);
            assertThat(c.plans(r.compactionId()).getMergeInfos(0).getTarget()).isEqualTo(result);
            assertThat(node.dropped).hasSize(1); // the datanode forgets the finished plan
            assertThat(c.backlog(1)).isZero();
        }
    }

    @Test
    void aManualCompactionAnswersForTheAutomaticTaskAlreadyMergingItsSegments() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("meta")); LocalObjectStore store = new LocalObjectStore(tmp.resolve("obj"))) {
            SegmentManager m = segments(kv);
            long a = flushedSegment(m, store, 10);
            long b = flushedSegment(m, store, 20);
            FakeNode node = new FakeNode();
            node.answer = CompactionTaskState.EXECUTING;
            CompactionManager c = manager(m, store, node, QuiverConfig.defaultsOnly().dataCoord().compaction());
            c.autoTrigger(List.of(collection)); // two small segments: the automatic trigger takes them
            c.schedule();
            assertThat(node.plans).hasSize(1);
            var r = c.manual(1, 0, "", List.of(), false);
            assertThat(r.planCount()).isEqualTo(1); // the running automatic task, not an empty compaction
            assertThat(c.state(r.compactionId()).getState()).isEqualTo(CompactionState.Executing);
            node.answer = CompactionTaskState.COMPLETED;
            c.schedule();
            assertThat(c.state(r.compactionId()).getState()).isEqualTo(CompactionState.Completed);
            assertThat(c.plans(r.compactionId()).getMergeInfos(0).getSourcesList()).containsExactlyInAnyOrder(a, b);
            // a manual compaction of segments no automatic task touches adopts nothing
            var other = c.manual(1, 0, "", List.of(a), false);
            assertThat(c.plans(other.compactionId()).getMergeInfosList()).isEmpty();
        }
    }

    @Test
    void aManualCompactionLeavesAShardWithAnUnservableResultWholeForALaterCall() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("meta")); LocalObjectStore store = new LocalObjectStore(tmp.resolve("obj"))) {
            SegmentManager m = segments(kv);
            flushedSegment(m, store, 10);
            flushedSegment(m, store, 20);
            FakeNode node = new FakeNode();
            java.util.Set<Long> unservable = new java.util.HashSet<>();
            CompactionManager c = new CompactionManager(QuiverConfig.defaultsOnly().dataCoord().compaction(), m, store, node,
                    id -> id == 1 ? collection : null, n -> ids.getAndAdd(n), () -> now.get() << 18,
                    s -> !unservable.contains(s.getSegmentId()), clock, CompactionMetrics.discard());
            c.manual(1, 0, "", List.of(), false);
            c.schedule();
            long result = node.plans.get(node.plans.keySet().iterator().next()).getResultSegmentIds(0);
            unservable.add(result); // its index is still building
            store.put("m/result", SegmentManifest.newBuilder().setSegmentId(result).setVersion(1).build().toByteArray());
            long fresh = flushedSegment(m, store, 5);
            var second = c.manual(1, 0, "", List.of(), false);
            assertThat(second.planCount()).isZero(); // not a rewrite of #fresh alone, which would leave two results taking turns
            c.schedule();
            assertThat(c.state(second.compactionId()).getState()).isEqualTo(CompactionState.Completed);
            assertThat(m.get(fresh).getState()).isEqualTo(SegmentState.FLUSHED);
            unservable.clear();
            var third = c.manual(1, 0, "", List.of(), false); // the shard is servable: both merge
            c.schedule();
            assertThat(c.state(third.compactionId()).getState()).isEqualTo(CompactionState.Completed);
            assertThat(c.plans(third.compactionId()).getMergeInfos(0).getSourcesList()).containsExactlyInAnyOrder(result, fresh);
        }
    }

    @Test
    void aPlanFailsWhenItsDatanodeGoesOrItRunsPastTheTimeout() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("meta")); LocalObjectStore store = new LocalObjectStore(tmp.resolve("obj"))) {
            SegmentManager m = segments(kv);
            long a = flushedSegment(m, store, 10);
            flushedSegment(m, store, 20);
            FakeNode node = new FakeNode();
            node.answer = CompactionTaskState.EXECUTING;
            CompactionManager c = manager(m, store, node, QuiverConfig.defaultsOnly().dataCoord().compaction());
            var r = c.manual(1, 0, "", List.of(), false);
            c.schedule();
            now.addAndGet(901_000); // past dataCoord.compaction.timeout (900 s)
            c.schedule();
            assertThat(c.state(r.compactionId()).getTimeoutPlanNo()).isEqualTo(1);
            assertThat(m.get(a).getState()).isEqualTo(SegmentState.FLUSHED); // nothing committed: planned again later
            var again = c.manual(1, 0, "", List.of(), false);
            c.schedule();
            node.alive = false;
            c.schedule();
            assertThat(c.state(again.compactionId()).getFailedPlanNo()).isEqualTo(1);
        }
    }

    @Test
    void unknownCollectionsDisabledCompactionAndMajorCompactionAreRefused() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("meta")); LocalObjectStore store = new LocalObjectStore(tmp.resolve("obj"))) {
            SegmentManager m = segments(kv);
            CompactionManager c = manager(m, store, new FakeNode(), QuiverConfig.defaultsOnly().dataCoord().compaction());
            assertThatThrownBy(() -> c.manual(99, 0, "", List.of(), false)).isInstanceOf(QuiverException.class).hasMessageContaining("99");
            assertThatThrownBy(() -> c.manual(1, 0, "", List.of(), true)).hasMessageContaining("clustering");
            QuiverConfig.CompactionConfig off = QuiverConfig.fromMap(Map.of("dataCoord.enableCompaction", "false")).dataCoord().compaction();
            assertThatThrownBy(() -> manager(m, store, new FakeNode(), off).manual(1, 0, "", List.of(), false))
                    .hasMessageContaining("enableCompaction");
            // an id with no plans (nothing to do, or forgotten by a restart) is Completed, so SDK pollers end
            assertThat(c.state(12345).getState()).isEqualTo(CompactionState.Completed);
        }
    }
}
