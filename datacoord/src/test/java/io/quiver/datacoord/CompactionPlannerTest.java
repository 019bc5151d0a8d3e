package io.quiver.datacoord;

import static io.quiver.datacoord.Segs.CH;
import static io.quiver.datacoord.Segs.checkpoint;
import static io.quiver.datacoord.Segs.flushed;
import static io.quiver.datacoord.Segs.growing;
import static io.quiver.datacoord.Segs.l0;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.common.config.QuiverConfig;
import io.quiver.datacoord.CompactionPlanner.Busy;
import io.quiver.datacoord.CompactionPlanner.CollectionView;
import io.quiver.datacoord.CompactionPlanner.Planned;
import io.quiver.datacoord.CompactionPlanner.Trigger;
import io.quiver.proto.CompactionType;
import io.quiver.proto.SegmentInfo;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class CompactionPlannerTest {
    private final CompactionPlanner planner = new CompactionPlanner(QuiverConfig.defaultsOnly().dataCoord().compaction());

    private static CollectionView view(long maxRows, long expireTs, long checkpointTs, SegmentInfo... segs) {
        return new CollectionView(1, List.of(CH), maxRows, expireTs, List.of(segs), Map.of(CH, checkpoint(checkpointTs)));
    }

    private static List<Long> ids(List<SegmentInfo> s) {
        return s.stream().map(SegmentInfo::getSegmentId).toList();
    }

    @Test
    void l0BoundIsTheCheckpointAndGrowingSegmentsDoNotBlockIt() {
        // a growing segment with synced rows from ts 100 holds the deletes that hide its rows in its own deltalog
        var v = view(1000, 0, 300, flushed(1, 500), l0(5, 150, 190), l0(6, 250, 260), l0(7, 280, 320), growing(8, 100));
        Planned p = planner.planL0(v, CH, Busy.none(), s -> true, 0, Trigger.MANUAL);
        assertThat(p.type()).isEqualTo(CompactionType.L0_COMPACTION);
        assertThat(ids(p.l0())).containsExactly(5L, 6L);
        assertThat(ids(p.inputs())).containsExactly(1L);
        // the floor stays below the first delete of the L0 segment left out (#7 reaches past the checkpoint)
        assertThat(p.deleteFloor()).isEqualTo(279);
    }

    @Test
    void floorStaysBelowLeftOutDeletesThatOverlap() {
        // #6 is left out (max 320 > checkpoint 300) but holds deletes from 180: the floor must stay below 180, so #5
        // (max 190) cannot go either
        var v = view(1000, 0, 300, flushed(1, 500), l0(5, 150, 190), l0(6, 180, 320), l0(8, 100, 120));
        Planned p = planner.planL0(v, CH, Busy.none(), s -> true, 0, Trigger.MANUAL);
        assertThat(ids(p.l0())).containsExactly(8L);
        assertThat(p.deleteFloor()).isEqualTo(149);
    }

    @Test
    void l0WaitsForTriggerAndForBusyChannelsAndPendingHandoffs() {
        var v = view(1000, 0, 300, flushed(1, 500), l0(5, 150, 190));
        assertThat(planner.planL0(v, CH, Busy.none(), s -> true, 0, Trigger.AUTO)).isNull(); // 1 small, young L0 segment
        assertThat(planner.planL0(v, CH, Busy.none(), s -> true, 61_000, Trigger.AUTO)).isNotNull(); // older than maxAge
        Busy busy = Busy.none();
        busy.channels().add(CH);
        assertThat(planner.planL0(v, CH, busy, s -> true, 0, Trigger.MANUAL)).isNull();
        SegmentInfo result = flushed(9, 100).toBuilder().addCompactedFrom(2).build();
        var pending = view(1000, 0, 300, result, l0(5, 150, 190));
        assertThat(planner.planL0(pending, CH, Busy.none(), s -> s.getSegmentId() != 9, 0, Trigger.MANUAL)).isNull();
    }

    @Test
    void aManualMixDoesNotRewriteALoneSegmentWhileAnEarlierResultIsNotServable() {
        SegmentInfo result = flushed(9, 500).toBuilder().addCompactedFrom(2).build();
        SegmentInfo fresh = flushed(3, 100);
        Predicate<SegmentInfo> indexing = s -> s.getSegmentId() != 9;
        Busy busy = Busy.none();
        // rewriting #3 alone would make it an unservable result too: the two could take turns for ever
        assertThat(planner.planMix(view(1000, 0, 300, result, fresh), busy, indexing, Trigger.MANUAL)).isEmpty();
        assertThat(busy.deferred()).containsExactly(new CompactionPlanner.Shard(10, CH));
        // two or more fresh segments still merge (progress), and so does a lone one with deletes to drop
        List<Planned> merge = planner.planMix(view(1000, 0, 300, result, fresh, flushed(4, 100)), Busy.none(), indexing, Trigger.MANUAL);
        assertThat(merge).hasSize(1);
        assertThat(ids(merge.get(0).inputs())).containsExactlyInAnyOrder(3L, 4L);
        SegmentInfo deleted = flushed(5, 100).toBuilder().setDeletedRows(50).build();
        assertThat(planner.planMix(view(1000, 0, 300, result, deleted), Busy.none(), indexing, Trigger.MANUAL)).hasSize(1);
        // once the result is servable the shard merges whole
        List<Planned> ready = planner.planMix(view(1000, 0, 300, result, fresh), Busy.none(), s -> true, Trigger.MANUAL);
        assertThat(ready).hasSize(1);
        assertThat(ids(ready.get(0).inputs())).containsExactlyInAnyOrder(9L, 3L);
        // without an unservable result a manual compaction still rewrites a lone segment (repeated keys resolve)
        assertThat(planner.planMix(view(1000, 0, 300, fresh), Busy.none(), s -> true, Trigger.MANUAL)).hasSize(1);
    }

    @Test
    void mixRewritesDeletedAndMergesSmallSegments() {
        SegmentInfo big = flushed(1, 900);
        SegmentInfo deleted = flushed(2, 900).toBuilder().setDeletedRows(300).build();
        SegmentInfo small1 = flushed(3, 100);
        SegmentInfo small2 = flushed(4, 200);
        List<Planned> plans = planner.planMix(view(1000, 0, 300, big, deleted, small1, small2), Busy.none(), s -> true, Trigger.AUTO);
        assertThat(plans).allMatch(p -> p.type() == CompactionType.MIX_COMPACTION);
        // live rows: #2 600, #4 200, #3 100 fit one result of 1000 rows; the big healthy one is left alone
        assertThat(plans).hasSize(1);
        assertThat(ids(plans.get(0).inputs())).containsExactlyInAnyOrder(2L, 3L, 4L);
    }

    @Test
    void mixRewritesExpiredSegmentsAndSkipsBusyOnes() {
        SegmentInfo old = flushed(1, 900); // rows 100..200, all before the expire ts
        SegmentInfo young = flushed(2, 900).toBuilder().setMinTs(500).setMaxTs(600).build();
        List<Planned> plans = planner.planMix(view(1000, 300, 300, old, young), Busy.none(), s -> true, Trigger.AUTO);
        assertThat(plans).hasSize(1);
        assertThat(ids(plans.get(0).inputs())).containsExactly(1L);
        Busy busy = Busy.none();
        busy.segments().add(1L);
        assertThat(planner.planMix(view(1000, 300, 300, old, young), busy, s -> true, Trigger.AUTO)).isEmpty();
        Busy l0 = Busy.none();
        l0.l0Channels().add(CH);
        assertThat(planner.planMix(view(1000, 300, 300, old, young), l0, s -> true, Trigger.AUTO)).isEmpty();
    }

    @Test
    void manualPacksEverySegmentOfEachShard() {
        SegmentInfo a = flushed(1, 900);
        SegmentInfo b = flushed(2, 600);
        SegmentInfo c = flushed(3, 300);
        SegmentInfo otherPartition = flushed(4, 10).toBuilder().setPartitionId(11).build();
        List<Planned> plans = planner.planMix(view(1000, 0, 300, a, b, c, otherPartition), Busy.none(), s -> true, Trigger.MANUAL);
        assertThat(plans).extracting(p -> ids(p.inputs())).containsExactlyInAnyOrder(List.of(1L), List.of(2L, 3L), List.of(4L));
        // a compaction result not yet servable is never an input; a plain flushed segment need not be indexed first
        SegmentInfo result = flushed(9, 100).toBuilder().addCompactedFrom(1).build();
        assertThat(planner.planMix(view(1000, 0, 300, result), Busy.none(), s -> false, Trigger.MANUAL)).isEmpty();
        assertThat(planner.planMix(view(1000, 0, 300, a), Busy.none(), s -> false, Trigger.MANUAL)).hasSize(1);
    }

    @Test
    void packingIsFirstFitDecreasing() {
        var groups = CompactionPlanner.pack(List.of(flushed(1, 600), flushed(2, 500), flushed(3, 400), flushed(4, 100), flushed(5, 1500)), 1000);
        assertThat(groups).extracting(CompactionPlannerTest::ids)
                .containsExactly(List.of(5L), List.of(1L, 3L), List.of(2L, 4L));
    }

    @Test
    void expiredRatioAssumesEvenlySpreadTimestamps() {
        SegmentInfo s = flushed(1, 100); // 100..200
        assertThat(CompactionPlanner.expiredRatio(s, 0)).isZero();
        assertThat(CompactionPlanner.expiredRatio(s, 100)).isZero();
        assertThat(CompactionPlanner.expiredRatio(s, 150)).isEqualTo(0.5);
        assertThat(CompactionPlanner.expiredRatio(s, 201)).isEqualTo(1.0);
    }
}
