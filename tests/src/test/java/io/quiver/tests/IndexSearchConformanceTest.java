package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexBuildState;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.common.IndexParam.IndexType;
import io.milvus.v2.common.IndexParam.MetricType;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.GetLoadStateReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.collection.request.ReleaseCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.index.request.DescribeIndexReq;
import io.milvus.v2.service.index.request.DropIndexReq;
import io.milvus.v2.service.index.request.ListIndexesReq;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.BaseVector;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Items 5 and 6: flush, every index type with L2/IP/COSINE, describe/list/drop index, load state, search and recall. */
class IndexSearchConformanceTest extends ConformanceBase {
    static final int DIM = 32;
    static final int N = 2_000;
    static final int NQ = 5;
    static final int K = 10;

    static String createCollection() {
        String name = uniq("ann");
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(DIM).build());
        s.addField(AddFieldReq.builder().fieldName("tag").dataType(DataType.VarChar).maxLength(8).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(s)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        return name;
    }

    static void insert(String name, long first, List<float[]> vecs) {
        for (int off = 0; off < vecs.size(); off += 1000) {
            List<JsonObject> rows = rows(first + off, vecs.subList(off, Math.min(vecs.size(), off + 1000)));
            rows.forEach(o -> o.addProperty("tag", "t" + o.get("id").getAsLong() % 10));
            assertThat(client.insert(InsertReq.builder().collectionName(name).data(rows).build()).getInsertCnt()).isEqualTo(rows.size());
        }
    }

    static List<BaseVector> fv(List<float[]> qs) {
        return qs.stream().<BaseVector>map(FloatVec::new).toList();
    }

    static double recall(List<List<SearchResp.SearchResult>> got, List<List<Long>> truth) {
        int hit = 0, total = 0;
        for (int i = 0; i < truth.size(); i++) {
            Set<Long> t = new HashSet<>(truth.get(i));
            hit += (int) ids(got.get(i)).stream().filter(t::contains).count();
            total += truth.get(i).size();
        }
        return (double) hit / total;
    }

    static Stream<Arguments> indexes() {
        return Stream.of(
                Arguments.of(IndexType.FLAT, MetricType.L2, Map.of(), Map.of(), 1.0),
                Arguments.of(IndexType.FLAT, MetricType.IP, Map.of(), Map.of(), 1.0),
                Arguments.of(IndexType.FLAT, MetricType.COSINE, Map.of(), Map.of(), 1.0),
                // nprobe == nlist scans every list: exact
                Arguments.of(IndexType.IVF_FLAT, MetricType.IP, Map.of("nlist", 16), Map.of("nprobe", 16), 1.0),
                Arguments.of(IndexType.IVF_FLAT, MetricType.L2, Map.of("nlist", 32), Map.of("nprobe", 16), 0.8),
                Arguments.of(IndexType.IVF_SQ8, MetricType.COSINE, Map.of("nlist", 16), Map.of("nprobe", 16), 0.85),
                Arguments.of(IndexType.IVF_PQ, MetricType.L2, Map.of("nlist", 16, "m", 8, "nbits", 8), Map.of("nprobe", 16), 0.5),
                Arguments.of(IndexType.HNSW, MetricType.COSINE, Map.of("M", 16, "efConstruction", 200), Map.of("ef", 64), 0.9),
                Arguments.of(IndexType.HNSW, MetricType.L2, Map.of("M", 16, "efConstruction", 200), Map.of("ef", 64), 0.9),
                Arguments.of(IndexType.HNSW, MetricType.IP, Map.of("M", 16, "efConstruction", 200), Map.of("ef", 64), 0.9),
                // AUTOINDEX (HNSW underneath, as in Milvus) as quick setup creates it; searched with ef (and without, below)
                Arguments.of(IndexType.AUTOINDEX, MetricType.COSINE, Map.of(), Map.of("ef", 64), 0.9),
                Arguments.of(IndexType.AUTOINDEX, MetricType.L2, Map.of(), Map.of("ef", 64), 0.9));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("indexes")
    void indexFlushLoadSearch(IndexType type, MetricType metric, Map<String, Object> buildParams, Map<String, Object> searchParams,
            double minRecall) {
        String name = createCollection();
        List<float[]> data = randVecs(type.ordinal() * 31L + metric.ordinal(), N, DIM);
        insert(name, 0, data);
        client.flush(FlushReq.builder().collectionNames(List.of(name)).build());

        String idx = "vidx";
        client.createIndex(CreateIndexReq.builder().collectionName(name).indexParams(List.of(IndexParam.builder().fieldName("vector")
                .indexName(idx).indexType(type).metricType(metric).extraParams(new java.util.HashMap<>(buildParams)).build())).build());
        DescribeIndexResp di = client.describeIndex(DescribeIndexReq.builder().collectionName(name).fieldName("vector").indexName(idx)
                .build());
        DescribeIndexResp.IndexDesc desc = di.getIndexDescByIndexName(idx);
        assertThat(desc).as("describeIndex %s", di).isNotNull();
        assertThat(desc.getFieldName()).isEqualTo("vector");
        assertThat(desc.getIndexType()).isEqualTo(type);
        assertThat(desc.getMetricType()).isEqualTo(metric);
        buildParams.forEach((k, v) -> assertThat(desc.getExtraParams()).as("index params of %s", desc).containsEntry(k, v.toString()));
        assertThat(desc.getIndexState()).isEqualTo(IndexBuildState.Finished);
        assertThat(desc.getIndexedRows()).as("indexed_rows of %s", desc).isEqualTo(N);
        assertThat(desc.getTotalRows()).isEqualTo(N);
        assertThat(desc.getPendingIndexRows()).isZero();
        assertThat(client.listIndexes(ListIndexesReq.builder().collectionName(name).build())).containsExactly(idx);

        assertThat(client.getLoadState(GetLoadStateReq.builder().collectionName(name).build())).isFalse();
        client.loadCollection(LoadCollectionReq.builder().collectionName(name).build());
        assertThat(client.getLoadState(GetLoadStateReq.builder().collectionName(name).build())).isTrue();

        // sealed + indexed data: NQ queries at once
        List<float[]> qs = randVecs(999, NQ, DIM);
        SearchResp r = client.search(SearchReq.builder().collectionName(name).data(fv(qs)).topK(K).annsField("vector")
                .searchParams(new java.util.HashMap<>(searchParams)).outputFields(List.of("tag"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(r.getSearchResults()).hasSize(NQ);
        List<List<Long>> truth = qs.stream().map(q -> bruteForce(metric, data, 0, q, K)).toList();
        for (List<SearchResp.SearchResult> hits : r.getSearchResults()) {
            assertThat(hits).hasSize(K);
            assertOrdered(metric, hits);
            assertThat(hits).allSatisfy(h -> assertThat(h.getEntity().get("tag")).isEqualTo("t" + ((Number) h.getId()).longValue() % 10));
        }
        double rc = recall(r.getSearchResults(), truth);
        System.out.printf("recall %s/%s sealed: %.3f%n", type, metric, rc);
        assertThat(rc).as("recall@%d of %s/%s on sealed data", K, type, metric).isGreaterThanOrEqualTo(minRecall);
        if (!searchParams.isEmpty()) {
            // without search parameters the index defaults apply: a full, ordered result
            SearchResp plain = client.search(SearchReq.builder().collectionName(name).data(fv(qs)).topK(K)
                    .consistencyLevel(ConsistencyLevel.STRONG).build());
            assertThat(plain.getSearchResults()).hasSize(NQ).allSatisfy(h -> {
                assertThat(h).hasSize(K);
                assertOrdered(metric, h);
            });
            System.out.printf("recall %s/%s sealed, default search params: %.3f%n", type, metric, recall(plain.getSearchResults(), truth));
        }
        if (minRecall == 1.0) {
            // exact index: scores are the brute-force ones too
            for (int qi = 0; qi < NQ; qi++) {
                SearchResp.SearchResult top = r.getSearchResults().get(qi).get(0);
                assertThat((double) top.getScore()).isCloseTo(score(metric, data.get((int) (long) truth.get(qi).get(0)), qs.get(qi)),
                        within(1e-3));
            }
        }

        // growing data (inserted after load, not flushed) is searched together with the sealed segments
        List<float[]> growing = randVecs(4242 + type.ordinal(), 300, DIM);
        insert(name, N, growing);
        List<float[]> all = new ArrayList<>(data);
        all.addAll(growing);
        SearchResp g = client.search(SearchReq.builder().collectionName(name).data(fv(qs)).topK(K)
                .searchParams(new java.util.HashMap<>(searchParams)).consistencyLevel(ConsistencyLevel.STRONG).build());
        List<List<Long>> truthAll = qs.stream().map(q -> bruteForce(metric, all, 0, q, K)).toList();
        double rg = recall(g.getSearchResults(), truthAll);
        assertThat(rg).as("recall@%d of %s/%s over sealed + growing", K, type, metric).isGreaterThanOrEqualTo(minRecall);
        if (metric != MetricType.IP) {
            // a growing vector finds itself
            SearchResp self = client.search(SearchReq.builder().collectionName(name).data(List.of(new FloatVec(growing.get(7))))
                    .topK(1).searchParams(new java.util.HashMap<>(searchParams)).consistencyLevel(ConsistencyLevel.STRONG).build());
            assertThat(ids(self.getSearchResults().get(0))).containsExactly((long) N + 7);
        }

        client.releaseCollection(ReleaseCollectionReq.builder().collectionName(name).build());
        assertThat(client.getLoadState(GetLoadStateReq.builder().collectionName(name).build())).isFalse();
        client.dropIndex(DropIndexReq.builder().collectionName(name).fieldName("vector").indexName(idx).build());
        assertThat(client.listIndexes(ListIndexesReq.builder().collectionName(name).build())).isEmpty();
    }

    @Test
    void growingOnlyOutputFieldsOffsetAndMultiQuery() {
        String name = createCollection();
        client.createIndex(CreateIndexReq.builder().collectionName(name).indexParams(List.of(IndexParam.builder().fieldName("vector")
                .indexType(IndexType.HNSW).metricType(MetricType.L2).extraParams(Map.of("M", 8, "efConstruction", 64)).build())).build());
        client.loadCollection(LoadCollectionReq.builder().collectionName(name).build());
        List<float[]> data = randVecs(77, 500, DIM);
        insert(name, 0, data); // growing only, never flushed
        List<float[]> qs = randVecs(78, 3, DIM);

        SearchResp r = client.search(SearchReq.builder().collectionName(name).data(fv(qs)).topK(K).outputFields(List.of("*"))
                .searchParams(Map.of("ef", 64)).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(r.getSearchResults()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            List<SearchResp.SearchResult> hits = r.getSearchResults().get(i);
            assertThat(ids(hits)).as("growing data is searched exactly").containsExactlyElementsOf(bruteForce(MetricType.L2, data, 0,
                    qs.get(i), K));
            assertOrdered(MetricType.L2, hits);
            Map<String, Object> e = hits.get(0).getEntity();
            assertThat(e).as("output fields * of %s", e).containsKeys("tag", "vector");
            assertThat((List<?>) e.get("vector")).hasSize(DIM);
        }
        // offset: ranks K/2 .. K-1
        SearchResp off = client.search(SearchReq.builder().collectionName(name).data(fv(qs.subList(0, 1))).topK(K / 2).offset(K / 2)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(ids(off.getSearchResults().get(0))).containsExactlyElementsOf(bruteForce(MetricType.L2, data, 0, qs.get(0), K)
                .subList(K / 2, K));
        // topK larger than the row count returns every row
        SearchResp big = client.search(SearchReq.builder().collectionName(name).data(fv(qs.subList(0, 1))).topK(1000)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(big.getSearchResults().get(0)).hasSize(500);
        assertOrdered(MetricType.L2, big.getSearchResults().get(0));

        // flush turns the growing data into sealed (indexed) segments: still all there
        client.flush(FlushReq.builder().collectionNames(List.of(name)).build());
        assertThat(count(name, "")).isEqualTo(500);
        SearchResp after = client.search(SearchReq.builder().collectionName(name).data(List.of(new FloatVec(data.get(123)))).topK(1)
                .searchParams(Map.of("ef", 64)).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(ids(after.getSearchResults().get(0))).containsExactly(123L);
    }
}
