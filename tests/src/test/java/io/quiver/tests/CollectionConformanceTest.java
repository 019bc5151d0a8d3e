package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.AlterCollectionPropertiesReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.GetCollectionStatsReq;
import io.milvus.v2.service.collection.request.GetLoadStateReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.utility.response.CheckHealthResp;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.response.InsertResp;
import io.milvus.v2.service.vector.response.QueryResp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Items 1 and 2 of the conformance list: connection/system calls and collection DDL. */
class CollectionConformanceTest extends ConformanceBase {

    @Test
    void connectVersionHealthDatabases() {
        assertThat(client.clientIsReady()).isTrue();
        String version = client.getServerVersion();
        assertThat(version).isNotBlank();
        CheckHealthResp health = client.checkHealth();
        assertThat(health.getIsHealthy()).as("reasons %s", health.getReasons()).isTrue();
        assertThat(client.listDatabases().getDatabaseNames()).contains("default");
    }

    @Test
    void rawComponentStatesAndUserFieldsOnly() throws Exception {
        io.grpc.ManagedChannel ch = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            var stub = io.milvus.grpc.MilvusServiceGrpc.newBlockingStub(ch).withDeadlineAfter(RPC_DEADLINE_MS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            var cs = stub.getComponentStates(io.milvus.grpc.GetComponentStatesRequest.getDefaultInstance());
            assertThat(cs.getStatus().getCode()).isZero();
            assertThat(cs.getState().getStateCode()).isEqualTo(io.milvus.grpc.StateCode.Healthy);
            var ver = stub.getVersion(io.milvus.grpc.GetVersionRequest.getDefaultInstance());
            assertThat(ver.getStatus().getCode()).isZero();
            assertThat(ver.getVersion()).isNotBlank();

            String name = uniq("rawdesc");
            client.createCollection(CreateCollectionReq.builder().collectionName(name).dimension(4).build());
            var d = stub.describeCollection(io.milvus.grpc.DescribeCollectionRequest.newBuilder().setCollectionName(name).build());
            assertThat(d.getStatus().getCode()).isZero();
            assertThat(d.getSchema().getFieldsList()).extracting(io.milvus.grpc.FieldSchema::getName)
                    .as("user fields only: no RowID/Timestamp/$meta").containsExactlyInAnyOrder("id", "vector");
            assertThat(d.getSchema().getFieldsList()).allSatisfy(f -> {
                assertThat(f.getFieldID()).isGreaterThanOrEqualTo(100);
                assertThat(f.getIsDynamic()).isFalse();
            });
            assertThat(d.getSchema().getEnableDynamicField()).isTrue();
            assertThat(d.getShardsNum()).isGreaterThanOrEqualTo(1);
            assertThat(d.getCollectionID()).isNotZero();
            // a missing collection: code 100 and the legacy CollectionNotExists, inside the status (no gRPC error)
            var missing = stub.describeCollection(io.milvus.grpc.DescribeCollectionRequest.newBuilder()
                    .setCollectionName(uniq("missing")).build());
            assertThat(missing.getStatus().getCode()).isEqualTo(100);
            assertThat(missing.getStatus().getErrorCode()).isEqualTo(io.milvus.grpc.ErrorCode.CollectionNotExists);
            var has = stub.hasCollection(io.milvus.grpc.HasCollectionRequest.newBuilder().setCollectionName(uniq("missing")).build());
            assertThat(has.getStatus().getCode()).isZero();
            assertThat(has.getValue()).isFalse();
        } finally {
            ch.shutdownNow();
        }
    }

    /** Settings Milvus has and Quiver does not are refused by name, not stored and ignored (issue 15). */
    @Test
    void settingsQuiverDoesNotHaveAreRefusedByName() {
        String name = uniq("unsupported");
        CreateCollectionReq.CollectionSchema plain = client.createSchema();
        plain.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        plain.addField(AddFieldReq.builder().fieldName("v").dataType(DataType.FloatVector).dimension(8).build());
        assertThat(serverError(() -> client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(plain)
                .properties(Map.of("mmap.enabled", "true")).build())).getMessage()).contains("mmap.enabled=true");
        CreateCollectionReq.CollectionSchema clustered = client.createSchema();
        clustered.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        clustered.addField(AddFieldReq.builder().fieldName("k").dataType(DataType.Int64).isClusteringKey(true).build());
        clustered.addField(AddFieldReq.builder().fieldName("v").dataType(DataType.FloatVector).dimension(8).build());
        assertThat(serverError(() -> client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(clustered).build()))
                .getMessage()).contains("clustering key", "field k");
        assertThat(client.hasCollection(HasCollectionReq.builder().collectionName(name).build())).isFalse();
        // what Quiver does anyway is accepted, and kept
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(plain)
                .properties(Map.of("mmap.enabled", "false")).build());
        assertThat(client.describeCollection(DescribeCollectionReq.builder().collectionName(name).build()).getProperties())
                .containsEntry("mmap.enabled", "false");
        assertThat(serverError(() -> client.alterCollectionProperties(AlterCollectionPropertiesReq.builder().collectionName(name)
                .properties(Map.of("partitionkey.isolation", "true")).build())).getMessage()).contains("partitionkey.isolation=true");
        client.dropCollection(DropCollectionReq.builder().collectionName(name).build());
    }

    @Test
    void quickSetupCollection() {
        String name = uniq("quick");
        client.createCollection(CreateCollectionReq.builder().collectionName(name).dimension(16).build());
        DescribeCollectionResp d = client.describeCollection(DescribeCollectionReq.builder().collectionName(name).build());
        assertThat(d.getCollectionName()).isEqualTo(name);
        assertThat(d.getFieldNames()).containsExactlyInAnyOrder("id", "vector");
        assertThat(d.getPrimaryFieldName()).isEqualTo("id");
        assertThat(d.getVectorFieldNames()).containsExactly("vector");
        assertThat(d.getEnableDynamicField()).isTrue();
        assertThat(d.getAutoID()).isFalse();
        CreateCollectionReq.FieldSchema vec = d.getCollectionSchema().getField("vector");
        assertThat(vec.getDataType()).isEqualTo(DataType.FloatVector);
        assertThat(vec.getDimension()).isEqualTo(16);
        assertThat(d.getCollectionSchema().getField("id").getDataType()).isEqualTo(DataType.Int64);
        // quick setup creates an AUTOINDEX/COSINE index and loads the collection
        assertThat(client.listIndexes(io.milvus.v2.service.index.request.ListIndexesReq.builder().collectionName(name).build()))
                .hasSize(1);
        // the SDK fires LoadCollection without waiting: poll (bounded) until loaded
        awaitLoaded(name);
    }

    static CreateCollectionReq.CollectionSchema allTypesSchema(boolean autoId) {
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.setEnableDynamicField(true);
        s.addField(AddFieldReq.builder().fieldName("pk").dataType(DataType.Int64).isPrimaryKey(true).autoID(autoId).build());
        s.addField(AddFieldReq.builder().fieldName("vec").dataType(DataType.FloatVector).dimension(8).build());
        s.addField(AddFieldReq.builder().fieldName("f_bool").dataType(DataType.Bool).build());
        s.addField(AddFieldReq.builder().fieldName("f_int8").dataType(DataType.Int8).build());
        s.addField(AddFieldReq.builder().fieldName("f_int16").dataType(DataType.Int16).build());
        s.addField(AddFieldReq.builder().fieldName("f_int32").dataType(DataType.Int32).build());
        s.addField(AddFieldReq.builder().fieldName("f_int64").dataType(DataType.Int64).build());
        s.addField(AddFieldReq.builder().fieldName("f_float").dataType(DataType.Float).build());
        s.addField(AddFieldReq.builder().fieldName("f_double").dataType(DataType.Double).build());
        s.addField(AddFieldReq.builder().fieldName("f_varchar").dataType(DataType.VarChar).maxLength(64).build());
        s.addField(AddFieldReq.builder().fieldName("f_json").dataType(DataType.JSON).build());
        s.addField(AddFieldReq.builder().fieldName("f_arr_int").dataType(DataType.Array).elementType(DataType.Int64).maxCapacity(10).build());
        s.addField(AddFieldReq.builder().fieldName("f_arr_str").dataType(DataType.Array).elementType(DataType.VarChar).maxCapacity(5)
                .maxLength(32).build());
        return s;
    }

    static JsonObject allTypesRow(Random r, Long pk, int i) {
        JsonObject o = new JsonObject();
        if (pk != null) o.addProperty("pk", pk);
        o.add("vec", json(randVec(r, 8)));
        o.addProperty("f_bool", i % 2 == 0);
        o.addProperty("f_int8", (short) (i % 100));
        o.addProperty("f_int16", (short) (i * 3));
        o.addProperty("f_int32", i * 1000);
        o.addProperty("f_int64", 10_000_000_000L + i);
        o.addProperty("f_float", i + 0.5f);
        o.addProperty("f_double", i + 0.25d);
        o.addProperty("f_varchar", "str-" + i);
        JsonObject j = new JsonObject();
        j.addProperty("k", i);
        j.addProperty("tag", "t" + (i % 3));
        o.add("f_json", j);
        JsonArray ai = new JsonArray();
        ai.add(i);
        ai.add(i + 1L);
        o.add("f_arr_int", ai);
        JsonArray as = new JsonArray();
        as.add("a" + i);
        o.add("f_arr_str", as);
        o.addProperty("dyn_extra", "x" + i);
        return o;
    }

    @Test
    void customSchemaAllScalarTypesRoundTrip() {
        String name = uniq("alltypes");
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(allTypesSchema(false))
                .numShards(2).consistencyLevel(ConsistencyLevel.SESSION)
                .indexParams(List.of(IndexParam.builder().fieldName("vec").indexType(IndexParam.IndexType.FLAT)
                        .metricType(IndexParam.MetricType.L2).build()))
                .build());
        DescribeCollectionResp d = client.describeCollection(DescribeCollectionReq.builder().collectionName(name).build());
        assertThat(d.getFieldNames()).containsExactly("pk", "vec", "f_bool", "f_int8", "f_int16", "f_int32", "f_int64", "f_float",
                "f_double", "f_varchar", "f_json", "f_arr_int", "f_arr_str");
        assertThat(d.getShardsNum()).isEqualTo(2);
        assertThat(d.getConsistencyLevel()).isEqualTo(ConsistencyLevel.SESSION);
        assertThat(d.getEnableDynamicField()).isTrue();
        assertThat(d.getPrimaryFieldName()).isEqualTo("pk");
        assertThat(d.getAutoID()).isFalse();
        Map<String, DataType> types = new LinkedHashMap<>();
        d.getCollectionSchema().getFieldSchemaList().forEach(f -> types.put(f.getName(), f.getDataType()));
        assertThat(types).containsEntry("f_bool", DataType.Bool).containsEntry("f_int8", DataType.Int8)
                .containsEntry("f_int16", DataType.Int16).containsEntry("f_int32", DataType.Int32)
                .containsEntry("f_int64", DataType.Int64).containsEntry("f_float", DataType.Float)
                .containsEntry("f_double", DataType.Double).containsEntry("f_varchar", DataType.VarChar)
                .containsEntry("f_json", DataType.JSON).containsEntry("f_arr_int", DataType.Array)
                .containsEntry("f_arr_str", DataType.Array).containsEntry("vec", DataType.FloatVector);
        CreateCollectionReq.CollectionSchema sc = d.getCollectionSchema();
        assertThat(sc.getField("vec").getDimension()).isEqualTo(8);
        assertThat(sc.getField("f_varchar").getMaxLength()).isEqualTo(64);
        assertThat(sc.getField("f_arr_int").getElementType()).isEqualTo(DataType.Int64);
        assertThat(sc.getField("f_arr_int").getMaxCapacity()).isEqualTo(10);
        assertThat(sc.getField("f_arr_str").getElementType()).isEqualTo(DataType.VarChar);
        assertThat(sc.getField("f_arr_str").getMaxCapacity()).isEqualTo(5);
        // (max_length of a VarChar array: SDK 2.5.10/2.6.0 AddFieldReq sends its default 65535 for arrays, so not asserted)
        assertThat(sc.getField("pk").getIsPrimaryKey()).isTrue();

        Random r = new Random(5);
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) rows.add(allTypesRow(r, (long) i, i));
        InsertResp ins = client.insert(InsertReq.builder().collectionName(name).data(rows).build());
        assertThat(ins.getInsertCnt()).isEqualTo(50);
        assertThat(ins.getPrimaryKeys()).hasSize(50);
        client.loadCollection(io.milvus.v2.service.collection.request.LoadCollectionReq.builder().collectionName(name).build());

        List<QueryResp.QueryResult> got = query(name, "pk == 7", List.of("*"));
        assertThat(got).hasSize(1);
        Map<String, Object> e = got.get(0).getEntity();
        assertThat(((Number) e.get("pk")).longValue()).isEqualTo(7L);
        assertThat(e.get("f_bool")).isEqualTo(false);
        assertThat(((Number) e.get("f_int8")).intValue()).isEqualTo(7);
        assertThat(((Number) e.get("f_int16")).intValue()).isEqualTo(21);
        assertThat(((Number) e.get("f_int32")).intValue()).isEqualTo(7000);
        assertThat(((Number) e.get("f_int64")).longValue()).isEqualTo(10_000_000_007L);
        assertThat(((Number) e.get("f_float")).floatValue()).isEqualTo(7.5f);
        assertThat(((Number) e.get("f_double")).doubleValue()).isEqualTo(7.25d);
        assertThat(e.get("f_varchar")).isEqualTo("str-7");
        assertThat(e.get("f_json").toString()).contains("\"k\":7").contains("\"tag\":\"t1\"");
        assertThat((List<?>) e.get("f_arr_int")).hasSize(2).extracting(x -> ((Number) x).longValue()).containsExactly(7L, 8L);
        assertThat(new ArrayList<Object>((List<?>) e.get("f_arr_str"))).containsExactly("a7");
        assertThat(e.get("dyn_extra")).isEqualTo("x7");
        assertThat((List<?>) e.get("vec")).hasSize(8);
        // explicit dynamic key as output field, filters on typed scalars
        List<QueryResp.QueryResult> dyn = query(name, "f_int32 >= 45000 and f_bool == true", List.of("pk", "dyn_extra"));
        assertThat(idsOf(dyn, "pk")).containsExactly(46L, 48L);
        assertThat(dyn.get(0).getEntity().get("dyn_extra").toString()).startsWith("x4");
        assertThat(idsOf(query(name, "f_varchar == \"str-12\"", List.of("pk")), "pk")).containsExactly(12L);
        assertThat(idsOf(query(name, "f_double < 3.0", List.of("pk")), "pk")).containsExactly(0L, 1L, 2L);
    }

    @Test
    void autoIdAndVarcharPrimaryKeys() {
        String auto = uniq("autoid");
        client.createCollection(CreateCollectionReq.builder().collectionName(auto).collectionSchema(allTypesSchema(true))
                .indexParams(List.of(IndexParam.builder().fieldName("vec").indexType(IndexParam.IndexType.FLAT)
                        .metricType(IndexParam.MetricType.IP).build()))
                .build());
        DescribeCollectionResp d = client.describeCollection(DescribeCollectionReq.builder().collectionName(auto).build());
        assertThat(d.getAutoID()).isTrue();
        assertThat(d.getCollectionSchema().getField("pk").getAutoID()).isTrue();
        Random r = new Random(6);
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) rows.add(allTypesRow(r, null, i));
        InsertResp ins = client.insert(InsertReq.builder().collectionName(auto).data(rows).build());
        assertThat(ins.getInsertCnt()).isEqualTo(20);
        assertThat(ins.getPrimaryKeys()).hasSize(20).doesNotHaveDuplicates();
        client.loadCollection(io.milvus.v2.service.collection.request.LoadCollectionReq.builder().collectionName(auto).build());
        assertThat(count(auto, "")).isEqualTo(20);
        Object firstPk = ins.getPrimaryKeys().get(0);
        List<QueryResp.QueryResult> one = query(auto, "pk == " + firstPk, List.of("f_varchar"));
        assertThat(one).hasSize(1);
        assertThat(one.get(0).getEntity().get("f_varchar")).isEqualTo("str-0");

        String vc = uniq("varcharpk");
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("key").dataType(DataType.VarChar).maxLength(36).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("embedding").dataType(DataType.FloatVector).dimension(4).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(vc).collectionSchema(s)
                .consistencyLevel(ConsistencyLevel.STRONG)
                .indexParams(List.of(IndexParam.builder().fieldName("embedding").indexType(IndexParam.IndexType.FLAT)
                        .metricType(IndexParam.MetricType.L2).build()))
                .build());
        DescribeCollectionResp dv = client.describeCollection(DescribeCollectionReq.builder().collectionName(vc).build());
        assertThat(dv.getCollectionSchema().getField("key").getDataType()).isEqualTo(DataType.VarChar);
        assertThat(dv.getCollectionSchema().getField("key").getMaxLength()).isEqualTo(36);
        assertThat(dv.getConsistencyLevel()).isEqualTo(ConsistencyLevel.STRONG);
        assertThat(dv.getEnableDynamicField()).isFalse();
        List<JsonObject> vrows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("key", "doc-" + i);
            o.add("embedding", json(new float[] {i, 0, 0, 0}));
            vrows.add(o);
        }
        InsertResp vi = client.insert(InsertReq.builder().collectionName(vc).data(vrows).build());
        assertThat(new ArrayList<Object>(vi.getPrimaryKeys())).containsExactly("doc-0", "doc-1", "doc-2", "doc-3", "doc-4", "doc-5", "doc-6", "doc-7",
                "doc-8", "doc-9");
        client.loadCollection(io.milvus.v2.service.collection.request.LoadCollectionReq.builder().collectionName(vc).build());
        var hits = client.search(io.milvus.v2.service.vector.request.SearchReq.builder().collectionName(vc)
                .data(List.of(new io.milvus.v2.service.vector.request.data.FloatVec(new float[] {3.1f, 0, 0, 0}))).topK(2)
                .consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0);
        assertThat(hits).extracting(h -> h.getId()).containsExactly("doc-3", "doc-4");
        List<QueryResp.QueryResult> q = query(vc, "key in [\"doc-1\", \"doc-8\"]", List.of("key"));
        assertThat(q).extracting(x -> x.getEntity().get("key")).containsExactlyInAnyOrder("doc-1", "doc-8");
    }

    @Test
    void hasListDropAndStats() {
        String name = uniq("lifecycle");
        assertThat(client.hasCollection(HasCollectionReq.builder().collectionName(name).build())).isFalse();
        client.createCollection(CreateCollectionReq.builder().collectionName(name).dimension(8).build());
        assertThat(client.hasCollection(HasCollectionReq.builder().collectionName(name).build())).isTrue();
        assertThat(client.listCollections().getCollectionNames()).contains(name);

        List<float[]> vecs = randVecs(3, 300, 8);
        client.insert(InsertReq.builder().collectionName(name).data(rows(0, vecs)).build());
        client.flush(FlushReq.builder().collectionNames(List.of(name)).build());
        long rc = client.getCollectionStats(GetCollectionStatsReq.builder().collectionName(name).build()).getNumOfEntities();
        assertThat(rc).isEqualTo(300);

        client.dropCollection(DropCollectionReq.builder().collectionName(name).build());
        assertThat(client.hasCollection(HasCollectionReq.builder().collectionName(name).build())).isFalse();
        assertThat(client.listCollections().getCollectionNames()).doesNotContain(name);
    }
}
