package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SystemInfoTest {
    @Test
    void replicaIsJudgedByItsOwnNodes() {
        // node 3 is in another replica and holds everything of that replica: it does not make this one unbalanced
        Map<Long, Long> rows = Map.of(1L, 10_000L, 2L, 9_000L, 3L, 19_000L);
        var b = SystemInfo.replicaBalance(List.of(1L, 2L), rows, Map.of("v0", 1L, "v1", 2L), 1_000);
        assertThat(b.get("verdict")).isEqualTo("balanced");
        assertThat(b.get("mean_rows")).isEqualTo(9_500L);
    }

    @Test
    void spreadOfOneSegmentIsTheFinestAMoveCanDo() {
        var b = SystemInfo.replicaBalance(List.of(1L, 2L), Map.of(1L, 6_000L, 2L, 2_000L), Map.of("v0", 1L, "v1", 2L), 4_000);
        assertThat(b.get("verdict")).isEqualTo("balanced");
        b = SystemInfo.replicaBalance(List.of(1L, 2L), Map.of(1L, 6_000L, 2L, 2_000L), Map.of("v0", 1L, "v1", 2L), 1_000);
        assertThat(b.get("verdict")).isEqualTo("unbalanced");
    }

    @Test
    void leadersPiledOnOneNodeAreUnbalanced() {
        var b = SystemInfo.replicaBalance(List.of(1L, 2L), Map.of(1L, 5_000L, 2L, 5_000L), Map.of("v0", 1L, "v1", 1L), 1_000);
        assertThat(b.get("verdict")).isEqualTo("unbalanced");
        assertThat(b.get("leaders_per_node")).isEqualTo(Map.of(1L, 2L, 2L, 0L));
    }

    @Test
    void storageCountsLiveSegmentsL0BacklogAndDeletedRatio() {
        SegmentInfo flushed = SegmentInfo.newBuilder().setSegmentId(1).setState(SegmentState.FLUSHED).setLevel(SegmentLevel.L1)
                .setNumRows(990).setDeletedRows(250).setSizeBytes(4000).build();
        SegmentInfo growing = SegmentInfo.newBuilder().setSegmentId(2).setState(SegmentState.GROWING).setLevel(SegmentLevel.L1)
                .setNumRows(10).setSizeBytes(100).build();
        SegmentInfo l0 = SegmentInfo.newBuilder().setSegmentId(3).setState(SegmentState.FLUSHED).setLevel(SegmentLevel.L0)
                .setNumRows(40).setSizeBytes(500).build();
        SegmentInfo dropped = flushed.toBuilder().setSegmentId(4).setState(SegmentState.DROPPED).build();
        var m = SystemInfo.storageOf(List.of(flushed, growing, l0, dropped));
        assertThat(m.get("segments")).isEqualTo(Map.of("flushed", 1L, "growing", 1L));
        assertThat(m.get("l0_segments")).isEqualTo(1L);
        assertThat(m.get("l0_rows")).isEqualTo(40L);
        assertThat(m.get("deleted_ratio")).isEqualTo(0.25);
        assertThat(m.get("bytes")).isEqualTo(4600L);
    }
}
