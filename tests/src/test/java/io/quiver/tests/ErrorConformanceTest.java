package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.milvus.grpc.ErrorCode;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.MsgBase;
import io.milvus.grpc.MsgType;
import io.milvus.grpc.MutationResult;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.exception.MilvusClientException;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Item 9: every application error is a MilvusClientException carrying the server's code (never a hang, a gRPC error
 * or a retry storm: the client has a 30 s RPC deadline). Inserts the Java SDK validates itself (dimension, types,
 * missing fields) are sent as raw gRPC requests, the way the Node SDK or a stale client would send them.
 */
class ErrorConformanceTest extends ConformanceBase {
    static final int DIM = 8;
    static String loaded;    // id, vector(8), name VARCHAR(16); FLAT/L2; loaded; no dynamic field
    static String unloaded;  // same schema, indexed but released
    static String noIndex;   // same schema, no index
    static ManagedChannel channel;
    static MilvusServiceGrpc.MilvusServiceBlockingStub raw;

    static String create(boolean index) {
        String name = uniq("err");
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(DIM).build());
        s.addField(AddFieldReq.builder().fieldName("name").dataType(DataType.VarChar).maxLength(16).build());
        CreateCollectionReq.CreateCollectionReqBuilder<?, ?> b = CreateCollectionReq.builder().collectionName(name).collectionSchema(s)
                .consistencyLevel(ConsistencyLevel.STRONG);
        if (index) {
            b.indexParams(List.of(IndexParam.builder().fieldName("vector").indexType(IndexParam.IndexType.FLAT)
                    .metricType(IndexParam.MetricType.L2).build()));
        }
        client.createCollection(b.build());
        return name;
    }

    static JsonObject row(long id, float[] v, String name) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.add("vector", json(v));
        o.addProperty("name", name);
        return o;
    }

    @BeforeAll
    static void setUp() {
        loaded = create(true);
        unloaded = create(true);
        noIndex = create(false);
        List<JsonObject> rows = new ArrayList<>();
        List<float[]> vecs = randVecs(1, 20, DIM);
        for (int i = 0; i < 20; i++) rows.add(row(i, vecs.get(i), "n" + i));
        client.insert(InsertReq.builder().collectionName(loaded).data(rows).build());
        client.loadCollection(LoadCollectionReq.builder().collectionName(loaded).build());
        client.insert(InsertReq.builder().collectionName(unloaded).data(rows).build());
        // createCollection with index params also loads: release it
        client.releaseCollection(io.milvus.v2.service.collection.request.ReleaseCollectionReq.builder().collectionName(unloaded).build());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        raw = MilvusServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void closeChannel() throws Exception {
        if (channel != null) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static void assertCode(MilvusClientException e, int code) {
        assertThat(e.getServerErrCode()).as("server code of: %s", e.getMessage()).isEqualTo(code);
    }

    static void assertMessage(MilvusClientException e, String... words) {
        for (String w : words) assertThat(e.getMessage().toLowerCase()).as("error message").contains(w.toLowerCase());
    }

    static SearchReq.SearchReqBuilder<?, ?> search(String coll, float[] q) {
        return SearchReq.builder().collectionName(coll).data(List.of(new FloatVec(q))).topK(5).consistencyLevel(ConsistencyLevel.STRONG);
    }

    // ---- raw requests ------------------------------------------------------------------------------------

    static FieldData longs(String name, long... v) {
        LongArray.Builder a = LongArray.newBuilder();
        for (long x : v) a.addData(x);
        return FieldData.newBuilder().setFieldName(name).setType(io.milvus.grpc.DataType.Int64)
                .setScalars(ScalarField.newBuilder().setLongData(a)).build();
    }

    static FieldData strings(String name, io.milvus.grpc.DataType type, String... v) {
        return FieldData.newBuilder().setFieldName(name).setType(type)
                .setScalars(ScalarField.newBuilder().setStringData(StringArray.newBuilder().addAllData(List.of(v)))).build();
    }

    static FieldData floats(String name, int dim, int rows, float value) {
        FloatArray.Builder a = FloatArray.newBuilder();
        for (int i = 0; i < dim * rows; i++) a.addData(value);
        return FieldData.newBuilder().setFieldName(name).setType(io.milvus.grpc.DataType.FloatVector)
                .setVectors(VectorField.newBuilder().setDim(dim).setFloatVector(a)).build();
    }

    static MutationResult rawInsert(String coll, int rows, FieldData... fields) {
        InsertRequest.Builder b = InsertRequest.newBuilder().setCollectionName(coll).setNumRows(rows)
                .setBase(MsgBase.newBuilder().setMsgType(MsgType.Insert));
        for (FieldData f : fields) b.addFieldsData(f);
        return raw.withDeadlineAfter(RPC_DEADLINE_MS, TimeUnit.MILLISECONDS).insert(b.build());
    }

    /** Milvus sets both the code and the legacy error_code of a failed status. */
    static void assertRawError(MutationResult r, int code, String... words) {
        assertThat(r.getStatus().getCode()).as("code of %s", r.getStatus()).isEqualTo(code);
        assertThat(r.getStatus().getErrorCode()).as("legacy error_code of %s", r.getStatus()).isNotEqualTo(ErrorCode.Success);
        if (code == 1100) assertThat(r.getStatus().getErrorCode()).as("legacy code of %s", r.getStatus()).isEqualTo(ErrorCode.IllegalArgument);
        for (String w : words) assertThat(r.getStatus().getReason().toLowerCase()).as("reason").contains(w.toLowerCase());
    }

    @Test
    void rawInsertWrongDimension() {
        // 2 rows of a 16-d vector into the 8-d field
        MutationResult r = rawInsert(loaded, 2, longs("id", 100, 101), floats("vector", 16, 2, 0.5f),
                strings("name", io.milvus.grpc.DataType.VarChar, "a", "b"));
        assertRawError(r, 1100, "dim");
        // the Node SDK's shape: dim = schema dim, but too few floats for num_rows
        FieldData shortVec = FieldData.newBuilder().setFieldName("vector").setType(io.milvus.grpc.DataType.FloatVector)
                .setVectors(VectorField.newBuilder().setDim(DIM).setFloatVector(FloatArray.newBuilder().addAllData(
                        Collections.nCopies(DIM + 3, 0.25f)))).build();
        assertRawError(rawInsert(loaded, 2, longs("id", 100, 101), shortVec, strings("name", io.milvus.grpc.DataType.VarChar, "a", "b")),
                1100);
        assertThat(count(loaded, "id >= 100")).isZero();
    }

    @Test
    void rawInsertTypeMismatchAndMissingPrimaryKey() {
        // the INT64 primary key sent as VARCHAR data
        assertRawError(rawInsert(loaded, 1, strings("id", io.milvus.grpc.DataType.VarChar, "abc"), floats("vector", DIM, 1, 0.1f),
                strings("name", io.milvus.grpc.DataType.VarChar, "a")), 1100);
        // a VARCHAR field sent as INT64 data
        assertRawError(rawInsert(loaded, 1, longs("id", 200), floats("vector", DIM, 1, 0.1f), longs("name", 7)), 1100);
        // no primary key (auto_id is false)
        // (Milvus: ParameterInvalid "fieldSchema(id) has no corresponding fieldData pass in"; 1101 ParameterMissing is accepted too)
        MutationResult noPk = rawInsert(loaded, 1, floats("vector", DIM, 1, 0.1f), strings("name", io.milvus.grpc.DataType.VarChar, "a"));
        assertThat(noPk.getStatus().getCode()).as("%s", noPk.getStatus()).isIn(1100, 1101);
        assertThat(noPk.getStatus().getErrorCode()).isNotEqualTo(ErrorCode.Success);
        assertThat(noPk.getStatus().getReason()).contains("id");
        assertThat(count(loaded, "id >= 200")).isZero();
    }

    @Test
    void searchWithWrongDimension() {
        MilvusClientException e = serverError(() -> client.search(search(loaded, new float[DIM * 2]).build()));
        assertCode(e, 1100);
        assertMessage(e, "dim");
    }

    @Test
    void unknownCollection() {
        String missing = uniq("missing");
        MilvusClientException d = serverError(() -> client.describeCollection(DescribeCollectionReq.builder().collectionName(missing).build()));
        assertCode(d, 100);
        assertThat(d.getLegacyServerCode()).as("legacy CollectionNotExists").isEqualTo(ErrorCode.CollectionNotExists.getNumber());
        assertMessage(d, missing);
        assertCode(serverError(() -> client.search(search(missing, new float[DIM]).build())), 100);
        assertCode(serverError(() -> client.query(QueryReq.builder().collectionName(missing).filter("id > 0").build())), 100);
        assertCode(serverError(() -> client.loadCollection(LoadCollectionReq.builder().collectionName(missing).build())), 100);
        // as in Milvus, dropping a collection that does not exist is not an error
        client.dropCollection(io.milvus.v2.service.collection.request.DropCollectionReq.builder().collectionName(missing).build());
        // raw: both the code and the legacy error_code
        MutationResult r = rawInsert(missing, 1, longs("id", 1), floats("vector", DIM, 1, 0.1f));
        assertRawError(r, 100, missing);
        assertThat(r.getStatus().getErrorCode()).isEqualTo(ErrorCode.CollectionNotExists);
    }

    @Test
    void unknownOutputField() {
        MilvusClientException q = serverError(() -> client.query(QueryReq.builder().collectionName(loaded).filter("id > 0")
                .outputFields(List.of("id", "no_such_field")).consistencyLevel(ConsistencyLevel.STRONG).build()));
        assertMessage(q, "no_such_field");
        MilvusClientException s = serverError(() -> client.search(search(loaded, new float[DIM]).outputFields(List.of("no_such_field"))
                .build()));
        assertMessage(s, "no_such_field");
    }

    @Test
    void filterTypeMismatchAndMalformedFilter() {
        MilvusClientException t = serverError(() -> client.query(QueryReq.builder().collectionName(loaded).filter("id == \"abc\"")
                .outputFields(List.of("id")).consistencyLevel(ConsistencyLevel.STRONG).build()));
        assertCode(t, 1100);
        MilvusClientException m = serverError(() -> client.query(QueryReq.builder().collectionName(loaded).filter("id >>> 3 and (")
                .outputFields(List.of("id")).consistencyLevel(ConsistencyLevel.STRONG).build()));
        assertCode(m, 1100);
        assertCode(serverError(() -> client.search(search(loaded, new float[DIM]).filter("name === ").build())), 1100);
        assertCode(serverError(() -> client.query(QueryReq.builder().collectionName(loaded).filter("no_such_field > 3")
                .outputFields(List.of("id")).consistencyLevel(ConsistencyLevel.STRONG).build())), 1100);
    }

    /**
     * Valid Milvus expressions the engine may or may not support yet: each either gives the right rows or fails with a
     * clear error status (a server code, never a gRPC error or a hang).
     */
    @Test
    void advancedFiltersSucceedOrFailCleanly() {
        java.util.Map<String, List<Long>> cases = new java.util.LinkedHashMap<>();
        cases.put("name like \"n1%\"", List.of(1L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L));
        cases.put("id % 5 == 0", List.of(0L, 5L, 10L, 15L));
        cases.put("id in [1, 2] or name == \"n3\"", List.of(1L, 2L, 3L));
        cases.put("not (id >= 2)", List.of(0L, 1L));
        cases.put("id > 17 and id <= 19", List.of(18L, 19L));
        cases.put("name in [\"n4\", \"n5\"] and id != 5", List.of(4L));
        for (var c : cases.entrySet()) {
            try {
                List<Long> got = idsOf(query(loaded, c.getKey(), List.of("id")), "id");
                assertThat(c.getValue()).as("%s should have failed, returned %s", c.getKey(), got).isNotNull();
                assertThat(got).as("rows of %s", c.getKey()).containsExactlyElementsOf(c.getValue());
            } catch (MilvusClientException e) {
                assertThat(e.getServerErrCode()).as("%s failed without a server status: %s", c.getKey(), e.getMessage()).isNotZero();
                System.out.printf("filter not supported: %s -> %d %s%n", c.getKey(), e.getServerErrCode(), e.getMessage());
            }
        }
    }

    /** TEXT_MATCH on a VARCHAR field without enable_match: Milvus' segcore error, code 2042. */
    @Test
    void textMatchWithoutEnableMatch() {
        MilvusClientException e = serverError(() -> query(loaded, "text_match(name, \"n1\")", List.of("id")));
        assertCode(e, 2042);
        assertMessage(e, "failed to get text index, text index not found");
        assertCode(serverError(() -> query(loaded, "phrase_match(name, \"n1 n2\", 1) or id > 3", List.of("id"))), 2042);
    }

    @Test
    void overLongVarchar() {
        // (the Java SDK checks max_length itself, so this is sent raw)
        MutationResult r = rawInsert(loaded, 2, longs("id", 300, 301), floats("vector", DIM, 2, 0.1f),
                strings("name", io.milvus.grpc.DataType.VarChar, "ok", "x".repeat(17)));
        assertRawError(r, 1100, "length");
        assertThat(count(loaded, "id in [300, 301]")).isZero();
    }

    @Test
    void nanInVector() {
        float[] v = new float[DIM];
        v[3] = Float.NaN;
        JsonObject r = new JsonObject();
        r.addProperty("id", 400);
        JsonArray a = new JsonArray();
        for (float f : v) a.add(f);
        r.add("vector", a);
        r.addProperty("name", "nan");
        MilvusClientException e = serverError(() -> client.insert(InsertReq.builder().collectionName(loaded).data(List.of(r)).build()));
        assertCode(e, 1100);
        assertMessage(e, "nan");
        assertThat(count(loaded, "id == 400")).isZero();
        // a NaN query vector too
        assertCode(serverError(() -> client.search(search(loaded, v).build())), 1100);
    }

    @Test
    void topKOutOfRange() {
        MilvusClientException zero = serverError(() -> client.search(search(loaded, new float[DIM]).topK(0).build()));
        assertCode(zero, 1100);
        assertMessage(zero, "topk");
        MilvusClientException big = serverError(() -> client.search(search(loaded, new float[DIM]).topK(16385).build()));
        assertCode(big, 1100);
        assertMessage(big, "16384");
        assertThat(client.search(search(loaded, new float[DIM]).topK(16384).build()).getSearchResults().get(0)).hasSize(20);
    }

    @Test
    void searchAndQueryOnUnloadedCollection() {
        MilvusClientException s = serverError(() -> client.search(search(unloaded, new float[DIM]).build()));
        assertCode(s, 101);
        assertMessage(s, "load");
        assertCode(serverError(() -> client.query(QueryReq.builder().collectionName(unloaded).filter("id > 0")
                .consistencyLevel(ConsistencyLevel.STRONG).build())), 101);
    }

    @Test
    void loadWithoutIndex() {
        MilvusClientException e = serverError(() -> client.loadCollection(LoadCollectionReq.builder().collectionName(noIndex).build()));
        assertCode(e, 700);
        assertMessage(e, "index");
    }

    @Test
    void invalidCollectionNames() {
        for (String bad : List.of("1starts_with_digit", "has-dash", "has space", "x".repeat(300))) {
            MilvusClientException e = serverError(() -> client.createCollection(CreateCollectionReq.builder().collectionName(bad)
                    .dimension(DIM).build()));
            assertCode(e, 1100);
        }
        // duplicate field names and a schema without a vector are rejected as well
        CreateCollectionReq.CollectionSchema noVec = client.createSchema();
        noVec.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        assertThat(serverError(() -> client.createCollection(CreateCollectionReq.builder().collectionName(uniq("novec"))
                .collectionSchema(noVec).build())).getServerErrCode()).isNotZero();
    }
}
