package io.quiver.datacoord;

import static io.quiver.datacoord.Segs.CH;
import static io.quiver.datacoord.Segs.checkpoint;
import static io.quiver.datacoord.Segs.flushed;
import static io.quiver.datacoord.Segs.l0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.ChannelCheckpoint;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionResultSegment;
import io.quiver.proto.CompactionSegment;
import io.quiver.proto.CompactionTaskState;
import io.quiver.proto.CompactionType;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactionCommitTest {
    private final Map<Long, SegmentInfo> meta = new HashMap<>();
    private final Map<String, ChannelCheckpoint> cps = new HashMap<>(Map.of(CH, checkpoint(300)));

    private void put(SegmentInfo... s) {
        for (SegmentInfo x : s) {
            meta.put(x.getSegmentId(), x);
        }
    }

    private static CompactionSegment in(SegmentInfo s) {
        return CompactionSegment.newBuilder().setSegment(s).build();
    }

    @Test
    void mixDropsInputsAndAddsResultsWithLineage() {
        put(flushed(1, 100), flushed(2, 50));
        CompactionPlan plan = CompactionPlan.newBuilder().setPlanId(7).setType(CompactionType.MIX_COMPACTION).setVchannel(CH)
                .addSegments(in(flushed(1, 100))).addSegments(in(flushed(2, 50))).addResultSegmentIds(20).addResultSegmentIds(21).build();
        CompactionResult r = CompactionResult.newBuilder().setPlanId(7).setState(CompactionTaskState.COMPLETED)
                .addSegments(CompactionResultSegment.newBuilder().setSegmentId(20).setNumRows(120).setManifestPath("m/20").setManifestVersion(1)
                        .setMinTs(100).setMaxTs(200).setSizeBytes(999)).build();
        var out = new CompactionCommit(plan, r, 555).apply(meta::get, cps::get, 1234);
        SegmentInfo result = out.segments().stream().filter(s -> s.getSegmentId() == 20).findFirst().orElseThrow();
        assertThat(result.getState()).isEqualTo(SegmentState.FLUSHED);
        assertThat(result.getCompactedFromList()).containsExactly(1L, 2L);
        assertThat(result.getNumRows()).isEqualTo(120);
        assertThat(result.getPartitionId()).isEqualTo(10);
        assertThat(result.getCompactionTs()).isEqualTo(555);
        assertThat(out.segments().stream().filter(s -> s.getSegmentId() < 20))
                .allMatch(s -> s.getState() == SegmentState.DROPPED && s.getCompactedTo() == 20 && s.getDroppedMs() == 1234);
        assertThat(out.checkpoints()).isEmpty();
    }

    @Test
    void aChangedInputFailsTheCommit() {
        put(flushed(1, 100).toBuilder().setManifestVersion(2).setManifestPath("manifest/1/2").build());
        CompactionPlan plan = CompactionPlan.newBuilder().setPlanId(7).setType(CompactionType.MIX_COMPACTION).addSegments(in(flushed(1, 100)))
                .addResultSegmentIds(20).build();
        assertThatThrownBy(() -> new CompactionCommit(plan, CompactionResult.getDefaultInstance(), 1).apply(meta::get, cps::get, 1))
                .isInstanceOf(QuiverException.class).extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.COMPACTION_PLAN_CONFLICT);
        meta.clear();
        assertThatThrownBy(() -> new CompactionCommit(plan, CompactionResult.getDefaultInstance(), 1).apply(meta::get, cps::get, 1))
                .hasMessageContaining("gone");
    }

    @Test
    void l0RewritesTargetsDropsL0AndRaisesTheFloor() {
        put(flushed(1, 100), flushed(2, 100), l0(5, 150, 190));
        CompactionPlan plan = CompactionPlan.newBuilder().setPlanId(8).setType(CompactionType.L0_COMPACTION).setVchannel(CH).setL0MaxTs(240)
                .addSegments(in(flushed(1, 100))).addSegments(in(flushed(2, 100))).addL0Segments(in(l0(5, 150, 190))).build();
        CompactionResult r = CompactionResult.newBuilder().setPlanId(8).setState(CompactionTaskState.COMPLETED)
                .addSegments(CompactionResultSegment.newBuilder().setSegmentId(1).setManifestPath("manifest/1/2").setManifestVersion(2)
                        .setDeletedRows(3)).build();
        var out = new CompactionCommit(plan, r, 1).apply(meta::get, cps::get, 99);
        assertThat(out.segments()).anyMatch(s -> s.getSegmentId() == 5 && s.getState() == SegmentState.DROPPED);
        assertThat(out.segments()).anyMatch(s -> s.getSegmentId() == 1 && s.getManifestVersion() == 2 && s.getDeletedRows() == 3
                && s.getState() == SegmentState.FLUSHED);
        assertThat(out.segments()).noneMatch(s -> s.getSegmentId() == 2); // untouched target
        assertThat(out.checkpoints()).singleElement().extracting(ChannelCheckpoint::getDeleteFloorTs).isEqualTo(240L);
        // a target dropped meanwhile (a mix compaction got it) fails the commit: it would miss the deletes
        meta.put(2L, flushed(2, 100).toBuilder().setState(SegmentState.DROPPED).build());
        assertThatThrownBy(() -> new CompactionCommit(plan, r, 1).apply(meta::get, cps::get, 99)).isInstanceOf(QuiverException.class);
    }

    @Test
    void resultsMustBeTheirPlans() {
        put(flushed(1, 100));
        CompactionPlan plan = CompactionPlan.newBuilder().setPlanId(7).setType(CompactionType.MIX_COMPACTION).addSegments(in(flushed(1, 100)))
                .addAllResultSegmentIds(List.of(20L)).build();
        CompactionResult r = CompactionResult.newBuilder().addSegments(CompactionResultSegment.newBuilder().setSegmentId(99)).build();
        assertThatThrownBy(() -> new CompactionCommit(plan, r, 1).apply(meta::get, cps::get, 1))
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.COMPACTION_PLAN_ILLEGAL);
    }
}
