package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.vector.request.AnnSearchReq;
import io.milvus.v2.service.vector.request.HybridSearchReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.request.data.SparseFloatVec;
import io.milvus.v2.service.vector.request.ranker.RRFRanker;
import io.milvus.v2.service.vector.request.ranker.WeightedRanker;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Hybrid search over a dense and a sparse field (the RAG pattern: embeddings plus keyword-like sparse vectors) through
 * the official SDK: RRF and weighted rankers over an HNSW dense sub-search and a SPARSE_INVERTED_INDEX sub-search,
 * with output fields; the weighted ranker with all weight on one side returns that side's exact order.
 */
class HybridSparseSdkTest extends ConformanceBase {
    private static final int N = 300;
    private static final int DIM = 8;
    private static final Gson GSON = new Gson();

    @Test
    void denseAndSparseSubSearchesRerankTogether() {
        String name = "hybrid_sparse_" + System.nanoTime();
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("dense").dataType(DataType.FloatVector).dimension(DIM).build());
        s.addField(AddFieldReq.builder().fieldName("sparse").dataType(DataType.SparseFloatVector).build());
        s.addField(AddFieldReq.builder().fieldName("tag").dataType(DataType.VarChar).maxLength(16).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(s)
                .consistencyLevel(ConsistencyLevel.STRONG).indexParams(List.of(
                        IndexParam.builder().fieldName("dense").indexType(IndexParam.IndexType.HNSW).metricType(IndexParam.MetricType.L2).build(),
                        IndexParam.builder().fieldName("sparse").indexType(IndexParam.IndexType.SPARSE_INVERTED_INDEX)
                                .metricType(IndexParam.MetricType.IP).build())).build());
        Random r = new Random(17);
        List<float[]> dense = new ArrayList<>();
        List<SortedMap<Long, Float>> sparse = new ArrayList<>();
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            float[] d = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                d[j] = r.nextFloat();
            }
            SortedMap<Long, Float> sp = new TreeMap<>();
            for (int t = 0; t < 5; t++) {
                sp.put((long) r.nextInt(200), 0.1f + r.nextFloat());
            }
            dense.add(d);
            sparse.add(sp);
            JsonObject row = new JsonObject();
            row.addProperty("id", (long) i);
            row.add("dense", GSON.toJsonTree(d));
            row.add("sparse", GSON.toJsonTree(sp));
            row.addProperty("tag", "t" + (i % 3));
            rows.add(row);
        }
        client.insert(InsertReq.builder().collectionName(name).data(rows).build());

        int q = 11;
        AnnSearchReq byDense = AnnSearchReq.builder().vectorFieldName("dense").vectors(List.of(new FloatVec(dense.get(q)))).topK(20)
                .params("{\"ef\": 64}").build();
        AnnSearchReq bySparse = AnnSearchReq.builder().vectorFieldName("sparse").vectors(List.of(new SparseFloatVec(sparse.get(q)))).topK(20).build();
        SearchResp rrf = client.hybridSearch(HybridSearchReq.builder().collectionName(name).searchRequests(List.of(byDense, bySparse))
                .ranker(new RRFRanker(60)).topK(5).outFields(List.of("tag")).consistencyLevel(ConsistencyLevel.STRONG).build());
        List<SearchResp.SearchResult> hits = rrf.getSearchResults().get(0);
        assertThat(hits).hasSize(5);
        assertThat(hits.get(0).getId()).isEqualTo((long) q); // first in both lists
        assertThat(hits.get(0).getEntity().get("tag")).isEqualTo("t" + (q % 3));

        SearchResp sparseOnly = client.hybridSearch(HybridSearchReq.builder().collectionName(name).searchRequests(List.of(byDense, bySparse))
                .ranker(new WeightedRanker(List.of(0.0f, 1.0f))).topK(5).consistencyLevel(ConsistencyLevel.STRONG).build());
        List<Long> want = IntStream.range(0, N).boxed()
                .filter(i -> dot(sparse.get(i), sparse.get(q)) > 0)
                .sorted(Comparator.comparingDouble((Integer i) -> -dot(sparse.get(i), sparse.get(q))).thenComparing(i -> i))
                .limit(5).map(Integer::longValue).toList();
        assertThat(sparseOnly.getSearchResults().get(0).stream().map(h -> (Long) h.getId()).toList())
                .as("all weight on the sparse side: the exact IP order").containsExactlyInAnyOrderElementsOf(want);
    }

    private static double dot(Map<Long, Float> a, Map<Long, Float> b) {
        double s = 0;
        for (var e : a.entrySet()) {
            Float v = b.get(e.getKey());
            if (v != null) {
                s += (double) e.getValue() * v;
            }
        }
        return s;
    }
}
