package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.GetLoadStateReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.collection.request.ReleaseCollectionReq;
import io.milvus.v2.service.partition.request.CreatePartitionReq;
import io.milvus.v2.service.partition.request.DropPartitionReq;
import io.milvus.v2.service.partition.request.HasPartitionReq;
import io.milvus.v2.service.partition.request.ListPartitionsReq;
import io.milvus.v2.service.partition.request.LoadPartitionsReq;
import io.milvus.v2.service.partition.request.ReleasePartitionsReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.GetReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.DeleteResp;
import io.milvus.v2.service.vector.response.GetResp;
import io.milvus.v2.service.vector.response.InsertResp;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import io.milvus.v2.service.vector.response.UpsertResp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Items 3, 4, 7 and 8: partitions, insert/upsert/delete/get, consistency levels, query and count(*). */
class DataConformanceTest extends ConformanceBase {
    static final int DIM = 8;
    static final String[] COLORS = {"red", "green", "blue"};

    /** id INT64 pk, vector, age INT32, color VARCHAR, dynamic field on; FLAT/L2 index; not loaded. */
    static String createPeople(ConsistencyLevel level) {
        String name = uniq("people");
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.setEnableDynamicField(true);
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).autoID(false).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(DIM).build());
        s.addField(AddFieldReq.builder().fieldName("age").dataType(DataType.Int32).build());
        s.addField(AddFieldReq.builder().fieldName("color").dataType(DataType.VarChar).maxLength(16).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(s).consistencyLevel(level)
                .indexParams(List.of(IndexParam.builder().fieldName("vector").indexType(IndexParam.IndexType.FLAT)
                        .metricType(IndexParam.MetricType.L2).build()))
                .build());
        return name;
    }

    /** Row i: age = i % 40, color = COLORS[i % 3], dynamic city = "paris" when i % 5 == 0 else "rome". */
    static List<JsonObject> people(long first, List<float[]> vecs) {
        List<JsonObject> rows = rows(first, vecs);
        for (JsonObject o : rows) {
            long i = o.get("id").getAsLong();
            o.addProperty("age", (int) (i % 40));
            o.addProperty("color", COLORS[(int) (i % 3)]);
            o.addProperty("city", i % 5 == 0 ? "paris" : "rome");
        }
        return rows;
    }

    static void load(String name) {
        client.loadCollection(LoadCollectionReq.builder().collectionName(name).build());
        assertThat(client.getLoadState(GetLoadStateReq.builder().collectionName(name).build())).isTrue();
    }

    static List<SearchResp.SearchResult> search1(String name, float[] q, int k, ConsistencyLevel level, List<String> partitions) {
        SearchReq.SearchReqBuilder<?, ?> b = SearchReq.builder().collectionName(name).data(List.of(new FloatVec(q))).topK(k)
                .outputFields(List.of("age"));
        if (level != null) b.consistencyLevel(level);
        if (partitions != null) b.partitionNames(partitions);
        SearchResp r = client.search(b.build());
        assertThat(r.getSearchResults()).hasSize(1);
        return r.getSearchResults().get(0);
    }

    @Test
    void partitions() {
        String name = createPeople(ConsistencyLevel.STRONG);
        client.createPartition(CreatePartitionReq.builder().collectionName(name).partitionName("p1").build());
        assertThat(client.hasPartition(HasPartitionReq.builder().collectionName(name).partitionName("p1").build())).isTrue();
        assertThat(client.hasPartition(HasPartitionReq.builder().collectionName(name).partitionName("nope").build())).isFalse();
        assertThat(client.listPartitions(ListPartitionsReq.builder().collectionName(name).build())).contains("_default", "p1");

        List<float[]> v1 = randVecs(11, 100, DIM);
        List<float[]> v2 = randVecs(12, 100, DIM);
        assertThat(client.insert(InsertReq.builder().collectionName(name).partitionName("p1").data(people(0, v1)).build())
                .getInsertCnt()).isEqualTo(100);
        client.insert(InsertReq.builder().collectionName(name).data(people(100, v2)).build());
        load(name);

        assertThat(List.of(count(name, "", List.of("p1")), count(name, "", List.of("_default")), count(name, "")))
                .as("count(*) in p1, _default, whole collection").containsExactly(100L, 100L, 200L);
        // a query vector from _default, searched in p1 only, must only return p1 rows (ids < 100)
        List<SearchResp.SearchResult> hits = search1(name, v2.get(0), 10, ConsistencyLevel.STRONG, List.of("p1"));
        assertThat(hits).hasSize(10);
        assertThat(ids(hits)).allMatch(id -> id < 100);
        assertThat(ids(hits)).containsExactlyElementsOf(bruteForce(IndexParam.MetricType.L2, v1, 0, v2.get(0), 10));
        assertThat(ids(search1(name, v2.get(0), 3, ConsistencyLevel.STRONG, List.of("_default")))).first().isEqualTo(100L);
        List<QueryResp.QueryResult> q = client.query(QueryReq.builder().collectionName(name).filter("id in [5, 150]")
                .partitionNames(List.of("p1")).outputFields(List.of("id")).consistencyLevel(ConsistencyLevel.STRONG).build())
                .getQueryResults();
        assertThat(idsOf(q, "id")).containsExactly(5L);

        // partition-level load/release
        client.releaseCollection(ReleaseCollectionReq.builder().collectionName(name).build());
        assertThat(client.getLoadState(GetLoadStateReq.builder().collectionName(name).build())).isFalse();
        client.loadPartitions(LoadPartitionsReq.builder().collectionName(name).partitionNames(List.of("p1")).build());
        assertThat(client.getLoadState(GetLoadStateReq.builder().collectionName(name).partitionName("p1").build())).isTrue();
        assertThat(count(name, "", List.of("p1"))).isEqualTo(100);
        assertThat(ids(search1(name, v1.get(3), 1, ConsistencyLevel.STRONG, List.of("p1")))).containsExactly(3L);

        client.releasePartitions(ReleasePartitionsReq.builder().collectionName(name).partitionNames(List.of("p1")).build());
        assertThat(client.getLoadState(GetLoadStateReq.builder().collectionName(name).partitionName("p1").build())).isFalse();
        client.dropPartition(DropPartitionReq.builder().collectionName(name).partitionName("p1").build());
        assertThat(client.hasPartition(HasPartitionReq.builder().collectionName(name).partitionName("p1").build())).isFalse();
        assertThat(client.listPartitions(ListPartitionsReq.builder().collectionName(name).build())).contains("_default")
                .doesNotContain("p1");
        load(name);
        assertThat(count(name, "")).isEqualTo(100);
    }

    @Test
    void insertDynamicFieldsUpsertDeleteGet() {
        String name = createPeople(ConsistencyLevel.BOUNDED);
        List<float[]> vecs = randVecs(21, 200, DIM);
        InsertResp ins = client.insert(InsertReq.builder().collectionName(name).data(people(0, vecs)).build());
        assertThat(ins.getInsertCnt()).isEqualTo(200);
        assertThat(new ArrayList<Object>(ins.getPrimaryKeys())).containsExactlyElementsOf(LongStream.range(0, 200).boxed().toList());
        load(name);

        // dynamic key stored in $meta, returned as an output field (explicitly and with "*")
        List<QueryResp.QueryResult> dyn = query(name, "id in [0, 1]", List.of("id", "city"));
        assertThat(dyn).hasSize(2);
        for (QueryResp.QueryResult r : dyn) {
            long id = ((Number) r.getEntity().get("id")).longValue();
            assertThat(r.getEntity().get("city")).as("row %s", r.getEntity()).isEqualTo(id == 0 ? "paris" : "rome");
        }
        Map<String, Object> star = query(name, "id == 10", List.of("*")).get(0).getEntity();
        assertThat(star).containsKeys("id", "vector", "age", "color");
        assertThat(star.get("city")).as("dynamic key with * in %s", star.keySet()).isEqualTo("paris");
        assertThat(count(name, "city == \"paris\"")).isEqualTo(40);

        // upsert ids 0..9: new values visible, no duplicates
        List<JsonObject> up = people(0, randVecs(22, 10, DIM));
        for (JsonObject o : up) {
            o.addProperty("color", "purple");
            o.addProperty("age", 99);
        }
        UpsertResp ur = client.upsert(UpsertReq.builder().collectionName(name).data(up).build());
        assertThat(ur.getUpsertCnt()).isEqualTo(10);
        assertThat(count(name, "")).isEqualTo(200);
        List<QueryResp.QueryResult> upd = query(name, "id < 10", List.of("id", "color", "age"));
        assertThat(upd).hasSize(10);
        assertThat(upd).allSatisfy(r -> {
            assertThat(r.getEntity().get("color")).isEqualTo("purple");
            assertThat(((Number) r.getEntity().get("age")).intValue()).isEqualTo(99);
        });
        assertThat(count(name, "color == \"purple\"")).isEqualTo(10);
        // the upserted vector is the one searched for
        assertThat(ids(search1(name, json2vec(up.get(4)), 1, ConsistencyLevel.STRONG, null))).containsExactly(4L);

        // delete by ids: gone from query, count and search
        DeleteResp del = client.delete(DeleteReq.builder().collectionName(name).ids(List.of(20L, 21L, 22L)).build());
        assertThat(del.getDeleteCnt()).isEqualTo(3);
        assertThat(query(name, "id in [20, 21, 22, 23]", List.of("id"))).extracting(r -> ((Number) r.getEntity().get("id")).longValue())
                .containsExactly(23L);
        assertThat(count(name, "")).isEqualTo(197);
        List<SearchResp.SearchResult> hits = search1(name, vecs.get(21), 5, ConsistencyLevel.STRONG, null);
        assertThat(ids(hits)).doesNotContain(20L, 21L, 22L);

        // get by ids (a deleted one is simply absent)
        GetResp g = client.get(GetReq.builder().collectionName(name).ids(List.of(30L, 31L, 21L)).outputFields(List.of("id", "color"))
                .build());
        assertThat(g.getGetResults()).extracting(r -> ((Number) r.getEntity().get("id")).longValue()).containsExactlyInAnyOrder(30L, 31L);
        assertThat(g.getGetResults()).allSatisfy(r -> assertThat(r.getEntity().get("color"))
                .isEqualTo(COLORS[(int) (((Number) r.getEntity().get("id")).longValue() % 3)]));
    }

    static float[] json2vec(JsonObject o) {
        var a = o.getAsJsonArray("vector");
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).getAsFloat();
        return v;
    }

    @Test
    void consistencyLevels() {
        String name = createPeople(ConsistencyLevel.BOUNDED);
        load(name);
        List<float[]> vecs = randVecs(31, 20, DIM);
        // STRONG sees a write immediately
        client.insert(InsertReq.builder().collectionName(name).data(people(0, vecs.subList(0, 10))).build());
        assertThat(ids(search1(name, vecs.get(3), 1, ConsistencyLevel.STRONG, null))).containsExactly(3L);
        assertThat(count(name, "")).isEqualTo(10);
        // SESSION: the SDK sends the insert's timestamp as guarantee_timestamp
        client.insert(InsertReq.builder().collectionName(name).data(people(10, vecs.subList(10, 20))).build());
        assertThat(ids(search1(name, vecs.get(15), 1, ConsistencyLevel.SESSION, null))).containsExactly(15L);
        // BOUNDED / EVENTUALLY and the default level: calls succeed
        assertThat(search1(name, vecs.get(0), 5, ConsistencyLevel.BOUNDED, null)).isNotEmpty();
        assertThat(search1(name, vecs.get(0), 5, ConsistencyLevel.EVENTUALLY, null)).isNotEmpty();
        assertThat(search1(name, vecs.get(0), 5, null, null)).isNotEmpty();
        for (ConsistencyLevel l : List.of(ConsistencyLevel.SESSION, ConsistencyLevel.BOUNDED, ConsistencyLevel.EVENTUALLY)) {
            QueryResp r = client.query(QueryReq.builder().collectionName(name).filter("id >= 0").outputFields(List.of("id"))
                    .consistencyLevel(l).build());
            assertThat(r.getQueryResults()).isNotNull();
        }
        assertThat(client.query(QueryReq.builder().collectionName(name).filter("id >= 0").outputFields(List.of("id")).build())
                .getQueryResults()).isNotNull();
    }

    @Test
    void queryFiltersLimitAndCount() {
        String name = createPeople(ConsistencyLevel.STRONG);
        client.insert(InsertReq.builder().collectionName(name).data(people(0, randVecs(41, 300, DIM))).build());
        load(name);

        assertThat(idsOf(query(name, "id in [3, 7, 250, 999]", List.of("id")), "id")).containsExactly(3L, 7L, 250L);
        List<QueryResp.QueryResult> one = query(name, "id == 42", List.of("age", "color"));
        assertThat(one).hasSize(1);
        assertThat(one.get(0).getEntity()).containsEntry("color", COLORS[0]).containsKey("id");
        assertThat(((Number) one.get(0).getEntity().get("age")).intValue()).isEqualTo(2);
        assertThat(one.get(0).getEntity()).doesNotContainKey("vector");

        QueryResp limited = client.query(QueryReq.builder().collectionName(name).filter("id >= 100").outputFields(List.of("id"))
                .limit(7).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(limited.getQueryResults()).hasSize(7);
        assertThat(idsOf(limited.getQueryResults(), "id")).allMatch(id -> id >= 100);

        assertThat(count(name, "")).isEqualTo(300);
        assertThat(count(name, "id < 50")).isEqualTo(50);
        long expected = LongStream.range(0, 300).filter(i -> i % 40 > 10 && i % 3 == 0).count();
        assertThat(count(name, "age > 10 and color == \"red\"")).isEqualTo(expected);
        List<QueryResp.QueryResult> rows = query(name, "age > 10 and color == \"red\"", List.of("id", "age", "color"));
        assertThat(idsOf(rows, "id")).containsExactlyElementsOf(LongStream.range(0, 300).filter(i -> i % 40 > 10 && i % 3 == 0).boxed().toList());
        assertThat(idsOf(query(name, "(age < 2 or age >= 39) and id not in [0, 1]", List.of("id")), "id"))
                .containsExactlyElementsOf(LongStream.range(2, 300).filter(i -> i % 40 < 2 || i % 40 >= 39).boxed().toList());
        // filter + search
        SearchResp s = client.search(SearchReq.builder().collectionName(name).data(List.of(new FloatVec(randVecs(42, 1, DIM).get(0))))
                .topK(10).filter("color == \"blue\"").outputFields(List.of("color")).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(s.getSearchResults().get(0)).hasSize(10).allSatisfy(h -> assertThat(h.getEntity().get("color")).isEqualTo("blue"));
    }
}
