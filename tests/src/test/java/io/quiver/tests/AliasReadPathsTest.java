package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import io.milvus.v2.service.utility.request.AlterAliasReq;
import io.milvus.v2.service.utility.request.CreateAliasReq;
import io.milvus.v2.service.utility.request.DropAliasReq;
import io.milvus.v2.service.vector.request.AnnSearchReq;
import io.milvus.v2.service.vector.request.GetReq;
import io.milvus.v2.service.vector.request.HybridSearchReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryIteratorReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchIteratorReq;
import io.milvus.v2.service.vector.request.SearchIteratorReqV2;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.request.ranker.RRFRanker;
import io.milvus.v2.service.vector.response.SearchResp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every read path through an alias gives the answer the collection's own name gives: search, hybrid search,
 * query, count(*), get by ids, the query iterator and both search iterators; after alterAlias the next read goes
 * to the new collection, and after dropAlias a read by the alias fails with a Milvus status.
 *
 * <p>The reads use the collection's default level (Bounded), as a new user's code does, once the rows are visible
 * (one Strong read after the inserts). Right after an insert a Bounded read may not see it yet, by alias and by
 * name alike: it reads at the shard's tSafe, which trails writes by up to a time-tick round, as in Milvus.
 */
class AliasReadPathsTest {
    @TempDir
    static Path tmp;
    static StandaloneProcess server;
    static MilvusClientV2 client;
    static final int N = 300;
    static final int DIM = 32;
    static final long OTHER_BASE = 10_000;
    static final float[][] v1 = new float[N][DIM];
    static final float[][] v2 = new float[N][DIM];
    static final float[][] other = new float[N / 3][DIM];

    @BeforeAll
    static void start() throws Exception {
        server = new StandaloneProcess(tmp.resolve("data"));
        server.start();
        client = new MilvusClientV2(ConnectConfig.builder().uri(server.uri()).rpcDeadlineMs(60_000).build());
        Random r = new Random(11);
        fill(r, v1);
        fill(r, v2);
        fill(r, other);
        createTwoVectorCollection("ap_main");
        createTwoVectorCollection("ap_other");
        insert("ap_main", 0, v1, v2);
        insert("ap_other", OTHER_BASE, other, other);
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    // ------------------------------------------------------------------ the report: search right after createAlias

    /**
     * A COSINE collection of a few hundred rows, loaded, searched by a fresh alias with a stored row's own vector:
     * the row is the top hit (score 1), as by the collection's name. {@code quick} is the SDK's quick setup
     * (the server picks the index); the others name their index type. The searches are Strong: at the default
     * level the rows just inserted may not be visible yet, whichever name the search uses.
     */
    @ParameterizedTest
    @ValueSource(strings = {"quick", "FLAT", "HNSW"})
    void searchByAliasRightAfterCreateAliasFindsTheRowItself(String index) {
        String name = "fresh_" + index.toLowerCase();
        String alias = name + "_alias";
        float[][] vectors = new float[N][DIM];
        fill(new Random(index.hashCode()), vectors);
        if (index.equals("quick")) {
            client.createCollection(CreateCollectionReq.builder().collectionName(name).dimension(DIM).metricType("COSINE").build());
        } else {
            CreateCollectionReq.CollectionSchema schema = client.createSchema();
            schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
            schema.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(DIM).build());
            client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(schema)
                    .indexParams(List.of(IndexParam.builder().fieldName("vector").indexType(IndexParam.IndexType.valueOf(index))
                            .metricType(IndexParam.MetricType.COSINE).build()))
                    .build());
        }
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", i);
            o.add("vector", array(vectors[i]));
            rows.add(o);
        }
        client.insert(InsertReq.builder().collectionName(name).data(rows).build());
        client.createAlias(CreateAliasReq.builder().collectionName(name).alias(alias).build());
        int row = 17;
        SearchResp byAlias = client.search(SearchReq.builder().collectionName(alias).data(List.of(new FloatVec(vectors[row]))).topK(5)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        SearchResp byName = client.search(SearchReq.builder().collectionName(name).data(List.of(new FloatVec(vectors[row]))).topK(5)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        SearchResp.SearchResult top = byAlias.getSearchResults().get(0).get(0);
        assertThat(top.getId()).as("top hit by alias").isEqualTo((long) row);
        assertThat(top.getScore()).as("COSINE of a row with itself").isGreaterThan(0.999f);
        assertThat(hits(byAlias)).isEqualTo(hits(byName));
    }

    // ------------------------------------------------------------------ every read path: by alias == by name

    @Test
    void everyReadPathByAliasAnswersAsByName() {
        client.createAlias(CreateAliasReq.builder().collectionName("ap_main").alias("ap_main_alias").build());
        assertSameAnswer("ap_main", "ap_main_alias", 0);
        client.dropAlias(DropAliasReq.builder().alias("ap_main_alias").build());
    }

    @Test
    void alterAliasSendsTheNextReadToTheNewCollection() {
        client.createAlias(CreateAliasReq.builder().collectionName("ap_main").alias("ap_moving").build());
        assertSameAnswer("ap_main", "ap_moving", 0);
        client.alterAlias(AlterAliasReq.builder().collectionName("ap_other").alias("ap_moving").build());
        assertSameAnswer("ap_other", "ap_moving", OTHER_BASE);
        client.alterAlias(AlterAliasReq.builder().collectionName("ap_main").alias("ap_moving").build());
        assertSameAnswer("ap_main", "ap_moving", 0);
        client.dropAlias(DropAliasReq.builder().alias("ap_moving").build());
    }

    @Test
    void readsByADroppedAliasFailWithCollectionNotFound() {
        client.createAlias(CreateAliasReq.builder().collectionName("ap_main").alias("ap_gone").build());
        assertThat(count("ap_gone")).isEqualTo(N);
        client.dropAlias(DropAliasReq.builder().alias("ap_gone").build());
        List<Function<String, Object>> reads = List.of(
                a -> search(a, v1[0], 5),
                a -> hybrid(a, 0),
                a -> query(a, "id in [1, 2, 3]"),
                AliasReadPathsTest::count,
                a -> client.get(GetReq.builder().collectionName(a).ids(List.of(1L, 2L)).build()),
                a -> queryIterator(a, "id < 40"),
                a -> searchIterator(a, v1[0]),
                a -> searchIteratorV2(a, v1[0]));
        for (int i = 0; i < reads.size(); i++) {
            Function<String, Object> read = reads.get(i);
            MilvusClientException e = catchThrowableOfType(() -> read.apply("ap_gone"), MilvusClientException.class);
            assertThat(e).as("read path %d by a dropped alias", i).isNotNull();
            assertThat(e.getServerErrCode()).as("Milvus status code of read path %d: %s", i, e.getMessage()).isEqualTo(100);
            assertThat(e.getMessage()).contains("collection not found");
        }
        assertThat(count("ap_main")).isEqualTo(N);
    }

    /** Each read path by {@code alias} equals the same read by {@code name}; {@code base} is the collection's first id. */
    private void assertSameAnswer(String name, String alias, long base) {
        int row = 7;
        float[] q = vectorOf(base + row);
        List<Object> searched = hits(search(alias, q, 10));
        assertThat(searched.get(0)).as("top hit of %s by %s", name, alias).isEqualTo(base + row);
        assertThat(searched).isEqualTo(hits(search(name, q, 10)));
        assertThat(scoreOfTop(search(alias, q, 1))).isGreaterThan(0.999f);

        List<Object> fused = hits(hybrid(alias, base + row));
        assertThat(fused.get(0)).isEqualTo(base + row);
        assertThat(fused).isEqualTo(hits(hybrid(name, base + row)));

        String filter = "id in [" + (base + 1) + ", " + (base + 2) + ", " + (base + 3) + "]";
        assertThat(query(alias, filter)).hasSize(3).isEqualTo(query(name, filter));
        assertThat(count(alias)).isEqualTo(count(name)).isEqualTo(name.equals("ap_main") ? N : N / 3);

        var byAlias = client.get(GetReq.builder().collectionName(alias).ids(List.of(base + 4, base + 5)).outputFields(List.of("id", "tag")).build());
        var byName = client.get(GetReq.builder().collectionName(name).ids(List.of(base + 4, base + 5)).outputFields(List.of("id", "tag")).build());
        assertThat(byAlias.getGetResults()).hasSize(2);
        assertThat(byAlias.getGetResults().stream().map(x -> x.getEntity()).toList())
                .isEqualTo(byName.getGetResults().stream().map(x -> x.getEntity()).toList());

        String range = "id < " + (base + 40);
        assertThat(queryIterator(alias, range)).hasSize(40).isEqualTo(queryIterator(name, range));
        List<Object> pages = searchIterator(alias, q);
        assertThat(pages).hasSize(60).startsWith(base + row).isEqualTo(searchIterator(name, q));
        List<Object> pagesV2 = searchIteratorV2(alias, q);
        assertThat(pagesV2).hasSize(60).startsWith(base + row).isEqualTo(searchIteratorV2(name, q));
    }

    // ------------------------------------------------------------------ reads

    private static SearchResp search(String coll, float[] q, int k) {
        return client.search(SearchReq.builder().collectionName(coll).annsField("v1").data(List.of(new FloatVec(q))).topK(k)
                .outputFields(List.of("tag")).build());
    }

    private static SearchResp hybrid(String coll, long id) {
        float[] a = vectorOf(id);
        float[] b = id >= OTHER_BASE ? other[(int) (id - OTHER_BASE)] : v2[(int) id];
        return client.hybridSearch(HybridSearchReq.builder().collectionName(coll)
                .searchRequests(List.of(AnnSearchReq.builder().vectorFieldName("v1").vectors(List.of(new FloatVec(a))).topK(20).build(),
                        AnnSearchReq.builder().vectorFieldName("v2").vectors(List.of(new FloatVec(b))).topK(20).build()))
                .ranker(new RRFRanker(60)).topK(5).outFields(List.of("tag")).build());
    }

    private static List<Map<String, Object>> query(String coll, String filter) {
        return client.query(QueryReq.builder().collectionName(coll).filter(filter).outputFields(List.of("id", "tag")).build())
                .getQueryResults().stream().map(x -> x.getEntity()).toList();
    }

    private static long count(String coll) {
        return (Long) client.query(QueryReq.builder().collectionName(coll).filter("").outputFields(List.of("count(*)")).build())
                .getQueryResults().get(0).getEntity().get("count(*)");
    }

    private static List<Object> queryIterator(String coll, String filter) {
        var it = client.queryIterator(QueryIteratorReq.builder().collectionName(coll).expr(filter).outputFields(List.of("tag"))
                .batchSize(13).build());
        return drain(it::next, it::close, row -> row.get("id"));
    }

    private static List<Object> searchIterator(String coll, float[] q) {
        var it = client.searchIterator(SearchIteratorReq.builder().collectionName(coll).vectorFieldName("v1")
                .vectors(List.of(new FloatVec(q))).metricType(IndexParam.MetricType.COSINE).batchSize(25).topK(60).params("{}").build());
        return drain(it::next, it::close, row -> row.get("id"));
    }

    private static List<Object> searchIteratorV2(String coll, float[] q) {
        var it = client.searchIteratorV2(SearchIteratorReqV2.builder().collectionName(coll).vectorFieldName("v1")
                .vectors(List.of(new FloatVec(q))).metricType(IndexParam.MetricType.COSINE).batchSize(25).topK(60).build());
        return drain(it::next, it::close, SearchResp.SearchResult::getId);
    }

    /** The ids of every page an iterator gives, in order, until an empty page; then closes it. */
    private static <T> List<Object> drain(Supplier<List<T>> next, Runnable close, Function<T, Object> id) {
        List<Object> ids = new ArrayList<>();
        for (List<T> page = next.get(); !page.isEmpty(); page = next.get()) {
            page.forEach(x -> ids.add(id.apply(x)));
        }
        close.run();
        return ids;
    }

    private static List<Object> hits(SearchResp s) {
        return s.getSearchResults().get(0).stream().map(SearchResp.SearchResult::getId).toList();
    }

    private static float scoreOfTop(SearchResp s) {
        return s.getSearchResults().get(0).get(0).getScore();
    }

    // ------------------------------------------------------------------ data

    private static float[] vectorOf(long id) {
        return id >= OTHER_BASE ? other[(int) (id - OTHER_BASE)] : v1[(int) id];
    }

    private static void createTwoVectorCollection(String name) {
        CreateCollectionReq.CollectionSchema schema = client.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        schema.addField(AddFieldReq.builder().fieldName("v1").dataType(DataType.FloatVector).dimension(DIM).build());
        schema.addField(AddFieldReq.builder().fieldName("v2").dataType(DataType.FloatVector).dimension(DIM).build());
        schema.addField(AddFieldReq.builder().fieldName("tag").dataType(DataType.VarChar).maxLength(16).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(schema)
                .indexParams(List.of(
                        IndexParam.builder().fieldName("v1").indexType(IndexParam.IndexType.HNSW).metricType(IndexParam.MetricType.COSINE)
                                .extraParams(Map.of("M", 16, "efConstruction", 200)).build(),
                        IndexParam.builder().fieldName("v2").indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.COSINE).build()))
                .build());
    }

    private static void insert(String coll, long base, float[][] a, float[][] b) {
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < a.length; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", base + i);
            o.add("v1", array(a[i]));
            o.add("v2", array(b[i]));
            o.addProperty("tag", coll + "_" + (i % 4));
            rows.add(o);
        }
        client.insert(InsertReq.builder().collectionName(coll).data(rows).build());
        // the reads below use the default level (Bounded): let one Strong read make the inserts visible first
        client.query(QueryReq.builder().collectionName(coll).filter("").outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
    }

    private static void fill(Random r, float[][] out) {
        for (float[] v : out) {
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) r.nextGaussian();
            }
        }
    }

    private static JsonArray array(float[] v) {
        JsonArray a = new JsonArray();
        for (float x : v) a.add(x);
        return a;
    }
}
