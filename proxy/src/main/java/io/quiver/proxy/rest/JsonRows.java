package io.quiver.proxy.rest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.ByteString;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.IDs;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.VectorField;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Query and search results (column-wise {@link FieldData}) to REST rows, as Milvus writes them: one JSON object per
 * entity keyed by field name; int64 values as numbers, or as strings when the caller sent
 * {@code Accept-Type-Allow-Int64: false}; a JSON field as its JSON text (a string); the dynamic field's keys flattened
 * into the row; float vectors as arrays, binary and half-precision vectors as Base64 of their bytes (Go's encoding of
 * a byte slice), sparse vectors as {@code {"index": value}}; a null as {@code null}. Search rows add {@code distance}.
 */
final class JsonRows {
    private JsonRows() {}

    static JsonArray rows(List<FieldData> columns, int n, boolean int64AsNumber) {
        JsonArray out = new JsonArray();
        for (int i = 0; i < n; i++) {
            JsonObject row = new JsonObject();
            for (FieldData fd : columns) {
                put(row, fd, i, int64AsNumber);
            }
            out.add(row);
        }
        return out;
    }

    /** Search hits, all queries' hits in order (Milvus' flat list); {@code topks} says how many each query has. */
    static JsonArray hits(SearchResultData r, String pkName, boolean int64AsNumber) {
        JsonArray out = new JsonArray();
        int n = r.getScoresCount();
        for (int i = 0; i < n; i++) {
            JsonObject row = new JsonObject();
            row.add(pkName, id(r.getIds(), i, int64AsNumber));
            row.addProperty("distance", r.getScores(i));
            for (FieldData fd : r.getFieldsDataList()) {
                put(row, fd, i, int64AsNumber);
            }
            out.add(row);
        }
        return out;
    }

    static JsonElement id(IDs ids, int i, boolean int64AsNumber) {
        return ids.hasStrId() ? new JsonPrimitive(ids.getStrId().getData(i)) : int64(ids.getIntId().getData(i), int64AsNumber);
    }

    static JsonArray ids(IDs ids, boolean int64AsNumber) {
        JsonArray a = new JsonArray();
        int n = ids.hasStrId() ? ids.getStrId().getDataCount() : ids.getIntId().getDataCount();
        for (int i = 0; i < n; i++) {
            a.add(id(ids, i, int64AsNumber));
        }
        return a;
    }

    static JsonPrimitive int64(long v, boolean asNumber) {
        return asNumber ? new JsonPrimitive(v) : new JsonPrimitive(Long.toString(v));
    }

    private static void put(JsonObject row, FieldData fd, int i, boolean int64AsNumber) {
        if (fd.getValidDataCount() > 0 && !fd.getValidData(i)) {
            row.add(fd.getFieldName(), JsonNull.INSTANCE);
            return;
        }
        if (fd.getIsDynamic()) {
            JsonElement extra = JsonParser.parseString(fd.getScalars().getJsonData().getData(i).toStringUtf8());
            if (extra.isJsonObject()) {
                for (Map.Entry<String, JsonElement> e : extra.getAsJsonObject().entrySet()) {
                    if (!row.has(e.getKey())) {
                        row.add(e.getKey(), e.getValue());
                    }
                }
            }
            return;
        }
        row.add(fd.getFieldName(), fd.hasVectors() ? vector(fd.getType(), fd.getVectors(), i)
                : scalar(fd.getType(), fd.getScalars(), i, int64AsNumber));
    }

    static JsonElement scalar(DataType type, ScalarField s, int i, boolean int64AsNumber) {
        return switch (type) {
            case Bool -> new JsonPrimitive(s.getBoolData().getData(i));
            case Int8, Int16, Int32 -> new JsonPrimitive(s.getIntData().getData(i));
            case Int64 -> int64(s.getLongData().getData(i), int64AsNumber);
            case Float -> new JsonPrimitive(s.getFloatData().getData(i));
            case Double -> new JsonPrimitive(s.getDoubleData().getData(i));
            case VarChar, String -> new JsonPrimitive(s.getStringData().getData(i));
            case JSON -> new JsonPrimitive(s.getJsonData().getData(i).toStringUtf8());
            case Array -> {
                ScalarField items = s.getArrayData().getData(i);
                DataType element = s.getArrayData().getElementType();
                JsonArray a = new JsonArray();
                int n = count(element, items);
                for (int k = 0; k < n; k++) {
                    a.add(scalar(element, items, k, int64AsNumber));
                }
                yield a;
            }
            default -> JsonNull.INSTANCE;
        };
    }

    private static int count(DataType t, ScalarField s) {
        return switch (t) {
            case Bool -> s.getBoolData().getDataCount();
            case Int8, Int16, Int32 -> s.getIntData().getDataCount();
            case Int64 -> s.getLongData().getDataCount();
            case Float -> s.getFloatData().getDataCount();
            case Double -> s.getDoubleData().getDataCount();
            case VarChar, String -> s.getStringData().getDataCount();
            default -> 0;
        };
    }

    static JsonElement vector(DataType type, VectorField v, int i) {
        int dim = (int) v.getDim();
        return switch (type) {
            case FloatVector -> {
                JsonArray a = new JsonArray(dim);
                for (int k = 0; k < dim; k++) {
                    a.add(v.getFloatVector().getData(i * dim + k));
                }
                yield a;
            }
            case BinaryVector -> base64(v.getBinaryVector(), i, dim / 8);
            case Float16Vector -> base64(v.getFloat16Vector(), i, dim * 2);
            case BFloat16Vector -> base64(v.getBfloat16Vector(), i, dim * 2);
            case SparseFloatVector -> {
                ByteBuffer b = v.getSparseFloatVector().getContents(i).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                JsonObject o = new JsonObject();
                while (b.remaining() >= 8) {
                    long idx = Integer.toUnsignedLong(b.getInt());
                    o.addProperty(Long.toString(idx), b.getFloat());
                }
                yield o;
            }
            default -> JsonNull.INSTANCE;
        };
    }

    private static JsonPrimitive base64(ByteString bytes, int i, int width) {
        return new JsonPrimitive(Base64.getEncoder().encodeToString(bytes.substring(i * width, (i + 1) * width).toByteArray()));
    }
}
