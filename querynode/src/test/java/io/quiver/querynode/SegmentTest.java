package io.quiver.querynode;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.QueryPlan;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Row visibility: MVCC read timestamp, collection TTL ({@code expire_ts}) and deletes. */
class SegmentTest {
    private static final CollectionSchema SCHEMA = CollectionSchema.newBuilder().setName("c")
            .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true)).build();

    private static void append(Segment s, long ts, long... pks) {
        LongArray.Builder a = LongArray.newBuilder();
        for (long pk : pks) a.addData(pk);
        s.append(InsertMsg.newBuilder().setSegmentId(s.id()).setVchannel("v").setTimestamp(ts).setNumRows(pks.length)
                .addFieldsData(FieldData.newBuilder().setFieldId(100).setType(DataType.Int64).setScalars(ScalarField.newBuilder().setLongData(a)))
                .build());
    }

    private static final LocalSearcher SEARCHER = new LocalSearcher(SegmentFanOut.callerOnly());

    private static BitSet visible(Segment s, long readTs, long expireTs) {
        return toBitSet(s.visibleRows(readTs, expireTs, s.rowCount()));
    }

    /** The allowed rows as a BitSet (checking the count they carry). */
    static BitSet toBitSet(AllowedRows a) {
        BitSet out = new BitSet();
        if (a.allRows()) {
            out.set(0, a.rows());
        } else {
            out = BitSet.valueOf(a.words());
        }
        assertThat(a.count()).isEqualTo(out.cardinality());
        return out;
    }

    static BitSet bits(int... rows) {
        BitSet b = new BitSet();
        for (int r : rows) b.set(r);
        return b;
    }

    @Test
    void rowsInsertedBeforeExpireTsAreInvisible() {
        Segment s = new Segment(1, 10, SCHEMA, true);
        append(s, 100, 1, 2);
        append(s, 200, 3);
        append(s, 300, 4);
        assertThat(visible(s, 1000, 0)).isEqualTo(bits(0, 1, 2, 3));   // no TTL
        assertThat(visible(s, 1000, 200)).isEqualTo(bits(2, 3));       // ts == expire_ts stays visible (ts < expire_ts expires)
        assertThat(visible(s, 1000, 201)).isEqualTo(bits(3));
        assertThat(visible(s, 250, 150)).isEqualTo(bits(2));           // MVCC and TTL together
    }

    @Test
    void segmentWhoseRowsAllExpiredContributesNothing() {
        Segment s = new Segment(1, 10, SCHEMA, true);
        append(s, 100, 1, 2, 3);
        assertThat(visible(s, 1000, 101)).isEqualTo(new BitSet());
        assertThat(visible(s, 1000, 100)).isEqualTo(bits(0, 1, 2));
        assertThat(s.minTs()).isEqualTo(100);
        assertThat(s.maxTs()).isEqualTo(100);
    }

    @Test
    void expiryAndDeletesCombine() {
        Segment s = new Segment(1, 10, SCHEMA, true);
        append(s, 100, 1, 2);
        append(s, 200, 3, 4);
        s.deletes().add(3L, 250);
        assertThat(visible(s, 1000, 150)).isEqualTo(bits(3));
        assertThat(visible(s, 240, 150)).isEqualTo(bits(2, 3)); // read before the delete
        assertThat(visible(s, 1000, 0)).isEqualTo(bits(0, 1, 3));
    }

    /**
     * The cached hidden-at snapshot answers exactly as a key-by-key check of the deletes, for every read timestamp,
     * while rows and deletes keep arriving (the snapshot is extended for new rows and recomputed for new deletes).
     */
    @Test
    void cachedDeleteSnapshotMatchesKeyByKeyVisibility() {
        java.util.Random rnd = new java.util.Random(42);
        Segment s = new Segment(1, 10, SCHEMA, true);
        long ts = 100;
        for (int round = 0; round < 40; round++) {
            int n = 1 + rnd.nextInt(20);
            long[] pks = new long[n];
            for (int i = 0; i < n; i++) pks[i] = rnd.nextInt(60); // keys repeat: upserts and re-inserts
            append(s, ts += 1 + rnd.nextInt(5), pks);
            int d = rnd.nextInt(6);
            for (int i = 0; i < d; i++) s.deletes().add((long) rnd.nextInt(60), ts += rnd.nextInt(3)); // some at a row's ts
            for (long readTs : new long[] {ts - 7, ts - 1, ts, ts + 1000}) {
                for (long expireTs : new long[] {0, ts - 20}) {
                    BitSet expected = new BitSet();
                    for (int r = 0; r < s.rowCount(); r++) {
                        long t = s.timestamps().get(r);
                        if (t <= readTs && t >= expireTs && !s.deletes().hides(s.pkAt(r), t, readTs)) expected.set(r);
                    }
                    assertThat(visible(s, readTs, expireTs)).as("round %d readTs %d expireTs %d", round, readTs, expireTs).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void deleteAfterTheSnapshotHidesTheRowFromLaterReadsOnly() {
        Segment s = new Segment(1, 10, SCHEMA, false);
        append(s, 100, 1, 2, 3);
        s.refreshMaxTs();
        s.deletes().add(1L, 150);
        assertThat(visible(s, 1000, 0)).isEqualTo(bits(1, 2)); // snapshot taken
        s.deletes().add(2L, 2000);
        assertThat(visible(s, 1000, 0)).isEqualTo(bits(1, 2)); // before the new delete
        assertThat(visible(s, 2000, 0)).isEqualTo(bits(2));
        s.deletes().add(2L, 2000); // the same delete again changes nothing
        assertThat(visible(s, 3000, 0)).isEqualTo(bits(2));
    }

    @Test
    void emptySegmentShowsNothing() {
        Segment s = new Segment(1, 10, SCHEMA, true);
        assertThat(visible(s, 1000, 50)).isEqualTo(new BitSet());
        assertThat(s.minTs()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void refreshRecomputesBothBounds() {
        Segment s = new Segment(1, 10, SCHEMA, false);
        append(s, 300, 1);
        append(s, 100, 2);
        s.refreshMaxTs();
        assertThat(s.minTs()).isEqualTo(100);
        assertThat(s.maxTs()).isEqualTo(300);
        assertThat(visible(s, 1000, 200)).isEqualTo(bits(0));
    }

    @Test
    void queryAndCountHonourExpireTs() {
        Segment old = new Segment(1, 10, SCHEMA, false);
        append(old, 100, 1, 2);
        Segment fresh = new Segment(2, 10, SCHEMA, true);
        append(fresh, 300, 3);
        QueryPlan.Builder plan = QueryPlan.newBuilder().setCollectionId(1).addOutputFieldIds(100).setLimit(-1).setMvccTs(1000);
        assertThat(SEARCHER.query(List.of(old, fresh), plan.setCountOnly(true).setExpireTs(200).build(), SCHEMA).getCount()).isEqualTo(1);
        assertThat(SEARCHER.query(List.of(old, fresh), plan.setCountOnly(true).setExpireTs(0).build(), SCHEMA).getCount()).isEqualTo(3);
        var rows = SEARCHER.query(List.of(old, fresh), plan.setCountOnly(false).setExpireTs(200).build(), SCHEMA);
        assertThat(rows.getIds().getIntId().getDataList()).containsExactly(3L);
    }
}
