package io.quiver.datacoord;

import io.quiver.common.error.Statuses;
import io.quiver.proto.ChannelCheckpoint;
import io.quiver.proto.GetRecoveryInfoResponse;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;
import io.quiver.proto.VchannelRecoveryInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What querycoord should serve of a collection (GetRecoveryInfo): channel checkpoints with their delete floors,
 * flushed L1 and L0 segments, and the unflushed segments with their synced manifests.
 *
 * <p>Compaction handoff: the results of one compaction (the segments sharing one {@code compacted_from} list) are
 * shown only once every one of them is servable (its indexes are built, or none is needed); until then their
 * inputs, already Dropped in meta but with their files kept, are shown in their place. So search stays on indexed
 * data and a row is never shown twice (by an input and by a result).
 */
final class RecoveryTarget {
    private RecoveryTarget() {}

    static GetRecoveryInfoResponse build(SegmentManager.RecoverySnapshot snap, Set<Long> partitions, Predicate<SegmentInfo> servable) {
        GetRecoveryInfoResponse.Builder b = GetRecoveryInfoResponse.newBuilder().setStatus(Statuses.success());
        snap.checkpoints().forEach((ch, cp) -> {
            VchannelRecoveryInfo.Builder v = VchannelRecoveryInfo.newBuilder().setVchannel(ch);
            if (cp != null) {
                v.setSeekPosition(cp.getPosition()).setDeleteFloorTs(cp.getDeleteFloorTs());
            }
            b.addChannels(v);
        });
        Map<Long, SegmentInfo> byId = new HashMap<>();
        snap.segments().forEach(s -> byId.put(s.getSegmentId(), s));
        // results grouped by the compaction that made them: servable only all together
        Map<List<Long>, Boolean> groupServable = new LinkedHashMap<>();
        for (SegmentInfo s : snap.segments()) {
            if (s.getState() == SegmentState.FLUSHED && s.getCompactedFromCount() > 0) {
                groupServable.merge(s.getCompactedFromList(), servable.test(s), Boolean::logicalAnd);
            }
        }
        Set<Long> shownInputs = new HashSet<>();
        groupServable.forEach((inputs, ok) -> {
            if (!ok) {
                shownInputs.addAll(inputs);
            }
        });
        for (SegmentInfo s : snap.segments()) {
            boolean inPartitions = partitions.isEmpty() || partitions.contains(s.getPartitionId()) || s.getLevel() == SegmentLevel.L0;
            if (!inPartitions) {
                continue;
            }
            if (s.getState() == SegmentState.FLUSHED) {
                if (s.getCompactedFromCount() > 0 && !groupServable.get(s.getCompactedFromList())) {
                    continue; // not yet handed off: its inputs stand in for it
                }
                b.addSegments(s);
            } else if (s.getState() == SegmentState.DROPPED && shownInputs.contains(s.getSegmentId())) {
                b.addSegments(s);
            } else if (s.getLevel() == SegmentLevel.L1 && s.getState() != SegmentState.DROPPED) {
                b.addUnflushedSegments(s);
            }
        }
        return b.build();
    }

    /** True when every result of the compaction that produced {@code result} is servable: its inputs may go. */
    static boolean handedOff(SegmentInfo result, List<SegmentInfo> all, Predicate<SegmentInfo> servable) {
        if (result == null || result.getState() != SegmentState.FLUSHED) {
            return false;
        }
        for (SegmentInfo s : all) {
            if (s.getState() == SegmentState.FLUSHED && s.getCompactedFromList().equals(result.getCompactedFromList()) && !servable.test(s)) {
                return false;
            }
        }
        return true;
    }

    /** A checkpoint record's position and floor, for callers that only need the position. */
    static ChannelCheckpoint orEmpty(ChannelCheckpoint cp) {
        return cp == null ? ChannelCheckpoint.getDefaultInstance() : cp;
    }
}
