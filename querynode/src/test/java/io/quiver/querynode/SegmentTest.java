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

    private static BitSet visible(Segment s, long readTs, long expireTs) {
        BitSet out = new BitSet();
        int n = s.visibleRows(readTs, expireTs, s.rowCount(), out);
        assertThat(n).isEqualTo(out.cardinality());
        return out;
    }

    private static BitSet bits(int... rows) {
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
        assertThat(LocalSearcher.query(List.of(old, fresh), plan.setCountOnly(true).setExpireTs(200).build(), SCHEMA).getCount()).isEqualTo(1);
        assertThat(LocalSearcher.query(List.of(old, fresh), plan.setCountOnly(true).setExpireTs(0).build(), SCHEMA).getCount()).isEqualTo(3);
        var rows = LocalSearcher.query(List.of(old, fresh), plan.setCountOnly(false).setExpireTs(200).build(), SCHEMA);
        assertThat(rows.getIds().getIntId().getDataList()).containsExactly(3L);
    }
}
