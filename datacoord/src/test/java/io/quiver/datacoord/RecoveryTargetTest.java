package io.quiver.datacoord;

import static io.quiver.datacoord.Segs.CH;
import static io.quiver.datacoord.Segs.checkpoint;
import static io.quiver.datacoord.Segs.flushed;
import static io.quiver.datacoord.Segs.growing;
import static io.quiver.datacoord.Segs.l0;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecoveryTargetTest {
    private static List<Long> shown(SegmentManager.RecoverySnapshot snap, Set<Long> servable) {
        return RecoveryTarget.build(snap, Set.of(), s -> servable.contains(s.getSegmentId())).getSegmentsList().stream()
                .map(SegmentInfo::getSegmentId).sorted().toList();
    }

    @Test
    void resultsReplaceTheirInputsOnlyWhenAllAreServable() {
        SegmentInfo in1 = flushed(1, 100).toBuilder().setState(SegmentState.DROPPED).setCompactedTo(20).build();
        SegmentInfo in2 = flushed(2, 100).toBuilder().setState(SegmentState.DROPPED).setCompactedTo(20).build();
        SegmentInfo r1 = flushed(20, 100).toBuilder().addCompactedFrom(1).addCompactedFrom(2).build();
        SegmentInfo r2 = flushed(21, 90).toBuilder().addCompactedFrom(1).addCompactedFrom(2).build();
        SegmentInfo other = flushed(3, 100);
        SegmentInfo gone = flushed(4, 100).toBuilder().setState(SegmentState.DROPPED).build();
        var snap = new SegmentManager.RecoverySnapshot(Map.of(CH, checkpoint(300).toBuilder().setDeleteFloorTs(250).build()),
                List.of(in1, in2, r1, r2, other, gone, l0(5, 1, 2), growing(7, 100)));
        assertThat(shown(snap, Set.of(3L, 20L))).containsExactly(1L, 2L, 3L, 5L); // r2 not servable: the inputs stand in
        assertThat(shown(snap, Set.of(3L, 20L, 21L))).containsExactly(3L, 5L, 20L, 21L);
        var resp = RecoveryTarget.build(snap, Set.of(), s -> true);
        assertThat(resp.getChannels(0).getDeleteFloorTs()).isEqualTo(250);
        assertThat(resp.getUnflushedSegmentsList()).extracting(SegmentInfo::getSegmentId).containsExactly(7L);
        assertThat(RecoveryTarget.handedOff(r1, snap.segments(), s -> s.getSegmentId() != 21)).isFalse();
        assertThat(RecoveryTarget.handedOff(r1, snap.segments(), s -> true)).isTrue();
    }
}
