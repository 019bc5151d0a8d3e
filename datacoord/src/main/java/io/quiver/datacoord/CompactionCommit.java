package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.ChannelCheckpoint;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionResultSegment;
import io.quiver.proto.CompactionSegment;
import io.quiver.proto.CompactionType;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * The meta change a finished compaction makes, computed as a pure function of the current records so that
 * {@link SegmentManager#commit} can write it in one MetaKv transaction (issue 10, docs/architecture.md).
 *
 * <p>Mix: the results become Flushed L1 segments with {@code compacted_from}; the inputs become Dropped with
 * {@code compacted_to} and {@code dropped_ms}. L0: the targets take their new manifests and exact
 * {@code deleted_rows}; the L0 segments become Dropped; the channel's {@code delete_floor_ts} rises to the plan's
 * bound. Either commit fails with {@link ErrorCode#COMPACTION_PLAN_CONFLICT} when a record it replaces is no longer
 * what the plan read (another compaction or a drop got there first): nothing is written and the plan is re-planned.
 */
record CompactionCommit(CompactionPlan plan, CompactionResult result, long compactionTs) {
    CompactionCommit {
        requireNonNull(plan, "plan is null");
        requireNonNull(result, "result is null");
    }

    /** What to write: segment records and channel checkpoints. */
    record Outcome(List<SegmentInfo> segments, List<ChannelCheckpoint> checkpoints) {}

    Outcome apply(LongFunction<SegmentInfo> segments, Function<String, ChannelCheckpoint> checkpoints, long nowMs) {
        return plan.getType() == CompactionType.L0_COMPACTION ? applyL0(segments, checkpoints, nowMs) : applyMix(segments, nowMs);
    }

    private Outcome applyMix(LongFunction<SegmentInfo> segments, long nowMs) {
        List<SegmentInfo> out = new ArrayList<>();
        List<Long> inputIds = new ArrayList<>();
        for (CompactionSegment in : plan.getSegmentsList()) {
            inputIds.add(in.getSegment().getSegmentId());
        }
        long firstResult = result.getSegmentsCount() == 0 ? 0 : result.getSegments(0).getSegmentId();
        SegmentInfo any = null;
        for (CompactionSegment in : plan.getSegmentsList()) {
            SegmentInfo cur = unchanged(segments, in.getSegment());
            any = cur;
            out.add(cur.toBuilder().setState(SegmentState.DROPPED).setCompactedTo(firstResult).setDroppedMs(nowMs).build());
        }
        if (any == null) {
            throw new QuiverException(ErrorCode.COMPACTION_PLAN_ILLEGAL, "mix plan " + plan.getPlanId() + " has no input");
        }
        for (CompactionResultSegment r : result.getSegmentsList()) {
            if (!plan.getResultSegmentIdsList().contains(r.getSegmentId())) {
                throw new QuiverException(ErrorCode.COMPACTION_PLAN_ILLEGAL, "result segment " + r.getSegmentId()
                        + " was not allocated to plan " + plan.getPlanId());
            }
            out.add(SegmentInfo.newBuilder().setSegmentId(r.getSegmentId()).setCollectionId(any.getCollectionId())
                    .setPartitionId(any.getPartitionId()).setVchannel(any.getVchannel()).setState(SegmentState.FLUSHED)
                    .setLevel(SegmentLevel.L1).setNumRows(r.getNumRows()).setMaxRows(any.getMaxRows())
                    .setManifestPath(r.getManifestPath()).setManifestVersion(r.getManifestVersion())
                    .setDmlPosition(any.getDmlPosition()).setFlushedTs(any.getFlushedTs()).setCreatedMs(nowMs)
                    .setMinTs(r.getMinTs()).setMaxTs(r.getMaxTs()).setSizeBytes(r.getSizeBytes())
                    .addAllCompactedFrom(inputIds).setCompactionTs(compactionTs).build());
        }
        return new Outcome(out, List.of());
    }

    private Outcome applyL0(LongFunction<SegmentInfo> segments, Function<String, ChannelCheckpoint> checkpoints, long nowMs) {
        List<SegmentInfo> out = new ArrayList<>();
        for (CompactionSegment l0 : plan.getL0SegmentsList()) {
            SegmentInfo cur = unchanged(segments, l0.getSegment());
            out.add(cur.toBuilder().setState(SegmentState.DROPPED).setDroppedMs(nowMs).build());
        }
        List<Long> targetIds = plan.getSegmentsList().stream().map(t -> t.getSegment().getSegmentId()).toList();
        for (CompactionSegment t : plan.getSegmentsList()) {
            unchanged(segments, t.getSegment()); // every target must still be as planned: none may miss the deletes
        }
        for (CompactionResultSegment r : result.getSegmentsList()) {
            if (!targetIds.contains(r.getSegmentId())) {
                throw new QuiverException(ErrorCode.COMPACTION_PLAN_ILLEGAL, "segment " + r.getSegmentId()
                        + " is not a target of L0 plan " + plan.getPlanId());
            }
            SegmentInfo cur = segments.apply(r.getSegmentId());
            out.add(cur.toBuilder().setManifestPath(r.getManifestPath()).setManifestVersion(r.getManifestVersion())
                    .setDeletedRows(r.getDeletedRows()).setSizeBytes(r.getSizeBytes() == 0 ? cur.getSizeBytes() : r.getSizeBytes()).build());
        }
        ChannelCheckpoint cp = checkpoints.apply(plan.getVchannel());
        List<ChannelCheckpoint> cps = new ArrayList<>();
        if (cp != null && cp.getDeleteFloorTs() < plan.getL0MaxTs()) {
            cps.add(cp.toBuilder().setDeleteFloorTs(plan.getL0MaxTs()).build());
        }
        return new Outcome(out, cps);
    }

    /** The current record of a planned segment, if it is still exactly what the plan read. */
    private SegmentInfo unchanged(LongFunction<SegmentInfo> segments, SegmentInfo planned) {
        SegmentInfo cur = segments.apply(planned.getSegmentId());
        if (cur == null || cur.getState() != SegmentState.FLUSHED || cur.getManifestVersion() != planned.getManifestVersion()
                || !cur.getManifestPath().equals(planned.getManifestPath())) {
            throw new QuiverException(ErrorCode.COMPACTION_PLAN_CONFLICT, "segment " + planned.getSegmentId() + " changed since plan "
                    + plan.getPlanId() + " (now " + (cur == null ? "gone" : cur.getState() + " v" + cur.getManifestVersion()) + ")");
        }
        return cur;
    }
}
