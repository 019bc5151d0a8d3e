package io.quiver.datacoord;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.proto.MsgPosition;
import io.quiver.proto.SaveBinlogPathsRequest;
import io.quiver.proto.SegmentIDRequest;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;
import io.quiver.proto.SegmentSync;
import io.quiver.storage.LocalMetaKv;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentManagerTest {
    @TempDir
    Path tmp;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    private final AtomicLong ids = new AtomicLong(100);
    private final List<List<Long>> flushed = new ArrayList<>();

    private SegmentManager manager(LocalMetaKv kv) {
        return new SegmentManager(kv, "q", n -> ids.getAndAdd(n), () -> now.get() << 18, clock,
                new SegmentManager.SealPolicy(512L << 20, Duration.ofMinutes(10), Duration.ofMinutes(1), 0.2),
                (ch, segs, ts) -> flushed.add(segs));
    }

    private static SaveBinlogPathsRequest sync(long seg, long rows, long deleted, long minTs, long maxTs) {
        return SaveBinlogPathsRequest.newBuilder().setVchannel("ch").setCollectionId(1)
                .setCheckpoint(MsgPosition.newBuilder().setChannel("ch").setTimestamp(maxTs))
                .addSegments(SegmentSync.newBuilder().setSegmentId(seg).setCollectionId(1).setPartitionId(2).setManifestPath("m/" + seg)
                        .setManifestVersion(1).setNumRows(rows).setLevel(SegmentLevel.L1).setMinTs(minTs).setMaxTs(maxTs)
                        .setSizeBytes(rows * 10).setDeletedRows(deleted)).build();
    }

    @Test
    void syncsRecordStatsAndAGrowingSegmentMostlyDeletedIsSealed() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("meta"))) {
            SegmentManager m = manager(kv);
            long seg = m.assign(List.of(SegmentIDRequest.newBuilder().setCollectionId(1).setPartitionId(2).setVchannel("ch").setCount(10).build()))
                    .get(0).getSegmentId();
            m.saveBinlogPaths(sync(seg, 5000, 100, 50, 90));
            m.saveBinlogPaths(sync(seg, 6000, 200, 80, 120));
            SegmentInfo s = m.get(seg);
            assertThat(s.getMinTs()).isEqualTo(50); // the smallest of every sync
            assertThat(s.getMaxTs()).isEqualTo(120);
            assertThat(s.getSizeBytes()).isEqualTo(60_000);
            assertThat(s.getDeletedRows()).isEqualTo(200);
            m.applySealPolicies();
            assertThat(m.get(seg).getState()).isEqualTo(SegmentState.GROWING); // 200 of 6000 deleted: not yet
            m.saveBinlogPaths(sync(seg, 6000, 1500, 80, 130));
            m.applySealPolicies();
            assertThat(m.get(seg).getState()).isEqualTo(SegmentState.SEALED); // a quarter deleted: sealed for compaction
            assertThat(flushed).containsExactly(List.of(seg));
        }
    }

    @Test
    void droppedSegmentsStayAsRecordsUntilCollectedAndCountNoRows() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("meta"))) {
            SegmentManager m = manager(kv);
            long seg = m.assign(List.of(SegmentIDRequest.newBuilder().setCollectionId(1).setPartitionId(2).setVchannel("ch").setCount(10).build()))
                    .get(0).getSegmentId();
            m.saveBinlogPaths(sync(seg, 10, 0, 1, 2));
            assertThat(m.rowCount(1, List.of())).isEqualTo(10);
            now.addAndGet(5000);
            assertThat(m.drop(1, List.of())).hasSize(1);
            assertThat(m.get(seg).getState()).isEqualTo(SegmentState.DROPPED);
            assertThat(m.get(seg).getDroppedMs()).isEqualTo(now.get());
            assertThat(m.rowCount(1, List.of())).isZero();
            // a restart keeps the record for garbage collection
            SegmentManager again = manager(kv);
            again.load();
            assertThat(again.get(seg).getState()).isEqualTo(SegmentState.DROPPED);
            again.removeRecords(List.of(seg));
            assertThat(again.get(seg)).isNull();
            SegmentManager third = manager(kv);
            third.load();
            assertThat(third.all()).isEmpty();
        }
    }
}
