package io.quiver.proxy.rest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.BoolArray;
import io.milvus.grpc.BytesArray;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.IntArray;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * REST rows ({@code [{"id":1,"vector":[..],"color":"red"}, ...]}) to the column-wise {@link FieldData} of an insert or
 * upsert request, as the SDKs build it: one column per schema field (a missing value of a nullable field or one with a
 * default is a null), keys the schema does not name go to the dynamic field {@code $meta} as one JSON object per row.
 * Values the schema cannot take are refused with code 1804 naming the row and field; everything else (lengths,
 * ranges) is left to the proxy's own row validation, which the request passes like any other.
 */
final class JsonColumns {
    private JsonColumns() {}

    /** @param upsert the primary key is required even when it is auto-generated */
    static List<FieldData> columns(CollectionSchema schema, JsonArray rows, boolean upsert) {
        List<FieldData> out = new ArrayList<>();
        Set<String> named = new HashSet<>();
        for (FieldSchema f : schema.getFieldsList()) {
            named.add(f.getName());
            if (f.getIsDynamic() || f.getIsFunctionOutput() || (f.getIsPrimaryKey() && f.getAutoID() && !upsert)) {
                continue;
            }
            out.add(column(f, rows));
        }
        Schemas.dynamicField(schema).ifPresent(dyn -> out.add(dynamic(dyn, rows, named)));
        return out;
    }

    private static FieldData column(FieldSchema f, JsonArray rows) {
        FieldData.Builder b = FieldData.newBuilder().setType(f.getDataType()).setFieldName(f.getName()).setFieldId(f.getFieldID());
        boolean optional = f.getNullable() || f.hasDefaultValue();
        List<JsonElement> values = new ArrayList<>(rows.size());
        boolean anyNull = false;
        for (int i = 0; i < rows.size(); i++) {
            JsonElement v = row(rows, i).get(f.getName());
            boolean isNull = v == null || v.isJsonNull();
            if (isNull && !optional) {
                throw bad(i, f.getName(), "the value is missing");
            }
            anyNull |= isNull;
            values.add(isNull ? null : v);
        }
        if (anyNull) {
            values.forEach(v -> b.addValidData(v != null));
        }
        if (Schemas.isVector(f.getDataType())) {
            b.setVectors(vectors(f, values));
        } else {
            b.setScalars(scalars(f.getName(), f.getDataType(), f.getElementType(), values));
        }
        return b.build();
    }

    static JsonObject row(JsonArray rows, int i) {
        JsonElement r = rows.get(i);
        if (!r.isJsonObject()) {
            throw QuiverException.of(ErrorCode.HTTP_INVALID_INSERT_DATA, "row %d is not a JSON object", i);
        }
        return r.getAsJsonObject();
    }

    private static FieldData dynamic(FieldSchema dyn, JsonArray rows, Set<String> named) {
        JSONArray.Builder json = JSONArray.newBuilder();
        for (int i = 0; i < rows.size(); i++) {
            JsonObject extra = new JsonObject();
            for (Map.Entry<String, JsonElement> e : row(rows, i).entrySet()) {
                if (!named.contains(e.getKey())) {
                    extra.add(e.getKey(), e.getValue());
                }
            }
            json.addData(ByteString.copyFromUtf8(extra.toString()));
        }
        return FieldData.newBuilder().setType(DataType.JSON).setFieldName(dyn.getName()).setFieldId(dyn.getFieldID())
                .setIsDynamic(true).setScalars(ScalarField.newBuilder().setJsonData(json)).build();
    }

    /** Null entries (absent values) get the type's zero as a placeholder; valid_data marks them. */
    static ScalarField scalars(String name, DataType type, DataType element, List<JsonElement> values) {
        ScalarField.Builder s = ScalarField.newBuilder();
        int i = 0;
        try {
            switch (type) {
                case Bool -> {
                    BoolArray.Builder a = BoolArray.newBuilder();
                    for (; i < values.size(); i++) a.addData(values.get(i) != null && bool(values.get(i)));
                    s.setBoolData(a);
                }
                case Int8, Int16, Int32 -> {
                    IntArray.Builder a = IntArray.newBuilder();
                    for (; i < values.size(); i++) a.addData(values.get(i) == null ? 0 : integral(values.get(i)).intValueExact());
                    s.setIntData(a);
                }
                case Int64 -> {
                    LongArray.Builder a = LongArray.newBuilder();
                    for (; i < values.size(); i++) a.addData(values.get(i) == null ? 0 : integral(values.get(i)).longValueExact());
                    s.setLongData(a);
                }
                case Float -> {
                    FloatArray.Builder a = FloatArray.newBuilder();
                    for (; i < values.size(); i++) a.addData(values.get(i) == null ? 0 : number(values.get(i)).floatValue());
                    s.setFloatData(a);
                }
                case Double -> {
                    DoubleArray.Builder a = DoubleArray.newBuilder();
                    for (; i < values.size(); i++) a.addData(values.get(i) == null ? 0 : number(values.get(i)).doubleValue());
                    s.setDoubleData(a);
                }
                case VarChar, String -> {
                    StringArray.Builder a = StringArray.newBuilder();
                    for (; i < values.size(); i++) a.addData(values.get(i) == null ? "" : string(values.get(i)));
                    s.setStringData(a);
                }
                case JSON -> {
                    JSONArray.Builder a = JSONArray.newBuilder();
                    for (; i < values.size(); i++) a.addData(ByteString.copyFromUtf8(values.get(i) == null ? "{}" : jsonText(values.get(i))));
                    s.setJsonData(a);
                }
                case Array -> {
                    ArrayArray.Builder a = ArrayArray.newBuilder().setElementType(element);
                    for (; i < values.size(); i++) {
                        List<JsonElement> items = new ArrayList<>();
                        if (values.get(i) != null) {
                            values.get(i).getAsJsonArray().forEach(items::add);
                        }
                        a.addData(scalars(name, element, DataType.None, items));
                    }
                    s.setArrayData(a);
                }
                default -> throw new IllegalArgumentException("data type " + type + " is not supported");
            }
        } catch (RuntimeException e) {
            throw bad(i, name, "expected a value of type " + type + ": " + e.getMessage());
        }
        return s.build();
    }

    private static VectorField vectors(FieldSchema f, List<JsonElement> values) {
        DataType t = f.getDataType();
        VectorField.Builder v = VectorField.newBuilder();
        int dim = t == DataType.SparseFloatVector ? 0 : Schemas.dim(f);
        ByteBuffer bytes = null;
        if (t == DataType.BinaryVector || t == DataType.Float16Vector || t == DataType.BFloat16Vector) {
            int width = t == DataType.BinaryVector ? dim / 8 : dim * 2;
            bytes = ByteBuffer.allocate(width * values.size()).order(ByteOrder.LITTLE_ENDIAN);
        }
        FloatArray.Builder floats = FloatArray.newBuilder();
        SparseFloatArray.Builder sparse = SparseFloatArray.newBuilder();
        long maxIndex = -1;
        for (int i = 0; i < values.size(); i++) {
            JsonElement e = values.get(i);
            try {
                switch (t) {
                    case FloatVector -> dense(e, dim).forEach(x -> floats.addData(x.getAsFloat()));
                    case BinaryVector -> {
                        for (JsonElement x : dense(e, dim / 8)) bytes.put((byte) integral(x).intValueExact());
                    }
                    case Float16Vector -> {
                        for (JsonElement x : dense(e, dim)) bytes.putShort(Float.floatToFloat16(x.getAsFloat()));
                    }
                    case BFloat16Vector -> {
                        for (JsonElement x : dense(e, dim)) bytes.putShort((short) (Float.floatToRawIntBits(x.getAsFloat()) >>> 16));
                    }
                    case SparseFloatVector -> {
                        TreeMap<Long, Float> m = sparse(e);
                        if (!m.isEmpty()) maxIndex = Math.max(maxIndex, m.lastKey());
                        sparse.addContents(ByteString.copyFrom(sparseBytes(m)));
                    }
                    default -> throw new IllegalArgumentException("vector type " + t + " is not supported");
                }
            } catch (RuntimeException ex) {
                throw bad(i, f.getName(), ex.getMessage());
            }
        }
        switch (t) {
            case FloatVector -> v.setDim(dim).setFloatVector(floats);
            case BinaryVector -> v.setDim(dim).setBinaryVector(ByteString.copyFrom(bytes.array()));
            case Float16Vector -> v.setDim(dim).setFloat16Vector(ByteString.copyFrom(bytes.array()));
            case BFloat16Vector -> v.setDim(dim).setBfloat16Vector(ByteString.copyFrom(bytes.array()));
            default -> v.setDim(maxIndex + 1).setSparseFloatVector(sparse.setDim(maxIndex + 1));
        }
        return v.build();
    }

    private static JsonArray dense(JsonElement e, int expected) {
        if (e == null || !e.isJsonArray()) {
            throw new IllegalArgumentException("expected an array of " + expected + " numbers");
        }
        JsonArray a = e.getAsJsonArray();
        if (a.size() != expected) {
            throw new IllegalArgumentException("expected " + expected + " values, got " + a.size());
        }
        return a;
    }

    /** A sparse vector as {@code {"index": value, ...}} or {@code {"indices": [..], "values": [..]}}, sorted by index. */
    static TreeMap<Long, Float> sparse(JsonElement e) {
        if (e == null || !e.isJsonObject()) {
            throw new IllegalArgumentException("a sparse vector is a JSON object of index to value");
        }
        JsonObject o = e.getAsJsonObject();
        TreeMap<Long, Float> m = new TreeMap<>();
        if (o.has("indices") && o.has("values")) {
            JsonArray idx = o.getAsJsonArray("indices");
            JsonArray val = o.getAsJsonArray("values");
            if (idx.size() != val.size()) {
                throw new IllegalArgumentException("indices and values differ in length");
            }
            for (int i = 0; i < idx.size(); i++) {
                m.put(sparseIndex(idx.get(i).getAsString()), val.get(i).getAsFloat());
            }
            return m;
        }
        for (Map.Entry<String, JsonElement> x : o.entrySet()) {
            m.put(sparseIndex(x.getKey()), x.getValue().getAsFloat());
        }
        return m;
    }

    private static long sparseIndex(String s) {
        long idx = Long.parseLong(s.trim());
        if (idx < 0 || idx >= 0xFFFFFFFFL) {
            throw new IllegalArgumentException("sparse index " + s + " is out of range [0, 2^32-1)");
        }
        return idx;
    }

    /** Milvus' sparse row encoding: (uint32 index, float32 value) pairs, little-endian, ascending index. */
    static byte[] sparseBytes(TreeMap<Long, Float> m) {
        ByteBuffer b = ByteBuffer.allocate(m.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        m.forEach((k, x) -> b.putInt((int) (long) k).putFloat(x));
        return b.array();
    }

    private static boolean bool(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IllegalArgumentException("not a boolean: " + e);
        }
        return e.getAsBoolean();
    }

    private static Number number(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("not a number: " + e);
        }
        return e.getAsNumber();
    }

    /** An integer parsed exactly from the JSON text (int64 values beyond 2^53 keep every digit). */
    private static java.math.BigInteger integral(JsonElement e) {
        number(e);
        return e.getAsBigDecimal().toBigIntegerExact();
    }

    private static String string(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("not a string: " + e);
        }
        return e.getAsString();
    }

    /** A JSON field's text: a JSON string holds the JSON text itself, anything else is the JSON value. */
    private static String jsonText(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : e.toString();
    }

    private static QuiverException bad(int row, String field, String detail) {
        return QuiverException.of(ErrorCode.HTTP_INVALID_INSERT_DATA, "row %d, field '%s': %s", row, field, detail);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
