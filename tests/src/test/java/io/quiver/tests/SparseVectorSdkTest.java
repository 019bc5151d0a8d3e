package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexBuildState;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.collection.request.ReleaseCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.index.request.DescribeIndexReq;
import io.milvus.v2.service.index.request.DropIndexReq;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.GetReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.BaseVector;
import io.milvus.v2.service.vector.request.data.SparseFloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import io.quiver.index.SparseVectors;
import io.quiver.index.bench.SparseData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPARSE_FLOAT_VECTOR end to end through the official Java SDK v2: a sparse-only collection (as Milvus 2.5 allows),
 * rows inserted as JSON objects {index: value} (empty rows included), flushed and indexed (sealed) plus rows that stay
 * growing, every index type and {@code inverted_index_algo}: top-k must equal an exact inner-product search computed
 * here, with and without a filter; range search, group-by, get/query of the vectors, upsert, delete, and the errors.
 */
class SparseVectorSdkTest extends ConformanceBase {
    static final int SEALED = 2_500;
    static final int GROWING = 400;
    static final int VOCAB = 3_000;
    static final int K = 10;
    static final String COLL = "sparse_only";

    static final List<SortedMap<Long, Float>> DATA = new ArrayList<>();
    static final List<SortedMap<Long, Float>> QUERIES = new ArrayList<>();

    static List<SortedMap<Long, Float>> maps(SparseVectors v) {
        List<SortedMap<Long, Float>> out = new ArrayList<>();
        for (int r = 0; r < v.rows(); r++) {
            SortedMap<Long, Float> m = new TreeMap<>();
            for (int i = v.start(r); i < v.start(r + 1); i++) {
                m.put(Integer.toUnsignedLong(v.indices()[i]), v.values()[i]);
            }
            out.add(m);
        }
        return out;
    }

    static JsonObject json(SortedMap<Long, Float> v) {
        JsonObject o = new JsonObject();
        v.forEach((k, x) -> o.addProperty(String.valueOf(k), x));
        return o;
    }

    static List<JsonObject> rows(int from, int to) {
        List<JsonObject> rows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", (long) i);
            o.add("sparse", json(DATA.get(i)));
            o.addProperty("grp", (long) (i % 7));
            rows.add(o);
        }
        return rows;
    }

    @BeforeAll
    static void load() {
        DATA.addAll(maps(SparseData.generate(SEALED + GROWING, VOCAB, 30, 42)));
        DATA.set(3, new TreeMap<>()); // empty rows are allowed, match nothing
        DATA.set(SEALED + 3, new TreeMap<>());
        DATA.get(10).put(0xFFFF_FFFEL, 0.5f); // the largest index Milvus takes
        QUERIES.addAll(maps(SparseData.generate(5, VOCAB, 8, 43)));
        QUERIES.get(0).put(0xFFFF_FFFEL, 2f);
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("sparse").dataType(DataType.SparseFloatVector).build());
        s.addField(AddFieldReq.builder().fieldName("grp").dataType(DataType.Int64).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(COLL).collectionSchema(s)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        for (int off = 0; off < SEALED; off += 1000) {
            client.insert(InsertReq.builder().collectionName(COLL).data(rows(off, Math.min(SEALED, off + 1000))).build());
        }
        client.flush(FlushReq.builder().collectionNames(List.of(COLL)).build());
        index("SPARSE_INVERTED_INDEX", Map.of());
        client.loadCollection(LoadCollectionReq.builder().collectionName(COLL).build());
        awaitLoaded(COLL);
        client.insert(InsertReq.builder().collectionName(COLL).data(rows(SEALED, SEALED + GROWING)).build());
    }

    static void index(String type, Map<String, Object> params) {
        client.createIndex(CreateIndexReq.builder().collectionName(COLL).indexParams(List.of(IndexParam.builder().fieldName("sparse")
                .indexName("sidx").indexType(IndexParam.IndexType.valueOf(type)).metricType(IndexParam.MetricType.IP)
                .extraParams(new HashMap<>(params)).build())).build());
        DescribeIndexResp.IndexDesc d = client.describeIndex(DescribeIndexReq.builder().collectionName(COLL).indexName("sidx").build())
                .getIndexDescByIndexName("sidx");
        assertThat(d.getIndexState()).as("%s", d).isEqualTo(IndexBuildState.Finished);
        assertThat(d.getIndexedRows()).isEqualTo(SEALED);
        assertThat(d.getMetricType()).isEqualTo(IndexParam.MetricType.IP);
    }

    /** Inner product added in ascending index order, the order Quiver's kernels use. */
    static float dot(SortedMap<Long, Float> q, SortedMap<Long, Float> row) {
        float s = 0f;
        for (Map.Entry<Long, Float> e : row.entrySet()) {
            Float w = q.get(e.getKey());
            if (w != null) s += w * e.getValue();
        }
        return s;
    }

    /** The exact top-k among live rows the predicate keeps: positive scores only, ties by smaller id. */
    static List<Long> exact(SortedMap<Long, Float> q, LongPredicate keep, int k) {
        return Stream.iterate(0L, i -> i < DATA.size(), i -> i + 1).filter(keep::test)
                .filter(i -> dot(q, DATA.get(i.intValue())) > 0)
                .sorted(Comparator.<Long>comparingDouble(i -> -dot(q, DATA.get(i.intValue()))).thenComparing(i -> i))
                .limit(k).toList();
    }

    static List<List<SearchResp.SearchResult>> search(String filter, Map<String, Object> params, int k) {
        List<BaseVector> qs = QUERIES.stream().<BaseVector>map(SparseFloatVec::new).toList();
        return client.search(SearchReq.builder().collectionName(COLL).annsField("sparse").data(qs).topK(k).filter(filter)
                .searchParams(new HashMap<>(params)).outputFields(List.of("grp")).consistencyLevel(ConsistencyLevel.STRONG).build())
                .getSearchResults();
    }

    static void assertExact(List<List<SearchResp.SearchResult>> got, LongPredicate keep, int k) {
        for (int q = 0; q < QUERIES.size(); q++) {
            List<Long> truth = exact(QUERIES.get(q), keep, k);
            assertThat(ids(got.get(q))).as("query %d", q).isEqualTo(truth);
            for (SearchResp.SearchResult h : got.get(q)) {
                long id = ((Number) h.getId()).longValue();
                assertThat(h.getScore()).isCloseTo(dot(QUERIES.get(q), DATA.get((int) id)), within(1e-5f));
                assertThat(((Number) h.getEntity().get("grp")).longValue()).isEqualTo(id % 7);
            }
        }
    }

    static Stream<Object[]> indexes() {
        return Stream.of(new Object[] {"SPARSE_INVERTED_INDEX", Map.of("inverted_index_algo", "TAAT_NAIVE")},
                new Object[] {"SPARSE_INVERTED_INDEX", Map.of("inverted_index_algo", "DAAT_WAND")},
                new Object[] {"SPARSE_INVERTED_INDEX", Map.of("inverted_index_algo", "DAAT_MAXSCORE")},
                new Object[] {"SPARSE_WAND", Map.of()});
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("indexes")
    synchronized void topKOverSealedAndGrowingRowsEqualsExactSearch(String type, Map<String, Object> params) {
        client.releaseCollection(ReleaseCollectionReq.builder().collectionName(COLL).build());
        client.dropIndex(DropIndexReq.builder().collectionName(COLL).indexName("sidx").build());
        index(type, params);
        client.loadCollection(LoadCollectionReq.builder().collectionName(COLL).build());
        awaitLoaded(COLL);
        assertExact(search("", Map.of(), K), i -> true, K);
        assertExact(search("grp in [1, 4]", Map.of("drop_ratio_search", "0"), K), i -> i % 7 == 1 || i % 7 == 4, K);
        assertExact(search("id >= 2400", Map.of(), 50), i -> i >= 2400, 50);
    }

    @Test
    void rangeSearchKeepsScoresBetweenRadiusAndRangeFilter() {
        float radius = 1.0f;
        float rangeFilter = 3.0f;
        List<List<SearchResp.SearchResult>> got = search("", Map.of("radius", radius, "range_filter", rangeFilter), 1000);
        for (int q = 0; q < QUERIES.size(); q++) {
            SortedMap<Long, Float> qv = QUERIES.get(q);
            Set<Long> truth = new HashSet<>();
            for (long i = 0; i < DATA.size(); i++) {
                float s = dot(qv, DATA.get((int) i));
                if (s > radius && s <= rangeFilter) truth.add(i);
            }
            assertThat(new HashSet<>(ids(got.get(q)))).as("query %d", q).isEqualTo(truth);
        }
    }

    @Test
    void groupByKeepsTheBestRowOfEachGroup() {
        List<BaseVector> qs = List.of(new SparseFloatVec(QUERIES.get(1)));
        List<SearchResp.SearchResult> hits = client.search(SearchReq.builder().collectionName(COLL).annsField("sparse").data(qs).topK(3)
                .groupByFieldName("grp").outputFields(List.of("grp")).consistencyLevel(ConsistencyLevel.STRONG).build())
                .getSearchResults().get(0);
        List<Long> best = exact(QUERIES.get(1), i -> true, DATA.size());
        List<Long> expected = new ArrayList<>();
        Set<Long> groups = new HashSet<>();
        for (long id : best) {
            if (groups.add(id % 7) && expected.size() < 3) expected.add(id);
        }
        assertThat(ids(hits)).isEqualTo(expected);
    }

    @Test
    void getAndQueryReturnTheVectorsAsInserted() {
        List<Object> ids = List.of(0L, 3L, 10L, (long) SEALED + 3, (long) SEALED + 7);
        List<QueryResp.QueryResult> got = client.get(GetReq.builder().collectionName(COLL).ids(ids).outputFields(List.of("sparse")).build())
                .getGetResults();
        assertThat(got).hasSize(ids.size());
        for (QueryResp.QueryResult r : got) {
            long id = ((Number) r.getEntity().get("id")).longValue();
            assertThat(r.getEntity().get("sparse")).as("row %d", id).isEqualTo(DATA.get((int) id));
        }
        List<QueryResp.QueryResult> q = query(COLL, "id in [11, " + (SEALED + 11) + "]", List.of("sparse", "grp"));
        assertThat(q).extracting(r -> r.getEntity().get("sparse")).containsExactlyInAnyOrder(DATA.get(11), DATA.get(SEALED + 11));
    }

    @Test
    void upsertAndDeleteReachSparseSearch() {
        SortedMap<Long, Float> unique = new TreeMap<>(Map.of(4_000_000_000L, 10f));
        JsonObject row = new JsonObject();
        row.addProperty("id", 5L);
        row.add("sparse", json(unique));
        row.addProperty("grp", 5L);
        client.upsert(UpsertReq.builder().collectionName(COLL).data(List.of(row)).build());
        SearchReq req = SearchReq.builder().collectionName(COLL).annsField("sparse").topK(3)
                .data(List.of(new SparseFloatVec(new TreeMap<>(Map.of(4_000_000_000L, 1f))))).consistencyLevel(ConsistencyLevel.STRONG).build();
        List<SearchResp.SearchResult> hits = client.search(req).getSearchResults().get(0);
        assertThat(ids(hits)).containsExactly(5L);
        assertThat(hits.get(0).getScore()).isEqualTo(10f);
        client.delete(DeleteReq.builder().collectionName(COLL).ids(List.of(5L)).build());
        assertThat(client.search(req).getSearchResults().get(0)).isEmpty();
        DATA.set(5, unique); // the row is gone from exact answers of other tests too
    }

    @Test
    void badVectorsAndIndexesGetClearErrors() {
        JsonObject bad = new JsonObject();
        bad.addProperty("id", 99_999L);
        JsonObject v = new JsonObject();
        v.addProperty("7", -1.5f);
        bad.add("sparse", v);
        bad.addProperty("grp", 1L);
        assertThat(serverError(() -> client.insert(InsertReq.builder().collectionName(COLL).data(List.of(bad)).build())).getMessage())
                .contains("negative value in sparse float vector");
        // NaN and infinity never reach the server from this SDK (it refuses them itself); the proxy's check is unit-tested
        assertThat(serverError(() -> client.search(SearchReq.builder().collectionName(COLL).annsField("sparse").topK(3)
                .data(List.of(new SparseFloatVec(QUERIES.get(0)))).searchParams(Map.of("drop_ratio_search", 1.5)).build())).getMessage())
                .contains("invalid drop_ratio_search: 1.5, must be in range [0, 1)");
        assertThat(serverError(() -> client.search(SearchReq.builder().collectionName(COLL).annsField("sparse").topK(3)
                .data(List.of(new SparseFloatVec(QUERIES.get(0)))).metricType(IndexParam.MetricType.L2).build())).getMessage())
                .contains("L2");
        String other = uniq("sparse_err");
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("sparse").dataType(DataType.SparseFloatVector).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(other).collectionSchema(s).build());
        assertThat(serverError(() -> client.createIndex(CreateIndexReq.builder().collectionName(other).indexParams(List.of(IndexParam.builder()
                .fieldName("sparse").indexType(IndexParam.IndexType.SPARSE_INVERTED_INDEX).metricType(IndexParam.MetricType.L2).build()))
                .build())).getMessage()).contains("metric type not found or not supported, supported: [IP BM25]");
        assertThat(serverError(() -> client.createIndex(CreateIndexReq.builder().collectionName(other).indexParams(List.of(IndexParam.builder()
                .fieldName("sparse").indexType(IndexParam.IndexType.HNSW).metricType(IndexParam.MetricType.IP).build()))
                .build())).getMessage()).contains("can't build with index type HNSW");
        assertThat(serverError(() -> client.createIndex(CreateIndexReq.builder().collectionName(other).indexParams(List.of(IndexParam.builder()
                .fieldName("sparse").indexType(IndexParam.IndexType.SPARSE_INVERTED_INDEX).metricType(IndexParam.MetricType.IP)
                .extraParams(Map.of("inverted_index_algo", "BLOCK_MAX")).build())).build())).getMessage())
                .contains("sparse inverted index algo BLOCK_MAX not found or not supported");
        // AUTOINDEX on a sparse field is SPARSE_INVERTED_INDEX with IP, as in Milvus
        client.createIndex(CreateIndexReq.builder().collectionName(other).indexParams(List.of(IndexParam.builder().fieldName("sparse")
                .indexType(IndexParam.IndexType.AUTOINDEX).build())).build());
        DescribeIndexResp.IndexDesc d = client.describeIndex(DescribeIndexReq.builder().collectionName(other).fieldName("sparse").build())
                .getIndexDescByFieldName("sparse");
        assertThat(d.getIndexType()).isEqualTo(IndexParam.IndexType.SPARSE_INVERTED_INDEX);
        assertThat(d.getMetricType()).isEqualTo(IndexParam.MetricType.IP);
    }
}
