package io.quiver.common.binlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.proto.Binlog;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.SegmentManifest;
import org.junit.jupiter.api.Test;

class ManifestStatsTest {
    @Test
    void sumsEveryFileAndSpansTheBinlogTimestamps() {
        SegmentManifest m = SegmentManifest.newBuilder()
                .addBinlogs(FieldBinlog.newBuilder().setFieldId(1)
                        .addBinlogs(Binlog.newBuilder().setEntries(2).setTsFrom(10).setTsTo(20).setSize(100))
                        .addBinlogs(Binlog.newBuilder().setEntries(3).setTsFrom(30).setTsTo(40).setSize(200)))
                .addBinlogs(FieldBinlog.newBuilder().setFieldId(100)
                        .addBinlogs(Binlog.newBuilder().setEntries(0).setTsFrom(1).setTsTo(99).setSize(7)))
                .addStatslogs(FieldBinlog.newBuilder().setFieldId(100).addBinlogs(Binlog.newBuilder().setSize(50)))
                .addDeltalogs(Binlog.newBuilder().setEntries(1).setTsFrom(5).setTsTo(500).setSize(30))
                .build();
        assertThat(ManifestStats.sizeBytes(m)).isEqualTo(387);
        assertThat(ManifestStats.minRowTs(m)).isEqualTo(10);
        assertThat(ManifestStats.maxRowTs(m)).isEqualTo(40);
    }

    @Test
    void emptyManifestHasNoRange() {
        SegmentManifest m = SegmentManifest.getDefaultInstance();
        assertThat(ManifestStats.sizeBytes(m)).isZero();
        assertThat(ManifestStats.minRowTs(m)).isZero();
        assertThat(ManifestStats.maxRowTs(m)).isZero();
    }
}
