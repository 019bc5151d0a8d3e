package io.quiver.datanode.compaction;

import static io.quiver.datanode.compaction.CompactionTestData.COLLECTION;
import static io.quiver.datanode.compaction.CompactionTestData.PART;
import static io.quiver.datanode.compaction.CompactionTestData.VCHANNEL;
import static io.quiver.datanode.compaction.CompactionTestData.deletes;
import static io.quiver.datanode.compaction.CompactionTestData.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.common.binlog.DeleteBatch;
import io.quiver.common.binlog.DeltalogCodec;
import io.quiver.common.binlog.PkStats;
import io.quiver.common.column.FloatVectorColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.datanode.compaction.CompactionTestData.Row;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionResultSegment;
import io.quiver.proto.CompactionSegment;
import io.quiver.proto.CompactionTaskState;
import io.quiver.proto.CompactionType;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentManifest;
import io.quiver.storage.LocalObjectStore;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactorTest {
    @TempDir
    Path tmp;
    private LocalObjectStore store;
    private CompactionTestData data;
    private Compactor compactor;

    @BeforeEach
    void setUp() {
        store = new LocalObjectStore(tmp);
        data = new CompactionTestData(store);
        compactor = new Compactor(store, InstantSource.fixed(Instant.ofEpochMilli(5_000)));
    }

    @AfterEach
    void tearDown() throws Exception {
        store.close();
    }

    private static CompactionPlan.Builder mixPlan(long maxRows, CompactionSegment... inputs) {
        return CompactionPlan.newBuilder().setPlanId(1).setType(CompactionType.MIX_COMPACTION).setCollection(COLLECTION)
                .setPartitionId(PART).setVchannel(VCHANNEL).addAllSegments(List.of(inputs)).setMaxRows(maxRows)
                .addResultSegmentIds(501).addResultSegmentIds(502).addResultSegmentIds(503)
                .setFirstLogId(9000).setLogIdCount(100);
    }

    /** The rows of a result segment as (pk, ts), checking that the vector and tag still belong to that row. */
    private List<Row> rowsOf(CompactionResultSegment s) {
        SegmentManifest m = data.manifest(s.getManifestPath());
        LongColumn pk = (LongColumn) data.read(m, 100);
        LongColumn ts = (LongColumn) data.read(m, 1);
        FloatVectorColumn v = (FloatVectorColumn) data.read(m, 101);
        StringColumn tag = (StringColumn) data.read(m, 102);
        assertThat(data.read(m, 0).size()).isEqualTo(pk.size());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < pk.size(); i++) {
            Row r = row(pk.get(i), ts.get(i));
            assertThat(new float[] {v.array()[2 * i], v.array()[2 * i + 1]}).containsExactly(r.vector());
            assertThat(tag.get(i)).isEqualTo(r.tag());
            rows.add(r);
        }
        return rows;
    }

    @Test
    void mixDropsDeletedExpiredAndSupersededRowsAndKeepsEveryFieldOfTheSurvivors() {
        CompactionSegment a = data.segment(11, new Row[] {row(1, 100), row(2, 101), row(3, 102), row(4, 103), row(5, 104)},
                // pk 3 deleted after its insert; pk 4's delete precedes its insert; pk 7's delete has the insert's ts
                deletes(new long[] {3, 4, 7}, new long[] {150, 90, 210}));
        CompactionSegment b = data.segment(12, new Row[] {row(1, 100), row(2, 200), row(6, 50), row(7, 210)});
        CompactionResult r = compactor.execute(mixPlan(10, a, b).setExpireTs(60).build());

        assertThat(r.getState()).isEqualTo(CompactionTaskState.COMPLETED);
        assertThat(r.getDroppedDeleted()).isEqualTo(1);    // pk 3
        assertThat(r.getDroppedExpired()).isEqualTo(1);    // pk 6 at ts 50 < 60
        assertThat(r.getDroppedSuperseded()).isEqualTo(2); // pk 1 of segment 11 (tie: the later input wins), pk 2 at 101
        assertThat(r.getSegmentsList()).hasSize(1);
        CompactionResultSegment s = r.getSegments(0);
        assertThat(s.getSegmentId()).isEqualTo(501);
        assertThat(s.getNumRows()).isEqualTo(5);
        assertThat(rowsOf(s)).containsExactly(row(1, 100), row(2, 200), row(4, 103), row(5, 104), row(7, 210));
        assertThat(s.getMinTs()).isEqualTo(100);
        assertThat(s.getMaxTs()).isEqualTo(210);
        SegmentManifest m = data.manifest(s.getManifestPath());
        assertThat(m.getLevel()).isEqualTo(SegmentLevel.L1);
        assertThat(m.getVersion()).isEqualTo(1);
        assertThat(s.getManifestVersion()).isEqualTo(1);
        assertThat(m.getSegmentId()).isEqualTo(501);
        assertThat(m.getPartitionId()).isEqualTo(PART);
        assertThat(m.getNumRows()).isEqualTo(5);
        assertThat(m.getDeltalogsCount()).isZero();
        assertThat(m.getBinlogsList()).extracting(f -> f.getFieldId()).containsExactlyInAnyOrder(0L, 1L, 100L, 101L, 102L);
        assertThat(s.getSizeBytes()).isEqualTo(data.storedBytes(m));
        PkStats stats = PkStats.deserialize(store.get(m.getStatslogs(0).getBinlogs(0).getPath()));
        assertThat(stats.minLong()).isEqualTo(1);
        assertThat(stats.maxLong()).isEqualTo(7);
        assertThat(stats.mightContain(4)).isTrue();
        // row ids come along with their rows: pk 1 and 2 from segment 12, pk 4 from 11
        LongColumn rowIds = (LongColumn) data.read(m, 0);
        assertThat(rowIds.get(0)).isEqualTo(12_001);
        assertThat(rowIds.get(1)).isEqualTo(12_002);
        assertThat(rowIds.get(2)).isEqualTo(11_004);
    }

    @Test
    void mixPlainInsertDuplicatesKeepTheLatestEvenWhenItComesFirst() {
        CompactionSegment a = data.segment(11, new Row[] {row(1, 300), row(1, 100)});
        CompactionSegment b = data.segment(12, new Row[] {row(1, 200)});
        CompactionResult r = compactor.execute(mixPlan(10, a, b).build());
        assertThat(r.getDroppedSuperseded()).isEqualTo(2);
        assertThat(rowsOf(r.getSegments(0))).containsExactly(row(1, 300));
    }

    @Test
    void mixSplitsSurvivorsIntoResultsOfAtMostMaxRowsSortedByKey() {
        CompactionSegment a = data.segment(11, new Row[] {row(5, 100), row(3, 100), row(1, 100)});
        CompactionSegment b = data.segment(12, new Row[] {row(4, 110), row(2, 110)});
        CompactionResult r = compactor.execute(mixPlan(2, a, b).build());
        assertThat(r.getSegmentsList()).extracting(CompactionResultSegment::getSegmentId).containsExactly(501L, 502L, 503L);
        assertThat(r.getSegmentsList()).extracting(CompactionResultSegment::getNumRows).containsExactly(2L, 2L, 1L);
        assertThat(rowsOf(r.getSegments(0))).containsExactly(row(1, 100), row(2, 110));
        assertThat(rowsOf(r.getSegments(1))).containsExactly(row(3, 100), row(4, 110));
        assertThat(rowsOf(r.getSegments(2))).containsExactly(row(5, 100));
        assertThat(r.getSegments(0).getMinTs()).isEqualTo(100);
        assertThat(r.getSegments(0).getMaxTs()).isEqualTo(110);
        assertThat(r.getSegments(2).getMaxTs()).isEqualTo(100);
        for (CompactionResultSegment s : r.getSegmentsList()) {
            SegmentManifest m = data.manifest(s.getManifestPath());
            assertThat(m.getBinlogsList()).allSatisfy(f -> assertThat(f.getBinlogs(0).getLogId()).isBetween(9000L, 9099L));
            assertThat(s.getSizeBytes()).isEqualTo(data.storedBytes(m));
        }
    }

    @Test
    void mixWithEveryRowDroppedHasNoResults() {
        CompactionSegment a = data.segment(11, new Row[] {row(1, 100), row(2, 10)}, deletes(new long[] {1}, new long[] {101}));
        CompactionResult r = compactor.execute(mixPlan(10, a).setExpireTs(50).build());
        assertThat(r.getState()).isEqualTo(CompactionTaskState.COMPLETED);
        assertThat(r.getSegmentsList()).isEmpty();
        assertThat(r.getDroppedDeleted()).isEqualTo(1);
        assertThat(r.getDroppedExpired()).isEqualTo(1);
    }

    @Test
    void mixFailsBeforeWritingWhenLogIdsOrResultIdsRunOut() {
        CompactionSegment a = data.segment(11, new Row[] {row(1, 100), row(2, 100), row(3, 100)});
        // 2 results need 2 * (3 user fields + 4) = 14 log ids
        assertThatThrownBy(() -> compactor.execute(mixPlan(2, a).setLogIdCount(13).build()))
                .isInstanceOf(QuiverException.class).hasMessageContaining("log ids");
        assertThat(compactor.execute(mixPlan(2, a).setLogIdCount(14).build()).getSegmentsCount()).isEqualTo(2);
        assertThatThrownBy(() -> compactor.execute(mixPlan(1, a).clearResultSegmentIds().addResultSegmentIds(501).build()))
                .isInstanceOf(QuiverException.class).hasMessageContaining("result segment ids");
    }

    @Test
    void cancelledPlanStopsWithCanceled() {
        CompactionSegment a = data.segment(11, new Row[] {row(1, 100)});
        assertThatThrownBy(() -> compactor.execute(mixPlan(10, a).build(), () -> true))
                .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.CANCELED));
    }

    @Test
    void planPastItsTimeoutFails() {
        CompactionSegment a = data.segment(11, new Row[] {row(1, 100)});
        assertThatThrownBy(() -> compactor.execute(mixPlan(10, a).setStartMs(1_000).setTimeoutMs(1_000).build()))
                .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.TIMEOUT));
    }

    private static CompactionPlan.Builder l0Plan(long l0MaxTs, List<CompactionSegment> targets, CompactionSegment... l0) {
        return CompactionPlan.newBuilder().setPlanId(2).setType(CompactionType.L0_COMPACTION).setCollection(COLLECTION)
                .setPartitionId(-1).setVchannel(VCHANNEL).addAllSegments(targets).addAllL0Segments(List.of(l0))
                .setL0MaxTs(l0MaxTs).setFirstLogId(9000).setLogIdCount(10);
    }

    @Test
    void l0WritesOnlyTheDeletesThatHideARowOfTheTarget() {
        CompactionSegment t1 = data.segment(11, new Row[] {row(1, 100), row(2, 100), row(3, 100), row(4, 300)},
                deletes(new long[] {1}, new long[] {150}));
        CompactionSegment t2 = data.segment(12, new Row[] {row(10, 100), row(11, 300)});
        CompactionSegment l0a = data.l0Segment(21, deletes(
                new long[] {2, 99, 10, 11, 3, 4, 4}, new long[] {200, 200, 100, 250, 500, 310, 310}));
        CompactionSegment l0b = data.l0Segment(22, deletes(new long[] {1}, new long[] {160}));
        CompactionResult r = compactor.execute(l0Plan(400, List.of(t1, t2), l0a, l0b).build());

        // t2: pk 10's delete has the insert's ts, pk 11's delete precedes the insert: nothing hidden, not reported
        assertThat(r.getSegmentsList()).hasSize(1);
        CompactionResultSegment s = r.getSegments(0);
        assertThat(s.getSegmentId()).isEqualTo(11);
        assertThat(s.getDeletedRows()).isEqualTo(3); // pk 1 (old and new deltalog), pk 2, pk 4; pk 3's delete is past l0_max_ts
        assertThat(s.getNumRows()).isEqualTo(4);
        assertThat(s.getMinTs()).isEqualTo(100);
        assertThat(s.getMaxTs()).isEqualTo(300);
        SegmentManifest m = data.manifest(s.getManifestPath());
        assertThat(m.getVersion()).isEqualTo(4);
        assertThat(s.getManifestVersion()).isEqualTo(4);
        assertThat(s.getManifestPath()).isNotEqualTo(t1.getSegment().getManifestPath());
        assertThat(m.getBinlogsList()).isEqualTo(t1.getManifest().getBinlogsList());
        assertThat(m.getDeltalogsCount()).isEqualTo(2);
        assertThat(m.getDeltalogs(1).getPath()).startsWith("files/delta_log/7/8/11/");
        DeleteBatch written = DeltalogCodec.read(store.get(m.getDeltalogs(1).getPath()));
        assertThat(written.longPks()).containsExactly(2, 4, 1);
        assertThat(written.timestamps()).containsExactly(200, 310, 160);
        assertThat(m.getDeltalogs(1).getTsFrom()).isEqualTo(160);
        assertThat(m.getDeltalogs(1).getTsTo()).isEqualTo(310);
        assertThat(s.getSizeBytes()).isEqualTo(data.storedBytes(m));
    }

    @Test
    void l0WithoutMatchingDeletesReportsNothing() {
        CompactionSegment t1 = data.segment(11, new Row[] {row(1, 100)});
        CompactionSegment l0 = data.l0Segment(21, deletes(new long[] {1, 2}, new long[] {100, 200}));
        CompactionResult r = compactor.execute(l0Plan(400, List.of(t1), l0).build());
        assertThat(r.getState()).isEqualTo(CompactionTaskState.COMPLETED);
        assertThat(r.getSegmentsList()).isEmpty();
    }
}
