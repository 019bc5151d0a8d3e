package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.milvus.common.clientenum.FunctionType;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.AnnSearchReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.HybridSearchReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.BaseVector;
import io.milvus.v2.service.vector.request.data.EmbeddedText;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.request.data.SparseFloatVec;
import io.milvus.v2.service.vector.request.ranker.RRFRanker;
import io.milvus.v2.service.vector.request.ranker.WeightedRanker;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Milvus' BM25 function through the official Java SDK: texts inserted into a VARCHAR field become term counts in the
 * function's sparse output (never written or returned by users), searched with raw text ({@code EmbeddedText}) and
 * metric BM25 over sealed (indexed, after flush) and growing rows with deletes; scores must equal an Okapi BM25
 * computed here by hand over the live documents (tokens by Milvus' standard analyzer: split on every non-alphanumeric
 * character, lowercase; IDF {@code ln(1 + (N - n + 0.5) / (n + 0.5))}, k1 1.2, b 0.75, exact lengths). Also hybrid
 * search with a dense field, a Chinese collection, and the errors Milvus gives.
 */
class Bm25SdkTest extends ConformanceBase {
    static final String COLL = "bm25_docs";
    static final int SEALED = 1_500;
    static final int GROWING = 300;
    static final double K1 = 1.2;
    static final double B = 0.75;
    static final Gson GSON = new Gson();
    static final List<String> DOCS = new ArrayList<>();
    static final List<float[]> DENSE = new ArrayList<>();
    static final Set<Integer> DELETED = new HashSet<>();
    static final String[] WORDS = words();

    static String[] words() {
        String[] w = new String[400];
        Random r = new Random(7);
        for (int i = 0; i < w.length; i++) {
            StringBuilder b = new StringBuilder();
            int len = 2 + r.nextInt(7);
            for (int j = 0; j < len; j++) {
                b.append((char) ('a' + r.nextInt(26)));
            }
            w[i] = b.toString();
        }
        return w;
    }

    /** A document of Zipf-distributed words with capitals and punctuation the analyzer must strip. */
    static String doc(Random r) {
        StringBuilder b = new StringBuilder();
        int n = 3 + r.nextInt(40);
        for (int i = 0; i < n; i++) {
            String w = WORDS[(int) Math.min(WORDS.length - 1, Math.floor(Math.pow(WORDS.length, r.nextDouble())) - 1)];
            b.append(r.nextInt(10) == 0 ? w.toUpperCase(Locale.ROOT) : w).append(r.nextInt(8) == 0 ? ", " : r.nextInt(12) == 0 ? "'s " : " ");
        }
        return b.toString();
    }

    /** Milvus' standard analyzer on this ASCII text: split on non-alphanumerics, lowercase. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (String t : text.split("[^A-Za-z0-9]+")) {
            if (!t.isEmpty()) out.add(t.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    static List<JsonObject> rows(int from, int to) {
        List<JsonObject> rows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", (long) i);
            o.addProperty("text", DOCS.get(i));
            o.add("dense", GSON.toJsonTree(DENSE.get(i)));
            o.addProperty("grp", (long) (i % 5));
            rows.add(o);
        }
        return rows;
    }

    static CreateCollectionReq.CollectionSchema schema(String analyzer) {
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        AddFieldReq.AddFieldReqBuilder<?, ?> text = AddFieldReq.builder().fieldName("text").dataType(DataType.VarChar).maxLength(4000)
                .enableAnalyzer(true);
        if (analyzer != null) {
            text.analyzerParams(Map.of("type", analyzer));
        }
        s.addField(text.build());
        s.addField(AddFieldReq.builder().fieldName("sparse").dataType(DataType.SparseFloatVector).build());
        s.addFunction(CreateCollectionReq.Function.builder().name("text_bm25").functionType(FunctionType.BM25)
                .inputFieldNames(List.of("text")).outputFieldNames(List.of("sparse")).build());
        return s;
    }

    static void indexAndLoad(String coll, boolean dense) {
        List<IndexParam> indexes = new ArrayList<>();
        indexes.add(IndexParam.builder().fieldName("sparse").indexName("bm25").indexType(IndexParam.IndexType.SPARSE_INVERTED_INDEX)
                .metricType(IndexParam.MetricType.BM25).build());
        if (dense) {
            indexes.add(IndexParam.builder().fieldName("dense").indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.L2).build());
        }
        client.createIndex(CreateIndexReq.builder().collectionName(coll).indexParams(indexes).build());
        client.loadCollection(LoadCollectionReq.builder().collectionName(coll).build());
        awaitLoaded(coll);
    }

    @BeforeAll
    static void load() {
        Random r = new Random(42);
        for (int i = 0; i < SEALED + GROWING; i++) {
            DOCS.add(i == 17 ? "" : doc(r)); // an empty text is a row with no terms
            DENSE.add(new float[] {r.nextFloat(), r.nextFloat(), r.nextFloat(), r.nextFloat()});
        }
        CreateCollectionReq.CollectionSchema s = schema(null);
        s.addField(AddFieldReq.builder().fieldName("dense").dataType(DataType.FloatVector).dimension(4).build());
        s.addField(AddFieldReq.builder().fieldName("grp").dataType(DataType.Int64).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(COLL).collectionSchema(s)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        for (int off = 0; off < SEALED; off += 500) {
            client.insert(InsertReq.builder().collectionName(COLL).data(rows(off, off + 500)).build());
        }
        client.flush(FlushReq.builder().collectionNames(List.of(COLL)).build());
        indexAndLoad(COLL, true);
        client.insert(InsertReq.builder().collectionName(COLL).data(rows(SEALED, SEALED + GROWING)).build());
        for (int i = 0; i < SEALED + GROWING; i += 37) {
            DELETED.add(i);
        }
        client.delete(DeleteReq.builder().collectionName(COLL).ids(new ArrayList<>(DELETED.stream().map(Integer::longValue).toList())).build());
    }

    /** Okapi BM25 of every live document for the query, by hand. */
    static Map<Integer, Double> exactScores(String query, Set<Integer> live) {
        Map<String, Integer> qtf = new TreeMap<>();
        tokens(query).forEach(t -> qtf.merge(t, 1, Integer::sum));
        Map<String, Integer> df = new HashMap<>();
        double total = 0;
        List<Map<String, Integer>> tfs = new ArrayList<>();
        for (int i = 0; i < DOCS.size(); i++) {
            Map<String, Integer> tf = new HashMap<>();
            if (live.contains(i)) {
                tokens(DOCS.get(i)).forEach(t -> tf.merge(t, 1, Integer::sum));
                tf.keySet().forEach(t -> df.merge(t, 1, Integer::sum));
                total += tf.values().stream().mapToInt(Integer::intValue).sum();
            }
            tfs.add(tf);
        }
        double n = live.size();
        double avgdl = Math.max(1, total / n);
        Map<Integer, Double> scores = new HashMap<>();
        for (int i : live) {
            Map<String, Integer> tf = tfs.get(i);
            double dl = tf.values().stream().mapToInt(Integer::intValue).sum();
            double s = 0;
            for (var e : qtf.entrySet()) {
                Integer f = tf.get(e.getKey());
                if (f == null) continue;
                double idf = Math.log(1 + (n - df.get(e.getKey()) + 0.5) / (df.get(e.getKey()) + 0.5));
                s += e.getValue() * idf * f * (K1 + 1) / (f + K1 * (1 - B + B * dl / avgdl));
            }
            if (s > 0) scores.put(i, s);
        }
        return scores;
    }

    static Set<Integer> live(java.util.function.IntPredicate keep) {
        Set<Integer> live = new HashSet<>();
        for (int i = 0; i < DOCS.size(); i++) {
            if (!DELETED.contains(i) && keep.test(i)) live.add(i);
        }
        return live;
    }

    static List<String> queries() {
        Random r = new Random(99);
        List<String> q = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            q.add(WORDS[r.nextInt(60)] + " " + WORDS[r.nextInt(400)].toUpperCase(Locale.ROOT) + "! " + WORDS[r.nextInt(200)]);
        }
        return q;
    }

    @Test
    void scoresEqualExactBm25OverLiveSealedAndGrowingRows() {
        List<String> queries = queries();
        List<BaseVector> data = queries.stream().<BaseVector>map(EmbeddedText::new).toList();
        List<List<SearchResp.SearchResult>> got = client.search(SearchReq.builder().collectionName(COLL).annsField("sparse").data(data)
                .topK(10).outputFields(List.of("text")).metricType(IndexParam.MetricType.BM25).consistencyLevel(ConsistencyLevel.STRONG)
                .build()).getSearchResults();
        Set<Integer> live = live(i -> true);
        for (int q = 0; q < queries.size(); q++) {
            Map<Integer, Double> exact = exactScores(queries.get(q), live);
            List<Double> best = exact.values().stream().sorted(Comparator.reverseOrder()).limit(10).toList();
            List<SearchResp.SearchResult> hits = got.get(q);
            assertThat(hits).as("query %s", queries.get(q)).hasSize(best.size());
            for (int i = 0; i < hits.size(); i++) {
                int id = ((Number) hits.get(i).getId()).intValue();
                assertThat(exact).as("query %s: hit %d is live and matches", queries.get(q), id).containsKey(id);
                assertThat((double) hits.get(i).getScore()).as("query %s id %d", queries.get(q), id)
                        .isCloseTo(exact.get(id), within(1e-4 * exact.get(id) + 1e-5));
                assertThat((double) hits.get(i).getScore()).isCloseTo(best.get(i), within(1e-4 * best.get(i) + 1e-5));
                assertThat(hits.get(i).getEntity().get("text")).isEqualTo(DOCS.get(id));
                assertThat(hits.get(i).getEntity()).doesNotContainKey("sparse");
            }
        }
    }

    @Test
    void filteredSearchKeepsCollectionWideStatistics() {
        String query = queries().get(3);
        List<SearchResp.SearchResult> hits = client.search(SearchReq.builder().collectionName(COLL).annsField("sparse")
                .data(List.of(new EmbeddedText(query))).topK(5).filter("grp == 2").consistencyLevel(ConsistencyLevel.STRONG).build())
                .getSearchResults().get(0);
        Map<Integer, Double> exact = exactScores(query, live(i -> true)); // IDF over every live row, not only the filtered ones
        List<Integer> want = exact.entrySet().stream().filter(e -> e.getKey() % 5 == 2)
                .sorted(Map.Entry.<Integer, Double>comparingByValue().reversed()).limit(5).map(Map.Entry::getKey).toList();
        assertThat(hits).hasSize(want.size());
        for (int i = 0; i < hits.size(); i++) {
            int id = ((Number) hits.get(i).getId()).intValue();
            assertThat(id % 5).isEqualTo(2);
            assertThat((double) hits.get(i).getScore()).isCloseTo(exact.get(want.get(i)), within(1e-4 * exact.get(want.get(i))));
        }
    }

    @Test
    void outputFieldOfTheFunctionIsNeitherWrittenNorReturned() {
        QueryResp all = client.query(QueryReq.builder().collectionName(COLL).filter("id in [1, 2]").outputFields(List.of("*"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(all.getQueryResults()).hasSize(2);
        assertThat(all.getQueryResults().get(0).getEntity()).containsKeys("id", "text", "grp").doesNotContainKey("sparse");
        assertThatThrownBy(() -> client.query(QueryReq.builder().collectionName(COLL).filter("id == 1").outputFields(List.of("sparse")).build()))
                .hasMessageContaining("not allowed to retrieve raw data of field sparse");
        JsonObject row = rows(1, 2).get(0);
        row.addProperty("id", 5000L);
        row.add("sparse", GSON.toJsonTree(Map.of(1L, 1.0f)));
        assertThatThrownBy(() -> client.insert(InsertReq.builder().collectionName(COLL).data(List.of(row)).build()))
                .hasMessageContaining("sparse");
    }

    @Test
    void describeCollectionShowsTheFunction() {
        DescribeCollectionResp d = client.describeCollection(DescribeCollectionReq.builder().collectionName(COLL).build());
        CreateCollectionReq.Function f = d.getCollectionSchema().getFunctionList().get(0);
        assertThat(f.getName()).isEqualTo("text_bm25");
        assertThat(f.getFunctionType()).isEqualTo(FunctionType.BM25);
        assertThat(f.getInputFieldNames()).containsExactly("text");
        assertThat(f.getOutputFieldNames()).containsExactly("sparse");
    }

    @Test
    void wrongSearchesAreRefused() {
        assertThatThrownBy(() -> client.search(SearchReq.builder().collectionName(COLL).annsField("sparse").data(List.of(new EmbeddedText("x")))
                .topK(3).metricType(IndexParam.MetricType.IP).build())).hasMessageContaining("BM25");
        assertThatThrownBy(() -> client.search(SearchReq.builder().collectionName(COLL).annsField("sparse")
                .data(List.of(new SparseFloatVec(new TreeMap<>(Map.of(1L, 1.0f))))).topK(3).build()))
                .hasMessageContaining("varchar/text");
        assertThatThrownBy(() -> client.search(SearchReq.builder().collectionName(COLL).annsField("dense").data(List.of(new EmbeddedText("x")))
                .topK(3).build())).isInstanceOf(RuntimeException.class);
    }

    @Test
    void badFunctionsAreRefusedAtCreate() {
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("text").dataType(DataType.VarChar).maxLength(100).build());
        s.addField(AddFieldReq.builder().fieldName("sparse").dataType(DataType.SparseFloatVector).build());
        s.addFunction(CreateCollectionReq.Function.builder().name("f").functionType(FunctionType.BM25)
                .inputFieldNames(List.of("text")).outputFieldNames(List.of("sparse")).build());
        assertThatThrownBy(() -> client.createCollection(CreateCollectionReq.builder().collectionName("bm25_bad").collectionSchema(s).build()))
                .hasMessageContaining("enable_analyzer");
        CreateCollectionReq.CollectionSchema s2 = client.createSchema();
        s2.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s2.addField(AddFieldReq.builder().fieldName("num").dataType(DataType.Int64).build());
        s2.addField(AddFieldReq.builder().fieldName("sparse").dataType(DataType.SparseFloatVector).build());
        s2.addFunction(CreateCollectionReq.Function.builder().name("f").functionType(FunctionType.BM25)
                .inputFieldNames(List.of("num")).outputFieldNames(List.of("sparse")).build());
        assertThatThrownBy(() -> client.createCollection(CreateCollectionReq.builder().collectionName("bm25_bad").collectionSchema(s2).build()))
                .hasMessageContaining("VARCHAR");
    }

    @Test
    void hybridSearchFusesDenseAndBm25() {
        int target = 222;
        String query = String.join(" ", tokens(DOCS.get(target)).subList(0, 3));
        AnnSearchReq byDense = AnnSearchReq.builder().vectorFieldName("dense").vectors(List.of(new FloatVec(DENSE.get(target)))).topK(20).build();
        AnnSearchReq byText = AnnSearchReq.builder().vectorFieldName("sparse").vectors(List.of(new EmbeddedText(query))).topK(20).build();
        List<SearchResp.SearchResult> rrf = client.hybridSearch(HybridSearchReq.builder().collectionName(COLL)
                .searchRequests(List.of(byDense, byText)).ranker(new RRFRanker(60)).topK(5).outFields(List.of("grp"))
                .consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0);
        Map<Integer, Double> exact = exactScores(query, live(i -> true));
        List<Integer> byL2 = live(i -> true).stream().sorted(Comparator.comparingDouble((Integer i) -> l2(DENSE.get(i), DENSE.get(target)))
                .thenComparing(i -> i)).limit(20).toList();
        List<Integer> byBm25 = exact.entrySet().stream().sorted(Map.Entry.<Integer, Double>comparingByValue().reversed()).limit(20)
                .map(Map.Entry::getKey).toList();
        Map<Integer, Double> fused = new HashMap<>();
        for (List<Integer> list : List.of(byL2, byBm25)) {
            for (int rank = 0; rank < list.size(); rank++) {
                fused.merge(list.get(rank), 1.0 / (60 + rank + 1), Double::sum);
            }
        }
        assertThat(rrf).hasSize(5);
        for (SearchResp.SearchResult h : rrf) {
            int id = ((Number) h.getId()).intValue();
            assertThat((double) h.getScore()).as("RRF of id %d", id).isCloseTo(fused.getOrDefault(id, 0.0), within(1e-6));
            assertThat(((Number) h.getEntity().get("grp")).intValue()).isEqualTo(id % 5);
        }
        double fifth = fused.values().stream().sorted(Comparator.reverseOrder()).skip(4).findFirst().orElseThrow();
        assertThat((double) rrf.get(4).getScore()).isCloseTo(fifth, within(1e-6));
        List<SearchResp.SearchResult> textOnly = client.hybridSearch(HybridSearchReq.builder().collectionName(COLL)
                .searchRequests(List.of(byDense, byText)).ranker(new WeightedRanker(List.of(0.0f, 1.0f))).topK(5)
                .consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0);
        List<Integer> want = byBm25.subList(0, 5);
        assertThat(textOnly.stream().map(h -> ((Number) h.getId()).intValue()).toList()).containsExactlyInAnyOrderElementsOf(want);
    }

    static double l2(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return s;
    }

    @Test
    void chineseTextFindsDocumentsContainingTheWordFirst() {
        String coll = "bm25_chinese";
        client.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(schema("chinese"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        List<String> texts = List.of("我们正在学习机器学习和深度学习", "今天天气很好，我们去公园散步", "向量数据库支持全文检索和语义搜索",
                "机器人在工厂里工作", "全文检索让用户用关键词找到文档", "深度学习模型需要大量数据");
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", (long) i);
            o.addProperty("text", texts.get(i));
            rows.add(o);
        }
        client.insert(InsertReq.builder().collectionName(coll).data(rows).build());
        indexAndLoad(coll, false);
        List<SearchResp.SearchResult> hits = client.search(SearchReq.builder().collectionName(coll).annsField("sparse")
                .data(List.of(new EmbeddedText("全文检索"))).topK(3).consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0);
        assertThat(hits.stream().limit(2).map(h -> ((Number) h.getId()).intValue()).toList()).containsExactlyInAnyOrder(2, 4);
        List<SearchResp.SearchResult> dl = client.search(SearchReq.builder().collectionName(coll).annsField("sparse")
                .data(List.of(new EmbeddedText("深度学习"))).topK(6).consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0);
        assertThat(dl.stream().limit(2).map(h -> ((Number) h.getId()).intValue()).toList()).containsExactlyInAnyOrder(0, 5);
        assertThat(IntStream.range(0, dl.size()).mapToObj(i -> ((Number) dl.get(i).getId()).intValue()).toList()).doesNotContain(1);
    }
}
