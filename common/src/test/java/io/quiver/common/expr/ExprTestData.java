package io.quiver.common.expr;

import com.google.protobuf.ByteString;
import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.BoolArray;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.IntArray;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import io.quiver.common.column.ColumnSource;
import io.quiver.common.column.FieldColumn;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Schemas and segments for the expression tests: rows as plain Java maps, columns built through FieldData. */
final class ExprTestData {
    private ExprTestData() {}

    /** The JSON null inside row documents (a Java null in a map means "key absent" only when the key is missing). */
    static final Object JNULL = new Object() {
        @Override public String toString() { return "null"; }
    };

    static FieldSchema field(long id, String name, DataType type) {
        return FieldSchema.newBuilder().setFieldID(id).setName(name).setDataType(type).build();
    }

    static FieldSchema nullable(FieldSchema f, boolean nullable) {
        return f.toBuilder().setNullable(nullable).build();
    }

    static FieldSchema array(long id, String name, DataType element) {
        return FieldSchema.newBuilder().setFieldID(id).setName(name).setDataType(DataType.Array).setElementType(element)
                .addTypeParams(KeyValuePair.newBuilder().setKey("max_capacity").setValue("16")).build();
    }

    /** The standard test schema; every non-pk scalar field's nullability comes from {@code nullable}. */
    static CollectionSchema schema(boolean nullable, boolean dynamic) {
        CollectionSchema.Builder s = CollectionSchema.newBuilder().setName("c").setEnableDynamicField(dynamic)
                .addFields(field(100, "id", DataType.Int64).toBuilder().setIsPrimaryKey(true).build())
                .addFields(nullable(field(101, "age", DataType.Int64), nullable))
                .addFields(nullable(field(102, "i8", DataType.Int8), false))
                .addFields(nullable(field(103, "i16", DataType.Int16), nullable))
                .addFields(nullable(field(104, "i32", DataType.Int32), nullable))
                .addFields(nullable(field(105, "f", DataType.Float), nullable))
                .addFields(nullable(field(106, "d", DataType.Double), false))
                .addFields(nullable(field(107, "flag", DataType.Bool), nullable))
                .addFields(nullable(field(108, "name", DataType.VarChar), nullable))
                .addFields(nullable(field(109, "js", DataType.JSON), nullable))
                .addFields(nullable(array(110, "ai", DataType.Int64), nullable))
                .addFields(nullable(array(111, "tags", DataType.VarChar), false))
                .addFields(field(112, "emb", DataType.FloatVector).toBuilder()
                        .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue("2")).build());
        if (dynamic) {
            s.addFields(field(113, "$meta", DataType.JSON).toBuilder().setIsDynamic(true).build());
        }
        return s.build();
    }

    /** A segment holding {@code rows} (field name -> value, null = null row) for every non-vector field. */
    static ColumnSource segment(CollectionSchema schema, List<Map<String, Object>> rows) {
        Map<Long, FieldColumn> columns = new HashMap<>();
        for (FieldSchema f : schema.getFieldsList()) {
            if (f.getDataType() == DataType.FloatVector) {
                continue;
            }
            FieldColumn c = FieldColumn.create(f);
            c.append(fieldData(f, rows), rows.size());
            columns.put(f.getFieldID(), c);
        }
        return new ColumnSource() {
            @Override public int rowCount() { return rows.size(); }
            @Override public FieldColumn column(long fieldId) { return columns.get(fieldId); }
            @Override public FieldColumn primaryKeys() { return columns.get(100L); }
            @Override public CollectionSchema schema() { return schema; }
        };
    }

    static FieldData fieldData(FieldSchema f, List<Map<String, Object>> rows) {
        FieldData.Builder fd = FieldData.newBuilder().setFieldId(f.getFieldID()).setFieldName(f.getName()).setType(f.getDataType());
        ScalarField.Builder s = ScalarField.newBuilder();
        switch (f.getDataType()) {
            case Int64 -> {
                LongArray.Builder a = LongArray.newBuilder();
                for (Map<String, Object> r : rows) a.addData(r.get(f.getName()) instanceof Long l ? l : 0L);
                s.setLongData(a);
            }
            case Int8, Int16, Int32 -> {
                IntArray.Builder a = IntArray.newBuilder();
                for (Map<String, Object> r : rows) a.addData(r.get(f.getName()) instanceof Long l ? (int) (long) l : 0);
                s.setIntData(a);
            }
            case Float -> {
                FloatArray.Builder a = FloatArray.newBuilder();
                for (Map<String, Object> r : rows) a.addData(r.get(f.getName()) instanceof Float x ? x : 0f);
                s.setFloatData(a);
            }
            case Double -> {
                DoubleArray.Builder a = DoubleArray.newBuilder();
                for (Map<String, Object> r : rows) a.addData(r.get(f.getName()) instanceof Double x ? x : 0d);
                s.setDoubleData(a);
            }
            case Bool -> {
                BoolArray.Builder a = BoolArray.newBuilder();
                for (Map<String, Object> r : rows) a.addData(Boolean.TRUE.equals(r.get(f.getName())));
                s.setBoolData(a);
            }
            case VarChar -> {
                StringArray.Builder a = StringArray.newBuilder();
                for (Map<String, Object> r : rows) a.addData(r.get(f.getName()) instanceof String x ? x : "");
                s.setStringData(a);
            }
            case JSON -> {
                JSONArray.Builder a = JSONArray.newBuilder();
                for (Map<String, Object> r : rows) {
                    Object v = r.get(f.getName());
                    a.addData(v == null ? ByteString.EMPTY : ByteString.copyFromUtf8(toJson(v)));
                }
                s.setJsonData(a);
            }
            case Array -> {
                ArrayArray.Builder a = ArrayArray.newBuilder().setElementType(f.getElementType());
                for (Map<String, Object> r : rows) {
                    List<?> v = (List<?>) r.get(f.getName());
                    ScalarField.Builder e = ScalarField.newBuilder();
                    if (f.getElementType() == DataType.Int64) {
                        LongArray.Builder l = LongArray.newBuilder();
                        if (v != null) v.forEach(x -> l.addData((Long) x));
                        e.setLongData(l);
                    } else {
                        StringArray.Builder l = StringArray.newBuilder();
                        if (v != null) v.forEach(x -> l.addData((String) x));
                        e.setStringData(l);
                    }
                    a.addData(e);
                }
                s.setArrayData(a);
            }
            default -> throw new IllegalArgumentException(f.getDataType().name());
        }
        fd.setScalars(s);
        if (f.getNullable()) {
            for (Map<String, Object> r : rows) fd.addValidData(r.get(f.getName()) != null);
        }
        return fd.build();
    }

    static String toJson(Object v) {
        StringBuilder sb = new StringBuilder();
        writeJson(v, sb);
        return sb.toString();
    }

    private static void writeJson(Object v, StringBuilder sb) {
        if (v == JNULL) {
            sb.append("null");
        } else if (v instanceof String s) {
            sb.append('"');
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') sb.append('\\');
                sb.append(c);
            }
            sb.append('"');
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                writeJson(e.getKey(), sb);
                sb.append(':');
                writeJson(e.getValue(), sb);
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(',');
                writeJson(l.get(i), sb);
            }
            sb.append(']');
        } else {
            sb.append(v);
        }
    }

    static BitSet evaluate(String expr, CollectionSchema schema, ColumnSource seg) {
        BitSet out = new BitSet();
        ExprEvaluator.evaluate(ExprPlanner.plan(expr, schema, Map.of()), seg, seg.rowCount(), out);
        return out;
    }
}
