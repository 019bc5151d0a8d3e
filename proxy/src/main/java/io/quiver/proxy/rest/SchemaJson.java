package io.quiver.proxy.rest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.CreateIndexRequest;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FunctionSchema;
import io.milvus.grpc.FunctionType;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.ValueField;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collection schemas between Milvus' REST JSON and protobuf: the {@code collections/create} body (the quick form with
 * {@code dimension}, or a full {@code schema} with {@code indexParams}) and the {@code fields}/{@code functions} of
 * {@code collections/describe}. Type names are the protobuf enum names ({@code Int64}, {@code FloatVector}, ...).
 */
final class SchemaJson {
    /** {@code params} keys of collections/create that are collection properties (REST name to property key). */
    static final Set<String> COLLECTION_PROPERTIES = Set.of("ttlSeconds", "mmapEnabled", "partitionKeyIsolation");

    /** The schema to create and the indexes to build before loading (none: the collection is left unloaded). */
    record Created(CollectionSchema schema, List<CreateIndexRequest.Builder> indexes) {}

    private SchemaJson() {}

    static String propertyKey(String restName) {
        return switch (restName) {
            case "ttlSeconds" -> "collection.ttl.seconds";
            case "mmapEnabled" -> "mmap.enabled";
            case "partitionKeyIsolation" -> "partitionkey.isolation";
            default -> restName;
        };
    }

    static Created create(RestCall c) {
        List<CreateIndexRequest.Builder> indexes = new ArrayList<>();
        if (c.has("indexParams")) {
            for (JsonElement e : c.array("indexParams")) {
                indexes.add(index(e.getAsJsonObject()));
            }
        }
        if (!c.has("schema")) {
            return quick(c, indexes);
        }
        JsonObject s = c.object("schema");
        boolean autoId = s.has("autoID") && s.get("autoID").getAsBoolean();
        CollectionSchema.Builder b = CollectionSchema.newBuilder().setDescription(c.string("description", ""))
                .setEnableDynamicField(s.has("enableDynamicField") && s.get("enableDynamicField").getAsBoolean());
        if (!s.has("fields") || !s.get("fields").isJsonArray()) {
            throw RestCall.missing("schema.fields");
        }
        for (JsonElement f : s.getAsJsonArray("fields")) {
            b.addFields(field(f.getAsJsonObject(), autoId));
        }
        if (s.has("functions")) {
            for (JsonElement f : s.getAsJsonArray("functions")) {
                b.addFunctions(function(f.getAsJsonObject()));
            }
        }
        return new Created(b.build(), indexes);
    }

    /** The quick form: a primary key and one float vector field, dynamic fields on, an AUTOINDEX, loaded. */
    private static Created quick(RestCall c, List<CreateIndexRequest.Builder> given) {
        long dim = c.number("dimension", 0);
        if (dim <= 0) {
            throw RestCall.missing("dimension");
        }
        String pk = c.string("primaryFieldName", "id");
        String vector = c.string("vectorFieldName", "vector");
        DataType idType = type(c.string("idType", "Int64"), "idType");
        FieldSchema.Builder id = FieldSchema.newBuilder().setName(pk).setDataType(idType).setIsPrimaryKey(true).setAutoID(c.bool("autoID", false));
        if (idType == DataType.VarChar) {
            JsonObject params = c.object("params");
            id.addTypeParams(pair("max_length", params.has("max_length") ? RestJson.text(params.get("max_length")) : "65535"));
        }
        CollectionSchema schema = CollectionSchema.newBuilder().setDescription(c.string("description", "")).setEnableDynamicField(true)
                .addFields(id)
                .addFields(FieldSchema.newBuilder().setName(vector).setDataType(DataType.FloatVector).addTypeParams(pair("dim", Long.toString(dim))))
                .build();
        List<CreateIndexRequest.Builder> indexes = given;
        if (indexes.isEmpty()) {
            indexes = List.of(CreateIndexRequest.newBuilder().setFieldName(vector).setIndexName(vector)
                    .addExtraParams(pair("index_type", "AUTOINDEX")).addExtraParams(pair("metric_type", c.string("metricType", "COSINE"))));
        }
        return new Created(schema, indexes);
    }

    static CreateIndexRequest.Builder index(JsonObject o) {
        if (!o.has("fieldName")) {
            throw RestCall.missing("indexParams.fieldName");
        }
        String field = o.get("fieldName").getAsString();
        CreateIndexRequest.Builder b = CreateIndexRequest.newBuilder().setFieldName(field)
                .setIndexName(o.has("indexName") ? o.get("indexName").getAsString() : field);
        JsonObject params = o.has("params") && o.get("params").isJsonObject() ? o.getAsJsonObject("params").deepCopy() : new JsonObject();
        String indexType = o.has("indexType") ? o.get("indexType").getAsString()
                : params.has("index_type") ? params.remove("index_type").getAsString() : "AUTOINDEX";
        b.addExtraParams(pair("index_type", indexType));
        if (o.has("metricType")) {
            b.addExtraParams(pair("metric_type", o.get("metricType").getAsString()));
        }
        if (!params.isEmpty()) {
            b.addExtraParams(pair("params", params.toString()));
        }
        return b;
    }

    private static FieldSchema field(JsonObject f, boolean autoId) {
        if (!f.has("fieldName") || !f.has("dataType")) {
            throw RestCall.missing("schema.fields[].fieldName and dataType");
        }
        String name = f.get("fieldName").getAsString();
        DataType t = type(f.get("dataType").getAsString(), "dataType of " + name);
        boolean primary = flag(f, "isPrimary");
        FieldSchema.Builder b = FieldSchema.newBuilder().setName(name).setDataType(t).setIsPrimaryKey(primary)
                .setAutoID(primary && autoId).setIsPartitionKey(flag(f, "isPartitionKey")).setIsClusteringKey(flag(f, "isClusteringKey"))
                .setNullable(flag(f, "nullable"));
        if (f.has("description")) {
            b.setDescription(f.get("description").getAsString());
        }
        if (t == DataType.Array) {
            if (!f.has("elementDataType")) {
                throw RestCall.missing("elementDataType of " + name);
            }
            b.setElementType(type(f.get("elementDataType").getAsString(), "elementDataType of " + name));
        }
        if (f.has("elementTypeParams") && f.get("elementTypeParams").isJsonObject()) {
            b.addAllTypeParams(RestJson.pairs(f.getAsJsonObject("elementTypeParams")));
        }
        if (f.has("defaultValue") && !f.get("defaultValue").isJsonNull()) {
            b.setDefaultValue(defaultValue(t, f.get("defaultValue"), name));
        }
        return b.build();
    }

    private static ValueField defaultValue(DataType t, JsonElement v, String name) {
        try {
            return switch (t) {
                case Bool -> ValueField.newBuilder().setBoolData(v.getAsBoolean()).build();
                case Int8, Int16, Int32 -> ValueField.newBuilder().setIntData(v.getAsInt()).build();
                case Int64 -> ValueField.newBuilder().setLongData(v.getAsLong()).build();
                case Float -> ValueField.newBuilder().setFloatData(v.getAsFloat()).build();
                case Double -> ValueField.newBuilder().setDoubleData(v.getAsDouble()).build();
                case VarChar, String -> ValueField.newBuilder().setStringData(v.getAsString()).build();
                default -> throw QuiverException.invalid("field %s: a default value is not supported for %s", name, t);
            };
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException e) {
            throw QuiverException.invalid("field %s: the default value %s is not a %s", name, v, t);
        }
    }

    private static FunctionSchema function(JsonObject f) {
        FunctionSchema.Builder b = FunctionSchema.newBuilder().setName(f.get("name").getAsString());
        if (f.has("description")) {
            b.setDescription(f.get("description").getAsString());
        }
        String type = f.has("type") ? f.get("type").getAsString() : "";
        FunctionType ft = null;
        for (FunctionType x : FunctionType.values()) {
            if (x != FunctionType.UNRECOGNIZED && x.name().equalsIgnoreCase(type)) {
                ft = x;
            }
        }
        if (ft == null) {
            throw QuiverException.invalid("function %s: unknown type '%s'", b.getName(), type);
        }
        b.setType(ft);
        f.getAsJsonArray("inputFieldNames").forEach(x -> b.addInputFieldNames(x.getAsString()));
        f.getAsJsonArray("outputFieldNames").forEach(x -> b.addOutputFieldNames(x.getAsString()));
        if (f.has("params") && f.get("params").isJsonObject()) {
            b.addAllParams(RestJson.pairs(f.getAsJsonObject("params")));
        }
        return b.build();
    }

    static DataType type(String name, String what) {
        for (DataType t : DataType.values()) {
            if (t != DataType.UNRECOGNIZED && t != DataType.None && t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw QuiverException.of(ErrorCode.PARAMETER_INVALID, "%s: unknown data type '%s'", what, name);
    }

    /** describe's {@code fields}, as Milvus writes them (the dynamic field {@code $meta} is not listed). */
    static JsonArray fields(CollectionSchema s) {
        JsonArray a = new JsonArray();
        for (FieldSchema f : s.getFieldsList()) {
            if (f.getIsDynamic()) {
                continue;
            }
            JsonObject o = new JsonObject();
            o.addProperty("name", f.getName());
            o.addProperty("id", f.getFieldID());
            o.addProperty("type", f.getDataType().name());
            o.addProperty("primaryKey", f.getIsPrimaryKey());
            o.addProperty("partitionKey", f.getIsPartitionKey());
            o.addProperty("clusteringKey", f.getIsClusteringKey());
            o.addProperty("autoId", f.getAutoID());
            o.addProperty("nullable", f.getNullable());
            o.addProperty("description", f.getDescription());
            if (f.getDataType() == DataType.Array) {
                o.addProperty("elementType", f.getElementType().name());
            }
            if (f.getTypeParamsCount() > 0) {
                o.add("params", RestJson.keyValues(f.getTypeParamsList()));
            }
            a.add(o);
        }
        return a;
    }

    static JsonArray functions(CollectionSchema s) {
        JsonArray a = new JsonArray();
        for (FunctionSchema f : s.getFunctionsList()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", f.getName());
            o.addProperty("id", f.getId());
            o.addProperty("description", f.getDescription());
            o.addProperty("type", f.getType().name());
            o.add("inputFieldNames", RestJson.names(f.getInputFieldNamesList()));
            o.add("outputFieldNames", RestJson.names(f.getOutputFieldNamesList()));
            o.add("params", RestJson.keyValues(f.getParamsList()));
            a.add(o);
        }
        return a;
    }

    private static boolean flag(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() && o.get(key).getAsBoolean();
    }

    static KeyValuePair pair(String k, String v) {
        return KeyValuePair.newBuilder().setKey(k).setValue(v).build();
    }

}
