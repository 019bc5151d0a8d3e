package io.quiver.querynode;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import io.quiver.common.expr.ExprPlanner;
import io.quiver.common.text.TextIndex;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.plan.PlanExpr;
import java.util.BitSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A segment's text indexes: growing ones follow appended rows, sealed ones are built whole and counted in memory. */
class SegmentTextIndexTest {
    private static final CollectionSchema SCHEMA = CollectionSchema.newBuilder().setName("c")
            .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
            .addFields(FieldSchema.newBuilder().setFieldID(101).setName("text").setDataType(DataType.VarChar)
                    .addTypeParams(KeyValuePair.newBuilder().setKey("max_length").setValue("100"))
                    .addTypeParams(KeyValuePair.newBuilder().setKey("enable_analyzer").setValue("true"))
                    .addTypeParams(KeyValuePair.newBuilder().setKey("enable_match").setValue("true")))
            .addFields(FieldSchema.newBuilder().setFieldID(102).setName("tag").setDataType(DataType.VarChar)
                    .addTypeParams(KeyValuePair.newBuilder().setKey("max_length").setValue("100")))
            .build();

    private static void append(Segment s, long ts, long firstId, String... texts) {
        LongArray.Builder ids = LongArray.newBuilder();
        StringArray.Builder text = StringArray.newBuilder();
        for (int i = 0; i < texts.length; i++) {
            ids.addData(firstId + i);
            text.addData(texts[i]);
        }
        s.append(InsertMsg.newBuilder().setSegmentId(s.id()).setVchannel("v").setTimestamp(ts).setNumRows(texts.length)
                .addFieldsData(FieldData.newBuilder().setFieldId(100).setType(DataType.Int64).setScalars(ScalarField.newBuilder().setLongData(ids)))
                .addFieldsData(FieldData.newBuilder().setFieldId(101).setType(DataType.VarChar).setScalars(ScalarField.newBuilder().setStringData(text)))
                .addFieldsData(FieldData.newBuilder().setFieldId(102).setType(DataType.VarChar).setScalars(ScalarField.newBuilder().setStringData(text)))
                .build());
    }

    private static BitSet allowed(Segment s, String expr) {
        PlanExpr plan = ExprPlanner.plan(expr, SCHEMA, Map.of());
        return SegmentTest.toBitSet(SegmentSearch.allowedRows(s, s.rowCount(), Long.MAX_VALUE, 0, plan, Set.of()));
    }

    private static BitSet bits(int... rows) {
        return SegmentTest.bits(rows);
    }

    @Test
    void growingSegmentIndexesNewRowsWhenAFilterNeedsThem() {
        Segment s = new Segment(1, 10, SCHEMA, true);
        append(s, 100, 0, "red apple", "green pear");
        assertThat(allowed(s, "text_match(text, 'apple')")).isEqualTo(bits(0));
        append(s, 200, 2, "apple pie", "red wine");
        assertThat(allowed(s, "text_match(text, 'apple')")).isEqualTo(bits(0, 2));
        assertThat(allowed(s, "phrase_match(text, 'red apple') or text_match(text, 'wine')")).isEqualTo(bits(0, 3));
        assertThat(s.textIndex(101, s.rowCount()).indexedRows()).isEqualTo(4);
        assertThat(s.textIndex(102, s.rowCount())).isNull(); // no enable_match, no index
    }

    @Test
    void sealedSegmentBuildsItsIndexOnceAndCountsIt() {
        Segment s = new Segment(2, 10, SCHEMA, false);
        append(s, 100, 0, "the quick brown fox", "jumps over", "the lazy dog");
        long before = s.ramBytesUsed();
        s.buildTextIndexes();
        TextIndex index = s.textIndex(101, 3);
        assertThat(index.indexedRows()).isEqualTo(3);
        assertThat(index.termCount()).isEqualTo(8);
        assertThat(s.ramBytesUsed()).isEqualTo(before + index.ramBytesUsed());
        assertThat(allowed(s, "phrase_match(text, 'quick fox', 1) and id >= 0")).isEqualTo(bits(0));
        assertThat(allowed(s, "not text_match(text, 'the')")).isEqualTo(bits(1));
    }
}
