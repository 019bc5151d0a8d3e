package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.exception.MilvusClientException;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.utility.request.AlterAliasReq;
import io.milvus.v2.service.utility.request.CreateAliasReq;
import io.milvus.v2.service.utility.request.DescribeAliasReq;
import io.milvus.v2.service.utility.request.DropAliasReq;
import io.milvus.v2.service.utility.request.ListAliasesReq;
import io.milvus.v2.service.vector.request.AnnSearchReq;
import io.milvus.v2.service.vector.request.HybridSearchReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryIteratorReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.request.ranker.RRFRanker;
import io.milvus.v2.service.vector.request.ranker.WeightedRanker;
import io.milvus.v2.service.vector.response.SearchResp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Aliases, filtered search, hybrid search and the query iterator through the official SDK. */
class ReadApiTest {
    @TempDir
    static Path tmp;
    static StandaloneProcess server;
    static MilvusClientV2 client;
    static final int N = 600;
    static final int DIM = 16;
    static float[][] v1 = new float[N][DIM];
    static float[][] v2 = new float[N][DIM];

    @BeforeAll
    static void start() throws Exception {
        server = new StandaloneProcess(tmp.resolve("data"));
        server.start();
        client = new MilvusClientV2(ConnectConfig.builder().uri(server.uri()).rpcDeadlineMs(60_000).build());
        CreateCollectionReq.CollectionSchema schema = client.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        schema.addField(AddFieldReq.builder().fieldName("v1").dataType(DataType.FloatVector).dimension(DIM).build());
        schema.addField(AddFieldReq.builder().fieldName("v2").dataType(DataType.FloatVector).dimension(DIM).build());
        schema.addField(AddFieldReq.builder().fieldName("age").dataType(DataType.Int32).build());
        schema.addField(AddFieldReq.builder().fieldName("tag").dataType(DataType.VarChar).maxLength(32).build());
        client.createCollection(CreateCollectionReq.builder().collectionName("read_api").collectionSchema(schema)
                .indexParams(List.of(
                        IndexParam.builder().fieldName("v1").indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.L2).build(),
                        IndexParam.builder().fieldName("v2").indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.IP).build()))
                .build());
        Random r = new Random(7);
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", i);
            JsonArray a = new JsonArray();
            JsonArray b = new JsonArray();
            for (int j = 0; j < DIM; j++) {
                v1[i][j] = r.nextFloat();
                v2[i][j] = r.nextFloat();
                a.add(v1[i][j]);
                b.add(v2[i][j]);
            }
            o.add("v1", a);
            o.add("v2", b);
            o.addProperty("age", i % 100);
            o.addProperty("tag", i % 3 == 0 ? "red" : "blue");
            rows.add(o);
        }
        client.insert(InsertReq.builder().collectionName("read_api").data(rows).build());
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    @Test
    void aliases() {
        client.createAlias(CreateAliasReq.builder().collectionName("read_api").alias("ra").build());
        assertThat(client.describeAlias(DescribeAliasReq.builder().alias("ra").build()).getCollectionName()).isEqualTo("read_api");
        assertThat(client.listAliases(ListAliasesReq.builder().collectionName("read_api").build()).getAlias()).contains("ra");
        assertThat(client.describeCollection(DescribeCollectionReq.builder().collectionName("ra").build()).getCollectionName()).isEqualTo("read_api");
        var q = client.query(QueryReq.builder().collectionName("ra").filter("id in [1, 2]").consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(q.getQueryResults()).hasSize(2);
        assertThatThrownBy(() -> client.alterAlias(AlterAliasReq.builder().collectionName("missing").alias("ra").build()))
                .isInstanceOf(MilvusClientException.class).hasMessageContaining("collection not found");
        client.dropAlias(DropAliasReq.builder().alias("ra").build());
        assertThatThrownBy(() -> client.describeAlias(DescribeAliasReq.builder().alias("ra").build()))
                .isInstanceOf(MilvusClientException.class).hasMessageContaining("alias not found");
    }

    @Test
    void filteredSearchReturnsOnlyMatchingRowsInExactOrder() {
        float[] q = v1[5];
        SearchResp s = client.search(SearchReq.builder().collectionName("read_api").annsField("v1").data(List.of(new FloatVec(q)))
                .topK(10).filter("age > 50 and tag == \"red\"").outputFields(List.of("age", "tag"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        List<SearchResp.SearchResult> hits = s.getSearchResults().get(0);
        assertThat(hits).hasSize(10);
        List<Long> expected = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            if (i % 100 > 50 && i % 3 == 0) order.add(i);
        }
        order.sort((a, b) -> Float.compare(l2(v1[a], q), l2(v1[b], q)));
        for (int i = 0; i < 10; i++) expected.add((long) order.get(i));
        assertThat(hits.stream().map(h -> (Long) h.getId()).toList()).isEqualTo(expected);
        for (SearchResp.SearchResult h : hits) {
            assertThat((Integer) h.getEntity().get("age")).isGreaterThan(50);
            assertThat(h.getEntity().get("tag")).isEqualTo("red");
        }
    }

    @Test
    void partitionKeyRoutesInsertsAndPrunesSearches() {
        CreateCollectionReq.CollectionSchema schema = client.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        schema.addField(AddFieldReq.builder().fieldName("v").dataType(DataType.FloatVector).dimension(4).build());
        schema.addField(AddFieldReq.builder().fieldName("tenant").dataType(DataType.VarChar).maxLength(16).isPartitionKey(true).build());
        client.createCollection(CreateCollectionReq.builder().collectionName("tenants").collectionSchema(schema).numPartitions(8)
                .indexParams(List.of(IndexParam.builder().fieldName("v").indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.L2).build()))
                .build());
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", i);
            JsonArray a = new JsonArray();
            for (int j = 0; j < 4; j++) a.add(i + j);
            o.add("v", a);
            o.addProperty("tenant", "t" + (i % 10));
            rows.add(o);
        }
        client.insert(InsertReq.builder().collectionName("tenants").data(rows).build());
        SearchResp s = client.search(SearchReq.builder().collectionName("tenants").data(List.of(new FloatVec(new float[] {0, 1, 2, 3})))
                .topK(50).filter("tenant == \"t3\"").outputFields(List.of("tenant")).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(s.getSearchResults().get(0)).hasSize(20).allMatch(h -> "t3".equals(h.getEntity().get("tenant")));
        var counted = client.query(QueryReq.builder().collectionName("tenants").filter("tenant in [\"t1\", \"t2\"]")
                .outputFields(List.of("count(*)")).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(counted.getQueryResults().get(0).getEntity().get("count(*)")).isEqualTo(40L);
    }

    @Test
    void searchIteratorPagesThroughNearestNeighboursInOrder() {
        // the SDK's iterator reads with the collection's default level (Bounded): make the rows old enough first
        client.query(QueryReq.builder().collectionName("read_api").filter("").outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        var it = client.searchIterator(io.milvus.v2.service.vector.request.SearchIteratorReq.builder().collectionName("read_api")
                .vectorFieldName("v1").vectors(List.of(new FloatVec(v1[0]))).metricType(IndexParam.MetricType.L2)
                .batchSize(50).topK(200).params("{}").consistencyLevel(ConsistencyLevel.STRONG).build());
        List<Long> ids = new ArrayList<>();
        while (true) {
            var page = it.next();
            if (page.isEmpty()) break;
            page.forEach(r -> ids.add((Long) r.get("id")));
        }
        it.close();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < N; i++) order.add(i);
        order.sort((x, y) -> Float.compare(l2(v1[x], v1[0]), l2(v1[y], v1[0])));
        assertThat(ids).hasSize(200).doesNotHaveDuplicates();
        // exact (FLAT) pages: the first 200 neighbours, in distance order
        assertThat(ids).isEqualTo(order.subList(0, 200).stream().map(Integer::longValue).toList());
    }

    @Test
    void scalarIndexesAreAcceptedDescribedAndGiveTheSameRows() throws Exception {
        client.createIndex(io.milvus.v2.service.index.request.CreateIndexReq.builder().collectionName("read_api").indexParams(List.of(
                IndexParam.builder().fieldName("age").indexType(IndexParam.IndexType.STL_SORT).build(),
                IndexParam.builder().fieldName("tag").indexType(IndexParam.IndexType.INVERTED).build())).build());
        var d = client.describeIndex(io.milvus.v2.service.index.request.DescribeIndexReq.builder().collectionName("read_api")
                .fieldName("age").build());
        assertThat(d.getIndexDescByFieldName("age").getIndexType()).isEqualTo(IndexParam.IndexType.STL_SORT);
        assertThatThrownBy(() -> client.createIndex(io.milvus.v2.service.index.request.CreateIndexReq.builder().collectionName("read_api")
                .indexParams(List.of(IndexParam.builder().fieldName("tag").indexType(IndexParam.IndexType.STL_SORT).build())).build()))
                .isInstanceOf(MilvusClientException.class);
        client.flush(io.milvus.v2.service.utility.request.FlushReq.builder().collectionNames(List.of("read_api")).build());
        Thread.sleep(1500); // let the sealed segments replace the growing ones
        for (String filter : List.of("age > 50 and tag == \"red\"", "age in [1, 2, 3]", "20 <= age < 25", "tag like \"bl%\"")) {
            var rows = client.query(QueryReq.builder().collectionName("read_api").filter(filter).outputFields(List.of("age", "tag"))
                    .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults();
            long expected = java.util.stream.IntStream.range(0, N).filter(i -> matches(filter, i)).count();
            assertThat(rows).as(filter).hasSize((int) expected);
        }
    }

    private static boolean matches(String filter, int i) {
        int age = i % 100;
        String tag = i % 3 == 0 ? "red" : "blue";
        return switch (filter) {
            case "age > 50 and tag == \"red\"" -> age > 50 && tag.equals("red");
            case "age in [1, 2, 3]" -> age >= 1 && age <= 3;
            case "20 <= age < 25" -> age >= 20 && age < 25;
            default -> tag.startsWith("bl");
        };
    }

    @Test
    void searchIteratorV2PagesThroughNearestNeighboursInOrder() {
        client.query(QueryReq.builder().collectionName("read_api").filter("").outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        var it = client.searchIteratorV2(io.milvus.v2.service.vector.request.SearchIteratorReqV2.builder().collectionName("read_api")
                .vectorFieldName("v1").vectors(List.of(new FloatVec(v1[1]))).metricType(IndexParam.MetricType.L2)
                .batchSize(40).topK(120).consistencyLevel(ConsistencyLevel.STRONG).build());
        List<Long> ids = new ArrayList<>();
        while (true) {
            var page = it.next();
            if (page.isEmpty()) break;
            page.forEach(r -> ids.add((Long) r.getId()));
        }
        it.close();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < N; i++) order.add(i);
        order.sort((x, y) -> Float.compare(l2(v1[x], v1[1]), l2(v1[y], v1[1])));
        assertThat(ids).isEqualTo(order.subList(0, 120).stream().map(Integer::longValue).toList());
    }

    @Test
    void groupingSearch() {
        SearchResp s = client.search(SearchReq.builder().collectionName("read_api").annsField("v1").data(List.of(new FloatVec(v1[3])))
                .topK(2).groupByFieldName("tag").groupSize(3).strictGroupSize(true).outputFields(List.of("tag"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        List<SearchResp.SearchResult> hits = s.getSearchResults().get(0);
        assertThat(hits).hasSize(6); // two groups (red, blue) of three
        assertThat(hits.get(0).getId()).isEqualTo(3L);
        assertThat(hits.stream().filter(h -> "red".equals(h.getEntity().get("tag"))).count()).isEqualTo(3);
        assertThat(hits.stream().filter(h -> "blue".equals(h.getEntity().get("tag"))).count()).isEqualTo(3);
    }

    @Test
    void hybridSearchRrfAndWeighted() {
        AnnSearchReq a = AnnSearchReq.builder().vectorFieldName("v1").vectors(List.of(new FloatVec(v1[9]))).topK(20).build();
        AnnSearchReq b = AnnSearchReq.builder().vectorFieldName("v2").vectors(List.of(new FloatVec(v2[9]))).topK(20).build();
        SearchResp rrf = client.hybridSearch(HybridSearchReq.builder().collectionName("read_api").searchRequests(List.of(a, b))
                .ranker(new RRFRanker(60)).topK(5).outFields(List.of("tag")).consistencyLevel(ConsistencyLevel.STRONG).build());
        List<SearchResp.SearchResult> hits = rrf.getSearchResults().get(0);
        assertThat(hits).hasSize(5);
        assertThat(hits.get(0).getId()).isEqualTo(9L); // first in the L2 list; the IP list ranks it high too
        assertThat(hits.get(0).getScore()).isGreaterThan(hits.get(4).getScore());
        assertThat(hits.get(0).getEntity().get("tag")).isEqualTo("red"); // 9 % 3 == 0
        SearchResp w = client.hybridSearch(HybridSearchReq.builder().collectionName("read_api").searchRequests(List.of(a, b))
                .ranker(new WeightedRanker(List.of(1.0f, 0.0f))).topK(5).consistencyLevel(ConsistencyLevel.STRONG).build());
        // with all weight on the L2 sub-search the order is the L2 order
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < N; i++) order.add(i);
        order.sort((x, y) -> Float.compare(l2(v1[x], v1[9]), l2(v1[y], v1[9])));
        assertThat(w.getSearchResults().get(0).stream().map(h -> (Long) h.getId()).toList())
                .isEqualTo(order.subList(0, 5).stream().map(Integer::longValue).toList());
    }

    @Test
    void queryIteratorVisitsEveryMatchingRowOnceInPkOrder() {
        var it = client.queryIterator(QueryIteratorReq.builder().collectionName("read_api").expr("age < 30")
                .outputFields(List.of("age")).batchSize(37).consistencyLevel(ConsistencyLevel.STRONG).build());
        Set<Long> seen = new HashSet<>();
        long last = -1;
        while (true) {
            var page = it.next();
            if (page.isEmpty()) break;
            for (var row : page) {
                long id = (Long) row.get("id");
                assertThat(id).isGreaterThan(last);
                last = id;
                assertThat(seen.add(id)).isTrue();
            }
        }
        it.close();
        long expected = java.util.stream.IntStream.range(0, N).filter(i -> i % 100 < 30).count();
        assertThat(seen).hasSize((int) expected);
    }

    private static float l2(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            float d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
