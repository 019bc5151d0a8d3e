package io.quiver.datacoord;

import io.quiver.proto.ChannelCheckpoint;
import io.quiver.proto.MsgPosition;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;

/** Segment records for datacoord tests. */
final class Segs {
    static final String CH = "dml_0_1v0";

    private Segs() {}

    static SegmentInfo flushed(long id, long rows) {
        return SegmentInfo.newBuilder().setSegmentId(id).setCollectionId(1).setPartitionId(10).setVchannel(CH)
                .setState(SegmentState.FLUSHED).setLevel(SegmentLevel.L1).setNumRows(rows).setMinTs(100).setMaxTs(200)
                .setManifestPath("manifest/" + id + "/1").setManifestVersion(1).build();
    }

    static SegmentInfo l0(long id, long minTs, long maxTs) {
        return SegmentInfo.newBuilder().setSegmentId(id).setCollectionId(1).setPartitionId(-1).setVchannel(CH)
                .setState(SegmentState.FLUSHED).setLevel(SegmentLevel.L0).setNumRows(5).setMinTs(minTs).setMaxTs(maxTs)
                .setSizeBytes(100).setManifestPath("manifest/" + id + "/1").setManifestVersion(1).build();
    }

    static SegmentInfo growing(long id, long minTs) {
        return SegmentInfo.newBuilder().setSegmentId(id).setCollectionId(1).setPartitionId(10).setVchannel(CH)
                .setState(SegmentState.GROWING).setLevel(SegmentLevel.L1).setMinTs(minTs)
                .setManifestPath(minTs == 0 ? "" : "manifest/" + id + "/1").build();
    }

    static ChannelCheckpoint checkpoint(long ts) {
        return ChannelCheckpoint.newBuilder().setVchannel(CH).setCollectionId(1)
                .setPosition(MsgPosition.newBuilder().setChannel(CH).setTimestamp(ts)).build();
    }
}
