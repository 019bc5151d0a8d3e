package io.quiver.datacoord;

import io.milvus.grpc.PersistentSegmentInfo;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentState;
import java.util.Comparator;
import java.util.List;

/** GetPersistentSegmentInfo: the collection's segments that are not dropped, in Milvus' states and levels. */
final class PersistentSegments {
    private PersistentSegments() {}

    static List<PersistentSegmentInfo> of(List<SegmentInfo> segments) {
        return segments.stream().filter(s -> s.getState() != SegmentState.DROPPED)
                .sorted(Comparator.comparingLong(SegmentInfo::getSegmentId))
                .map(s -> PersistentSegmentInfo.newBuilder().setSegmentID(s.getSegmentId()).setCollectionID(s.getCollectionId())
                        .setPartitionID(s.getPartitionId()).setNumRows(Math.max(s.getNumRows(), s.getAssignedRows()))
                        .setState(state(s.getState())).setLevel(level(s)).build())
                .toList();
    }

    static io.milvus.grpc.SegmentState state(SegmentState s) {
        return switch (s) {
            case GROWING -> io.milvus.grpc.SegmentState.Growing;
            case SEALED -> io.milvus.grpc.SegmentState.Sealed;
            case FLUSHING -> io.milvus.grpc.SegmentState.Flushing;
            case FLUSHED -> io.milvus.grpc.SegmentState.Flushed;
            case DROPPED -> io.milvus.grpc.SegmentState.Dropped;
            default -> io.milvus.grpc.SegmentState.SegmentStateNone;
        };
    }

    static io.milvus.grpc.SegmentLevel level(SegmentInfo s) {
        return switch (s.getLevel()) {
            case L0 -> io.milvus.grpc.SegmentLevel.L0;
            case L1 -> io.milvus.grpc.SegmentLevel.L1;
            default -> io.milvus.grpc.SegmentLevel.Legacy;
        };
    }
}
