package io.quiver.common.expr;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import io.quiver.common.column.ColumnSource;
import io.quiver.common.column.FieldColumn;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The evaluator gives the same rows with scalar indexes as by scanning, for every predicate an index answers. */
class ScalarIndexTest {
    @Test
    void indexedEvaluationEqualsScan() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        CollectionSchema schema = CollectionSchema.newBuilder()
                .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
                .addFields(FieldSchema.newBuilder().setFieldID(101).setName("a").setDataType(DataType.Int64))
                .addFields(FieldSchema.newBuilder().setFieldID(102).setName("d").setDataType(DataType.Double))
                .addFields(FieldSchema.newBuilder().setFieldID(103).setName("s").setDataType(DataType.VarChar)
                        .addTypeParams(KeyValuePair.newBuilder().setKey("max_length").setValue("16")))
                .addFields(FieldSchema.newBuilder().setFieldID(104).setName("v").setDataType(DataType.FloatVector)
                        .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue("2")))
                .build();
        int n = 3000;
        Map<Long, FieldColumn> cols = new HashMap<>();
        LongArray.Builder ids = LongArray.newBuilder();
        LongArray.Builder a = LongArray.newBuilder();
        DoubleArray.Builder d = DoubleArray.newBuilder();
        StringArray.Builder s = StringArray.newBuilder();
        for (int i = 0; i < n; i++) {
            ids.addData(i);
            a.addData(r.nextInt(200) - 100);
            d.addData(r.nextInt(1000) / 10.0);
            s.addData("k" + (char) ('a' + r.nextInt(6)) + r.nextInt(20));
        }
        for (FieldSchema f : schema.getFieldsList()) {
            cols.put(f.getFieldID(), FieldColumn.create(f));
        }
        cols.get(100L).append(FieldData.newBuilder().setScalars(ScalarField.newBuilder().setLongData(ids)).build(), n);
        cols.get(101L).append(FieldData.newBuilder().setScalars(ScalarField.newBuilder().setLongData(a)).build(), n);
        cols.get(102L).append(FieldData.newBuilder().setScalars(ScalarField.newBuilder().setDoubleData(d)).build(), n);
        cols.get(103L).append(FieldData.newBuilder().setScalars(ScalarField.newBuilder().setStringData(s)).build(), n);
        ColumnSource plain = new ColumnSource() {
            public int rowCount() { return n; }
            public FieldColumn column(long id) { return cols.get(id); }
            public FieldColumn primaryKeys() { return cols.get(100L); }
            public CollectionSchema schema() { return schema; }
        };
        Map<Long, ScalarIndex> idx = new HashMap<>();
        for (long f : new long[] {100, 101, 102, 103}) {
            idx.put(f, SortedScalarIndex.build(cols.get(f), n));
        }
        IndexedColumnSource indexed = new IndexedColumnSource() {
            public int rowCount() { return n; }
            public FieldColumn column(long id) { return cols.get(id); }
            public FieldColumn primaryKeys() { return cols.get(100L); }
            public CollectionSchema schema() { return schema; }
            public ScalarIndex scalarIndex(long id) { return idx.get(id); }
        };
        String[] exprs = {
            "a > 10", "a >= 10", "a < -3", "a <= -3", "a == 7", "a != 7", "-5 < a <= 20", "a in [1, 2, 3, 99]", "a not in [1, 2]",
            "d > 50.5", "d == 12.3", "10 <= d < 20", "d in [1.5, 2.5]", "s == \"ka3\"", "s in [\"kb1\", \"kc2\"]",
            "s like \"kd%\"", "s > \"kc\"", "a > 0 and s like \"ka%\"", "not (a > 0) or d < 10", "id in [5, 6, 7]", "id < 100",
            "a > 1.5", "d > 50"
        };
        for (String e : exprs) {
            var plan = ExprPlanner.plan(e, schema, Map.of());
            BitSet x = new BitSet(n);
            BitSet y = new BitSet(n);
            ExprEvaluator.evaluate(plan, plain, n, x);
            ExprEvaluator.evaluate(plan, indexed, n, y);
            assertThat(y).as("expr %s, seed %d", e, seed).isEqualTo(x);
        }
    }
}
