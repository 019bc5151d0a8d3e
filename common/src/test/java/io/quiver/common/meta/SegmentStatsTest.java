package io.quiver.common.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SegmentStatsTest {
    @Test
    void countsLiveSegmentsL0BacklogAndDeletedRatio() {
        SegmentInfo flushed = SegmentInfo.newBuilder().setSegmentId(1).setState(SegmentState.FLUSHED).setLevel(SegmentLevel.L1)
                .setNumRows(990).setDeletedRows(250).setSizeBytes(4000).build();
        SegmentInfo growing = SegmentInfo.newBuilder().setSegmentId(2).setState(SegmentState.GROWING).setLevel(SegmentLevel.L1)
                .setNumRows(5).setAssignedRows(10).setSizeBytes(100).build();
        SegmentInfo l0 = SegmentInfo.newBuilder().setSegmentId(3).setState(SegmentState.FLUSHED).setLevel(SegmentLevel.L0)
                .setNumRows(40).setSizeBytes(500).build();
        SegmentInfo dropped = flushed.toBuilder().setSegmentId(4).setState(SegmentState.DROPPED).build();
        SegmentStats s = SegmentStats.of(List.of(flushed, growing, l0, dropped));
        assertThat(s.segmentsByState()).isEqualTo(Map.of("flushed", 1L, "growing", 1L));
        assertThat(s.l0Segments()).isEqualTo(1);
        assertThat(s.l0Rows()).isEqualTo(40);
        assertThat(s.rows()).isEqualTo(1000); // growing: the assigned rows, not yet all synced
        assertThat(s.flushedRows()).isEqualTo(990);
        assertThat(s.deletedRatio()).isEqualTo(0.25);
        assertThat(s.bytes()).isEqualTo(4600);
        assertThat(SegmentStats.of(List.of()).deletedRatio()).isZero();
    }
}
