package io.quiver.tests.fuzz;

import com.google.protobuf.ByteString;
import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.CreateCollectionRequest;
import io.milvus.grpc.CreateIndexRequest;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DeleteRequest;
import io.milvus.grpc.DslType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.HybridSearchRequest;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LoadCollectionRequest;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.UpsertRequest;
import io.milvus.grpc.VectorField;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

/**
 * The fuzzer's targets and the valid requests it starts mutations from. Three collections share one schema
 * ({@code id} INT64 primary key, {@code vector} FLOAT_VECTOR(8), {@code name} VARCHAR(64), {@code tags}
 * ARRAY&lt;INT64&gt;(8), {@code meta} JSON): {@link #KEEP} holds the rows checked after the run and its name is never
 * handed to the generators; {@link #SANDBOX} (dynamic field on) and {@link #NO_DYNAMIC} take every hostile request.
 */
final class Sandbox {
    static final String KEEP = "fuzz_keep";
    static final String SANDBOX = "fuzz_sandbox";
    static final String NO_DYNAMIC = "fuzz_nodyn";
    static final String DATABASE = "fuzz_db";
    static final int DIM = 8;
    /** Names the random generator uses often; {@link #KEEP} is deliberately absent. */
    static final List<String> NAMES = List.of(SANDBOX, NO_DYNAMIC, DATABASE, "default", "_default", "id", "vector", "name",
            "tags", "meta", "$meta", "fuzz_part", "fuzz_alias", "FLAT", "L2", "IP", "HNSW", "topk", "limit", "offset",
            "id > 0", "id in [1, 2, 3]", "meta[\"a\"] == 1", "__default_resource_group", "root", "public");

    private Sandbox() {}

    static CollectionSchema schema(String name, boolean dynamic) {
        return CollectionSchema.newBuilder().setName(name).setEnableDynamicField(dynamic)
                .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
                .addFields(FieldSchema.newBuilder().setFieldID(101).setName("vector").setDataType(DataType.FloatVector)
                        .addTypeParams(kv("dim", Integer.toString(DIM))))
                .addFields(FieldSchema.newBuilder().setFieldID(102).setName("name").setDataType(DataType.VarChar)
                        .addTypeParams(kv("max_length", "64")))
                .addFields(FieldSchema.newBuilder().setFieldID(103).setName("tags").setDataType(DataType.Array)
                        .setElementType(DataType.Int64).addTypeParams(kv("max_capacity", "8")))
                .addFields(FieldSchema.newBuilder().setFieldID(104).setName("meta").setDataType(DataType.JSON))
                .build();
    }

    static KeyValuePair kv(String k, String v) {
        return KeyValuePair.newBuilder().setKey(k).setValue(v).build();
    }

    static CreateCollectionRequest.Builder create(String name, boolean dynamic) {
        return CreateCollectionRequest.newBuilder().setCollectionName(name).setShardsNum(1)
                .setSchema(schema(name, dynamic).toByteString());
    }

    static CreateIndexRequest.Builder index(String name) {
        return CreateIndexRequest.newBuilder().setCollectionName(name).setFieldName("vector")
                .addExtraParams(kv("index_type", "FLAT")).addExtraParams(kv("metric_type", "L2"));
    }

    static LoadCollectionRequest.Builder load(String name) {
        return LoadCollectionRequest.newBuilder().setCollectionName(name).setReplicaNumber(1);
    }

    /** The vector of row {@code id}: a pure function of the id, so the rows can be checked after the run. */
    static float[] vector(long id) {
        Random r = new Random(id * 7919 + 13);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = r.nextFloat();
        }
        return v;
    }

    static String nameOf(long id) {
        return "row-" + id;
    }

    /** Columns for rows {@code first .. first+n-1} of the shared schema. */
    static List<FieldData> columns(long first, int n) {
        LongArray.Builder ids = LongArray.newBuilder();
        FloatArray.Builder vecs = FloatArray.newBuilder();
        StringArray.Builder names = StringArray.newBuilder();
        ArrayArray.Builder tags = ArrayArray.newBuilder().setElementType(DataType.Int64);
        JSONArray.Builder metas = JSONArray.newBuilder();
        for (long id = first; id < first + n; id++) {
            ids.addData(id);
            for (float f : vector(id)) {
                vecs.addData(f);
            }
            names.addData(nameOf(id));
            tags.addData(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addData(id).addData(id % 3)));
            metas.addData(ByteString.copyFromUtf8("{\"a\": " + id + "}"));
        }
        return List.of(
                FieldData.newBuilder().setFieldName("id").setType(DataType.Int64).setScalars(ScalarField.newBuilder().setLongData(ids)).build(),
                FieldData.newBuilder().setFieldName("vector").setType(DataType.FloatVector)
                        .setVectors(VectorField.newBuilder().setDim(DIM).setFloatVector(vecs)).build(),
                FieldData.newBuilder().setFieldName("name").setType(DataType.VarChar)
                        .setScalars(ScalarField.newBuilder().setStringData(names)).build(),
                FieldData.newBuilder().setFieldName("tags").setType(DataType.Array)
                        .setScalars(ScalarField.newBuilder().setArrayData(tags)).build(),
                FieldData.newBuilder().setFieldName("meta").setType(DataType.JSON)
                        .setScalars(ScalarField.newBuilder().setJsonData(metas)).build());
    }

    static InsertRequest.Builder insert(String collection, long first, int n) {
        return InsertRequest.newBuilder().setCollectionName(collection).addAllFieldsData(columns(first, n)).setNumRows(n);
    }

    static UpsertRequest.Builder upsert(String collection, long first, int n) {
        return UpsertRequest.newBuilder().setCollectionName(collection).addAllFieldsData(columns(first, n)).setNumRows(n);
    }

    static DeleteRequest.Builder delete(String collection, String expr) {
        return DeleteRequest.newBuilder().setCollectionName(collection).setExpr(expr);
    }

    /** A placeholder group of {@code nq} float vectors of dimension {@code dim}, as the SDKs encode it. */
    static ByteString placeholders(Random r, int nq, int dim) {
        PlaceholderValue.Builder v = PlaceholderValue.newBuilder().setTag("$0").setType(PlaceholderType.FloatVector);
        for (int q = 0; q < nq; q++) {
            ByteBuffer b = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < dim; i++) {
                b.putFloat(r.nextFloat());
            }
            v.addValues(ByteString.copyFrom(b.array()));
        }
        return PlaceholderGroup.newBuilder().addPlaceholders(v).build().toByteString();
    }

    static SearchRequest.Builder search(String collection, Random r) {
        return SearchRequest.newBuilder().setCollectionName(collection).setDslType(DslType.BoolExprV1)
                .setDsl("id >= 0").setPlaceholderGroup(placeholders(r, 2, DIM)).setNq(2)
                .addSearchParams(kv("anns_field", "vector")).addSearchParams(kv("topk", "5"))
                .addSearchParams(kv("metric_type", "L2")).addSearchParams(kv("params", "{}"))
                .addOutputFields("name").addOutputFields("meta");
    }

    static HybridSearchRequest.Builder hybrid(String collection, Random r) {
        return HybridSearchRequest.newBuilder().setCollectionName(collection)
                .addRequests(search(collection, r)).addRequests(search(collection, r))
                .addRankParams(kv("strategy", "rrf")).addRankParams(kv("params", "{\"k\": 60}"))
                .addRankParams(kv("limit", "5")).addOutputFields("name");
    }

    static QueryRequest.Builder query(String collection, String expr) {
        return QueryRequest.newBuilder().setCollectionName(collection).setExpr(expr)
                .addOutputFields("id").addOutputFields("name").addOutputFields("vector").addOutputFields("tags")
                .addOutputFields("meta").addQueryParams(kv("limit", "100"));
    }
}
