package io.quiver.proxy.rest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.ByteString;
import io.milvus.grpc.BoolArray;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.DslType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.TemplateArrayValue;
import io.milvus.grpc.TemplateValue;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * Search bodies to {@link SearchRequest}: the vectors of {@code data} as the placeholder group the SDKs send (typed by
 * the searched field: float, binary, half-precision, sparse, or text for a BM25 function's output), {@code limit},
 * {@code offset}, {@code filter}, {@code searchParams} ({@code metricType} and {@code params}) and grouping as the
 * search parameters; {@code exprParams} as expression template values.
 */
final class SearchJson {
    /** Milvus' REST default when {@code limit} is absent. */
    static final int DEFAULT_LIMIT = 100;

    private SearchJson() {}

    /**
     * One search; {@code sub} is the search's own object (the body, or one entry of hybrid_search's {@code search}),
     * {@code paramsKey} where its search parameters are ({@code searchParams}, or {@code params} in hybrid_search).
     */
    static SearchRequest.Builder search(CollectionSchema schema, JsonObject sub, String paramsKey, String db, String collection) {
        FieldSchema field = annsField(schema, sub.has("annsField") ? sub.get("annsField").getAsString() : "");
        if (!sub.has("data") || !sub.get("data").isJsonArray()) {
            throw RestCall.missing("data");
        }
        JsonArray data = sub.getAsJsonArray("data");
        JsonObject sp = sub.has(paramsKey) && sub.get(paramsKey).isJsonObject() ? sub.getAsJsonObject(paramsKey) : new JsonObject();
        long limit = sub.has("limit") ? sub.get("limit").getAsLong() : DEFAULT_LIMIT;
        SearchRequest.Builder b = SearchRequest.newBuilder().setDbName(db).setCollectionName(collection)
                .setDsl(sub.has("filter") ? sub.get("filter").getAsString() : "").setDslType(DslType.BoolExprV1)
                .setPlaceholderGroup(placeholders(field, data).toByteString()).setNq(data.size())
                .addSearchParams(SchemaJson.pair("anns_field", field.getName()))
                .addSearchParams(SchemaJson.pair("topk", Long.toString(limit)))
                .addSearchParams(SchemaJson.pair("offset", sub.has("offset") ? sub.get("offset").getAsString() : "0"))
                .addSearchParams(SchemaJson.pair("round_decimal", "-1"));
        String metric = sub.has("metricType") ? sub.get("metricType").getAsString() : sp.has("metricType") ? sp.get("metricType").getAsString() : "";
        if (!metric.isEmpty()) {
            b.addSearchParams(SchemaJson.pair("metric_type", metric));
        }
        JsonObject params = sp.has("params") && sp.get("params").isJsonObject() ? sp.getAsJsonObject("params") : paramsOnly(sp);
        b.addSearchParams(SchemaJson.pair("params", params.toString()));
        if (sub.has("groupingField")) {
            b.addSearchParams(SchemaJson.pair("group_by_field", sub.get("groupingField").getAsString()));
            if (sub.has("groupSize")) {
                b.addSearchParams(SchemaJson.pair("group_size", sub.get("groupSize").getAsString()));
            }
            if (sub.has("strictGroupSize")) {
                b.addSearchParams(SchemaJson.pair("strict_group_size", sub.get("strictGroupSize").getAsString()));
            }
        }
        if (sub.has("exprParams") && sub.get("exprParams").isJsonObject()) {
            b.putAllExprTemplateValues(templates(sub.getAsJsonObject("exprParams")));
        }
        return b;
    }

    /** Search parameters given flat ({@code {"nprobe": 10}}) rather than under {@code params}. */
    private static JsonObject paramsOnly(JsonObject sp) {
        JsonObject o = sp.deepCopy();
        o.remove("metricType");
        return o;
    }

    static FieldSchema annsField(CollectionSchema schema, String name) {
        if (!name.isEmpty()) {
            return Schemas.byName(schema, name).filter(f -> Schemas.isVector(f.getDataType()))
                    .orElseThrow(() -> QuiverException.of(ErrorCode.PARAMETER_INVALID, "annsField '%s' is not a vector field", name));
        }
        List<FieldSchema> vectors = Schemas.vectorFields(schema);
        if (vectors.size() != 1) {
            throw QuiverException.of(ErrorCode.HTTP_MISSING_PARAMETER, "'annsField' is required: the collection has %d vector fields",
                    vectors.size());
        }
        return vectors.get(0);
    }

    static PlaceholderGroup placeholders(FieldSchema field, JsonArray data) {
        DataType t = field.getDataType();
        boolean text = t == DataType.SparseFloatVector && data.size() > 0 && data.get(0).isJsonPrimitive();
        PlaceholderValue.Builder v = PlaceholderValue.newBuilder().setTag("$0").setType(text ? PlaceholderType.VarChar : placeholderType(t));
        for (int i = 0; i < data.size(); i++) {
            JsonElement e = data.get(i);
            try {
                v.addValues(text ? ByteString.copyFromUtf8(e.getAsString()) : ByteString.copyFrom(vectorBytes(t, e)));
            } catch (RuntimeException ex) {
                throw QuiverException.of(ErrorCode.PARAMETER_INVALID, "data[%d] is not a vector of field %s (%s): %s", i, field.getName(), t,
                        ex.getMessage());
            }
        }
        return PlaceholderGroup.newBuilder().addPlaceholders(v).build();
    }

    private static PlaceholderType placeholderType(DataType t) {
        return switch (t) {
            case FloatVector -> PlaceholderType.FloatVector;
            case BinaryVector -> PlaceholderType.BinaryVector;
            case Float16Vector -> PlaceholderType.Float16Vector;
            case BFloat16Vector -> PlaceholderType.BFloat16Vector;
            default -> PlaceholderType.SparseFloatVector;
        };
    }

    private static byte[] vectorBytes(DataType t, JsonElement e) {
        if (t == DataType.SparseFloatVector) {
            return JsonColumns.sparseBytes(JsonColumns.sparse(e));
        }
        JsonArray a = e.getAsJsonArray();
        ByteBuffer b = ByteBuffer.allocate(a.size() * (t == DataType.FloatVector ? 4 : t == DataType.BinaryVector ? 1 : 2))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (JsonElement x : a) {
            switch (t) {
                case FloatVector -> b.putFloat(x.getAsFloat());
                case BinaryVector -> b.put((byte) x.getAsInt());
                case Float16Vector -> b.putShort(Float.floatToFloat16(x.getAsFloat()));
                default -> b.putShort((short) (Float.floatToRawIntBits(x.getAsFloat()) >>> 16));
            }
        }
        return b.array();
    }

    /** {@code exprParams} to template values: booleans, integers, floats, strings and arrays of one of them. */
    static Map<String, TemplateValue> templates(JsonObject params) {
        java.util.LinkedHashMap<String, TemplateValue> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : params.entrySet()) {
            out.put(e.getKey(), template(e.getKey(), e.getValue()));
        }
        return out;
    }

    private static TemplateValue template(String name, JsonElement v) {
        if (v.isJsonPrimitive()) {
            JsonPrimitive p = v.getAsJsonPrimitive();
            if (p.isBoolean()) return TemplateValue.newBuilder().setBoolVal(p.getAsBoolean()).build();
            if (p.isString()) return TemplateValue.newBuilder().setStringVal(p.getAsString()).build();
            String s = p.getAsString();
            return s.contains(".") || s.contains("e") || s.contains("E")
                    ? TemplateValue.newBuilder().setFloatVal(p.getAsDouble()).build()
                    : TemplateValue.newBuilder().setInt64Val(p.getAsLong()).build();
        }
        if (v.isJsonArray()) {
            return TemplateValue.newBuilder().setArrayVal(templateArray(name, v.getAsJsonArray())).build();
        }
        throw QuiverException.invalid("exprParams.%s must be a boolean, number, string or array", name);
    }

    private static TemplateArrayValue templateArray(String name, JsonArray a) {
        List<TemplateValue> items = new java.util.ArrayList<>();
        a.forEach(x -> items.add(template(name, x)));
        TemplateArrayValue.Builder b = TemplateArrayValue.newBuilder();
        if (items.isEmpty() || items.stream().allMatch(TemplateValue::hasInt64Val)) {
            b.setLongData(LongArray.newBuilder().addAllData(items.stream().map(TemplateValue::getInt64Val).toList()));
        } else if (items.stream().allMatch(x -> x.hasInt64Val() || x.hasFloatVal())) {
            b.setDoubleData(DoubleArray.newBuilder().addAllData(items.stream()
                    .map(x -> x.hasFloatVal() ? x.getFloatVal() : (double) x.getInt64Val()).toList()));
        } else if (items.stream().allMatch(TemplateValue::hasBoolVal)) {
            b.setBoolData(BoolArray.newBuilder().addAllData(items.stream().map(TemplateValue::getBoolVal).toList()));
        } else if (items.stream().allMatch(TemplateValue::hasStringVal)) {
            b.setStringData(StringArray.newBuilder().addAllData(items.stream().map(TemplateValue::getStringVal).toList()));
        } else {
            throw QuiverException.invalid("exprParams.%s: an array must hold values of one type", name);
        }
        return b.build();
    }
}
