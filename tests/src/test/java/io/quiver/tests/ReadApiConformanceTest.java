package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.exception.MilvusClientException;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.AlterCollectionPropertiesReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionPropertiesReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.RenameCollectionReq;
import io.milvus.v2.service.database.request.AlterDatabasePropertiesReq;
import io.milvus.v2.service.database.request.CreateDatabaseReq;
import io.milvus.v2.service.database.request.DescribeDatabaseReq;
import io.milvus.v2.service.database.request.DropDatabaseReq;
import io.milvus.v2.service.utility.request.AlterAliasReq;
import io.milvus.v2.service.utility.request.CreateAliasReq;
import io.milvus.v2.service.utility.request.DescribeAliasReq;
import io.milvus.v2.service.utility.request.DropAliasReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.utility.request.ListAliasesReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 5 (read API): the filter language over every scalar type, query limit/offset/output fields, filtered and
 * range search, round_decimal, ignore_growing, multi-vector search, delete by filter, databases, AlterCollection,
 * RenameCollection and aliases, all checked against references computed here from the inserted rows.
 */
class ReadApiConformanceTest extends ConformanceBase {
    static final String C = "filters";
    static final int N = 300;
    static final int DIM = 8;
    static final String[] FRUIT = {"apple", "banana", "cherry"};
    static float[][] vec = new float[N][];
    static float[][] vec2 = new float[N][];

    // ---- the data set (row i) ----
    static int i8(int i) { return (i % 200) - 100; }
    static int i16(int i) { return (i * 7) % 1000 - 500; }
    static long i64(int i) { return i * 1_000_000_007L; }
    static float f(int i) { return i * 0.5f; }
    static double d(int i) { return i / 3.0; }
    static boolean b(int i) { return i % 2 == 0; }
    static String s(int i) { return FRUIT[i % 3] + "_" + i; }
    static int metaAB(int i) { return i % 10; }
    static String metaTag(int i) { return i % 4 == 0 ? "x" : "y"; }
    static List<Long> metaList(int i) { return List.of((long) (i % 5), (long) (i % 7)); }
    static boolean hasOpt(int i) { return i % 3 == 0; }
    static List<Long> ai(int i) { return List.of((long) (i % 5), (long) (i % 7), (long) (i % 11), (long) (i % 13)).subList(0, 1 + i % 4); }
    static List<String> as(int i) { return List.of("c" + (i % 3), "d" + (i % 4)).subList(0, 1 + i % 2); }
    static Integer n(int i) { return i % 5 == 0 ? null : i % 50; }
    static String color(int i) { return i % 3 == 0 ? "red" : "blue"; }
    static int score(int i) { return i % 17; }
    static boolean hasExtra(int i) { return i % 4 == 0; }

    @BeforeAll
    static void createAndFill() {
        CreateCollectionReq.CollectionSchema schema = client.createSchema();
        schema.setEnableDynamicField(true);
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        schema.addField(AddFieldReq.builder().fieldName("vec").dataType(DataType.FloatVector).dimension(DIM).build());
        schema.addField(AddFieldReq.builder().fieldName("vec2").dataType(DataType.FloatVector).dimension(DIM).build());
        schema.addField(AddFieldReq.builder().fieldName("i8").dataType(DataType.Int8).build());
        schema.addField(AddFieldReq.builder().fieldName("i16").dataType(DataType.Int16).build());
        schema.addField(AddFieldReq.builder().fieldName("i32").dataType(DataType.Int32).build());
        schema.addField(AddFieldReq.builder().fieldName("i64").dataType(DataType.Int64).build());
        schema.addField(AddFieldReq.builder().fieldName("f").dataType(DataType.Float).build());
        schema.addField(AddFieldReq.builder().fieldName("d").dataType(DataType.Double).build());
        schema.addField(AddFieldReq.builder().fieldName("b").dataType(DataType.Bool).build());
        schema.addField(AddFieldReq.builder().fieldName("s").dataType(DataType.VarChar).maxLength(64).build());
        schema.addField(AddFieldReq.builder().fieldName("meta").dataType(DataType.JSON).build());
        schema.addField(AddFieldReq.builder().fieldName("ai").dataType(DataType.Array).elementType(DataType.Int64).maxCapacity(8).build());
        schema.addField(AddFieldReq.builder().fieldName("as").dataType(DataType.Array).elementType(DataType.VarChar).maxCapacity(8)
                .maxLength(16).build());
        schema.addField(AddFieldReq.builder().fieldName("n").dataType(DataType.Int32).isNullable(true).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(C).collectionSchema(schema).numShards(2)
                .indexParams(List.of(
                        IndexParam.builder().fieldName("vec").indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.L2).build(),
                        IndexParam.builder().fieldName("vec2").indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.COSINE).build()))
                .build());
        Random r = new Random(2024);
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            vec[i] = randVec(r, DIM);
            vec2[i] = randVec(r, DIM);
            JsonObject o = new JsonObject();
            o.addProperty("id", (long) i);
            o.add("vec", json(vec[i]));
            o.add("vec2", json(vec2[i]));
            o.addProperty("i8", i8(i));
            o.addProperty("i16", i16(i));
            o.addProperty("i32", i);
            o.addProperty("i64", i64(i));
            o.addProperty("f", f(i));
            o.addProperty("d", d(i));
            o.addProperty("b", b(i));
            o.addProperty("s", s(i));
            JsonObject meta = new JsonObject();
            JsonObject a = new JsonObject();
            a.addProperty("b", metaAB(i));
            meta.add("a", a);
            meta.addProperty("tag", metaTag(i));
            JsonArray ml = new JsonArray();
            metaList(i).forEach(ml::add);
            meta.add("list", ml);
            if (hasOpt(i)) meta.addProperty("opt", i);
            o.add("meta", meta);
            JsonArray aiA = new JsonArray();
            ai(i).forEach(aiA::add);
            o.add("ai", aiA);
            JsonArray asA = new JsonArray();
            as(i).forEach(asA::add);
            o.add("as", asA);
            if (n(i) == null) o.add("n", JsonNull.INSTANCE);
            else o.addProperty("n", n(i));
            o.addProperty("color", color(i));
            o.addProperty("score", score(i));
            if (hasExtra(i)) o.addProperty("extra", "e" + i);
            rows.add(o);
        }
        // two inserts with a flush between: the first half sealed, the second growing
        client.insert(InsertReq.builder().collectionName(C).data(rows.subList(0, N / 2)).build());
        client.flush(FlushReq.builder().collectionNames(List.of(C)).build());
        client.insert(InsertReq.builder().collectionName(C).data(rows.subList(N / 2, N)).build());
        awaitLoaded(C);
    }

    /** filter expression → the ids of the rows it must select. */
    static Map<String, IntPredicate> filters() {
        Map<String, IntPredicate> m = new LinkedHashMap<>();
        // comparisons on every scalar type
        m.put("i8 > 50", i -> i8(i) > 50);
        m.put("i8 <= -90", i -> i8(i) <= -90);
        m.put("i16 < -400", i -> i16(i) < -400);
        m.put("i32 == 42", i -> i == 42);
        m.put("i32 != 42", i -> i != 42);
        m.put("i64 >= 100000000700", i -> i64(i) >= 100000000700L);
        m.put("f < 10.5", i -> f(i) < 10.5);
        m.put("d > 90.0", i -> d(i) > 90.0);
        m.put("b == true", i -> b(i));
        m.put("b == false", i -> !b(i));
        m.put("s == \"apple_3\"", i -> s(i).equals("apple_3"));
        m.put("s >= \"cherry\"", i -> s(i).compareTo("cherry") >= 0);
        m.put("id < 7", i -> i < 7);
        m.put("-5 < i8 < 0", i -> -5 < i8(i) && i8(i) < 0);
        // chained ranges
        m.put("10 < i32 <= 20", i -> 10 < i && i <= 20);
        m.put("50 > i8 >= 40", i -> 50 > i8(i) && i8(i) >= 40);
        m.put("1.0 <= d < 2.5", i -> 1.0 <= d(i) && d(i) < 2.5);
        // field vs field
        m.put("i16 > i8", i -> i16(i) > i8(i));
        // in / not in
        m.put("i32 in [1, 2, 3, 500]", i -> i == 1 || i == 2 || i == 3);
        m.put("id in [5, 6, 299]", i -> i == 5 || i == 6 || i == 299);
        m.put("s in [\"apple_0\", \"banana_1\", \"nope\"]", i -> i == 0 || i == 1);
        m.put("i8 not in [-100, -99, 0]", i -> i8(i) != -100 && i8(i) != -99 && i8(i) != 0);
        m.put("s not in [\"apple_0\", \"banana_1\"]", i -> i != 0 && i != 1);
        m.put("id not in [0, 1, 2]", i -> i > 2);
        // like
        m.put("s like \"apple%\"", i -> s(i).startsWith("apple"));
        m.put("s like \"%7\"", i -> s(i).endsWith("7"));
        m.put("s like \"%ana%\"", i -> s(i).contains("ana"));
        m.put("s like \"cherry_2_\"", i -> s(i).matches("cherry.2."));
        // logic
        m.put("(i32 < 10 or i32 > 290) and b == true", i -> (i < 10 || i > 290) && b(i));
        m.put("not (i32 >= 5)", i -> !(i >= 5));
        m.put("i32 < 5 || i32 > 295", i -> i < 5 || i > 295);
        m.put("i32 < 100 && b == false", i -> i < 100 && !b(i));
        m.put("NOT (s like \"apple%\") AND i32 < 20", i -> !s(i).startsWith("apple") && i < 20);
        // arithmetic
        m.put("i32 * 2 == 10", i -> i * 2 == 10);
        m.put("i32 + 1 == 100", i -> i + 1 == 100);
        m.put("i32 % 7 == 3", i -> i % 7 == 3);
        m.put("i16 - 10 > 0", i -> i16(i) - 10 > 0);
        // JSON paths
        m.put("meta[\"a\"][\"b\"] == 3", i -> metaAB(i) == 3);
        m.put("meta[\"a\"][\"b\"] > 7", i -> metaAB(i) > 7);
        m.put("meta[\"tag\"] == \"x\"", i -> metaTag(i).equals("x"));
        m.put("meta[\"list\"][0] == 2", i -> metaList(i).get(0) == 2);
        m.put("meta[\"opt\"] > 250", i -> hasOpt(i) && i > 250);
        m.put("meta[\"tag\"] > 5", i -> false); // a JSON value of another type compares false, no error
        m.put("meta[\"a\"][\"b\"] in [1, 2]", i -> metaAB(i) == 1 || metaAB(i) == 2);
        // json_contains*
        m.put("json_contains(meta[\"list\"], 3)", i -> metaList(i).contains(3L));
        m.put("json_contains_all(meta[\"list\"], [2, 3])", i -> metaList(i).containsAll(List.of(2L, 3L)));
        m.put("json_contains_any(meta[\"list\"], [6, 4])", i -> metaList(i).contains(6L) || metaList(i).contains(4L));
        // arrays
        m.put("array_contains(ai, 4)", i -> ai(i).contains(4L));
        m.put("array_contains_all(ai, [1, 2])", i -> ai(i).containsAll(List.of(1L, 2L)));
        m.put("array_contains_any(as, [\"c2\", \"d3\"])", i -> as(i).contains("c2") || as(i).contains("d3"));
        m.put("array_length(ai) == 3", i -> ai(i).size() == 3);
        m.put("array_length(as) > 1", i -> as(i).size() > 1);
        m.put("ai[0] == 3", i -> ai(i).get(0) == 3);
        m.put("ai[2] > 5", i -> ai(i).size() > 2 && ai(i).get(2) > 5);
        m.put("as[1] == \"d2\"", i -> as(i).size() > 1 && as(i).get(1).equals("d2"));
        // exists
        m.put("exists meta[\"opt\"]", ReadApiConformanceTest::hasOpt);
        m.put("exists extra", ReadApiConformanceTest::hasExtra);
        // null
        m.put("n is null", i -> n(i) == null);
        m.put("n is not null", i -> n(i) != null);
        m.put("n IS NULL and i32 < 50", i -> n(i) == null && i < 50);
        m.put("n > 25", i -> n(i) != null && n(i) > 25); // NULL compares false
        m.put("n != 10", i -> n(i) != null && n(i) != 10);
        // dynamic keys, bare and as $meta
        m.put("color == \"red\"", i -> color(i).equals("red"));
        m.put("score > 10", i -> score(i) > 10);
        m.put("color == \"blue\" and score < 3", i -> color(i).equals("blue") && score(i) < 3);
        m.put("$meta[\"color\"] == \"red\" and i32 < 30", i -> color(i).equals("red") && i < 30);
        m.put("extra == \"e8\"", i -> i == 8);
        // mixed
        m.put("i32 < 60 and array_contains(ai, 0) and meta[\"tag\"] == \"x\" or id == 299",
                i -> (i < 60 && ai(i).contains(0L) && metaTag(i).equals("x")) || i == 299);
        return m;
    }

    static List<Long> expected(IntPredicate p) {
        return IntStream.range(0, N).filter(p).mapToObj(i -> (long) i).toList();
    }

    static List<Long> queryIds(String coll, String filter, Map<String, Object> templates) {
        QueryReq.QueryReqBuilder<?, ?> b = QueryReq.builder().collectionName(coll).filter(filter).outputFields(List.of("id"))
                .consistencyLevel(ConsistencyLevel.STRONG);
        if (templates != null) b.filterTemplateValues(templates);
        return idsOf(client.query(b.build()).getQueryResults(), "id");
    }

    static String failureMessage(MilvusClientException e) {
        return "error " + e.getServerErrCode() + ": " + e.getMessage();
    }

    @Test
    void everyFilterSelectsExactlyTheReferenceRows() {
        SoftAssertions soft = new SoftAssertions();
        for (var e : filters().entrySet()) {
            List<Long> want = expected(e.getValue());
            try {
                soft.assertThat(queryIds(C, e.getKey(), null)).as("query filter `%s`", e.getKey()).isEqualTo(want);
            } catch (MilvusClientException ex) {
                soft.fail("query filter `%s` failed: %s", e.getKey(), failureMessage(ex));
            }
            try {
                soft.assertThat(count(C, e.getKey())).as("count(*) filter `%s`", e.getKey()).isEqualTo(want.size());
            } catch (MilvusClientException ex) {
                soft.fail("count filter `%s` failed: %s", e.getKey(), failureMessage(ex));
            }
        }
        soft.assertAll();
    }

    @Test
    void filteredSearchReturnsNearestAmongMatchingRows() {
        SoftAssertions soft = new SoftAssertions();
        float[] q = randVec(new Random(99), DIM);
        for (var e : filters().entrySet()) {
            List<Integer> match = IntStream.range(0, N).filter(e.getValue()).boxed()
                    .sorted(Comparator.comparingDouble(i -> score(IndexParam.MetricType.L2, vec[i], q))).toList();
            List<Long> want = match.stream().limit(10).map(Integer::longValue).toList();
            try {
                SearchResp r = client.search(SearchReq.builder().collectionName(C).annsField("vec").data(List.of(new FloatVec(q)))
                        .topK(10).filter(e.getKey()).consistencyLevel(ConsistencyLevel.STRONG).build());
                soft.assertThat(ids(r.getSearchResults().get(0))).as("search filter `%s`", e.getKey()).isEqualTo(want);
            } catch (MilvusClientException ex) {
                soft.fail("search filter `%s` failed: %s", e.getKey(), failureMessage(ex));
            }
        }
        soft.assertAll();
    }

    @Test
    void templateValuesBindIntoTheExpression() {
        Map<String, Object> t = new HashMap<>();
        t.put("lo", 250L);
        t.put("names", List.of("apple_252", "banana_253", "cherry_254", "apple_3"));
        assertThat(queryIds(C, "i32 > {lo} and s in {names}", t)).containsExactly(252L, 253L, 254L);
        Map<String, Object> t2 = new HashMap<>();
        t2.put("t", "x");
        t2.put("hi", 40L);
        t2.put("fl", 3.0);
        assertThat(queryIds(C, "meta[\"tag\"] == {t} and i32 < {hi} and d >= {fl}", t2))
                .isEqualTo(expected(i -> metaTag(i).equals("x") && i < 40 && d(i) >= 3.0));
        Map<String, Object> t3 = new HashMap<>();
        t3.put("v", List.of(4L, 6L));
        t3.put("flag", true);
        assertThat(queryIds(C, "array_contains_any(ai, {v}) and b == {flag}", t3))
                .isEqualTo(expected(i -> (ai(i).contains(4L) || ai(i).contains(6L)) && b(i)));
        // the same template through search
        float[] q = vec[10];
        SearchResp r = client.search(SearchReq.builder().collectionName(C).annsField("vec").data(List.of(new FloatVec(q))).topK(5)
                .filter("i32 > {lo} and s in {names}").filterTemplateValues(t).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(ids(r.getSearchResults().get(0))).containsExactlyInAnyOrder(252L, 253L, 254L);
    }

    @Test
    void countWithoutFilterAndLimitOffsetOrderedByPrimaryKey() {
        assertThat(count(C, "")).isEqualTo(N);
        QueryResp r = client.query(QueryReq.builder().collectionName(C).filter("").limit(10).offset(20).outputFields(List.of("id"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(r.getQueryResults().stream().map(x -> (Long) x.getEntity().get("id")).toList())
                .as("limit 10 offset 20 over two shards, merged by pk").isEqualTo(LongRange(20, 30));
        r = client.query(QueryReq.builder().collectionName(C).filter("i32 >= 100 and b == true").limit(5).offset(3)
                .outputFields(List.of("id")).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(r.getQueryResults().stream().map(x -> (Long) x.getEntity().get("id")).toList())
                .isEqualTo(List.of(106L, 108L, 110L, 112L, 114L));
        r = client.query(QueryReq.builder().collectionName(C).filter("i32 >= 290").limit(100).offset(5)
                .outputFields(List.of("id")).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(r.getQueryResults().stream().map(x -> (Long) x.getEntity().get("id")).toList()).isEqualTo(LongRange(295, 300));
        // offset + limit above 16384
        MilvusClientException e = serverError(() -> client.query(QueryReq.builder().collectionName(C).filter("").limit(1000).offset(16000)
                .outputFields(List.of("id")).consistencyLevel(ConsistencyLevel.STRONG).build()));
        assertThat(e.getServerErrCode()).as(failureMessage(e)).isEqualTo(1100);
        assertThat(e.getMessage()).containsAnyOf("16384", "limit", "offset");
        e = serverError(() -> client.query(QueryReq.builder().collectionName(C).filter("").limit(16385)
                .outputFields(List.of("id")).consistencyLevel(ConsistencyLevel.STRONG).build()));
        assertThat(e.getServerErrCode()).as(failureMessage(e)).isEqualTo(1100);
        // offset + limit == 16384 is allowed
        r = client.query(QueryReq.builder().collectionName(C).filter("").limit(384).offset(16000).outputFields(List.of("id"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(r.getQueryResults()).isEmpty();
    }

    static List<Long> LongRange(long from, long to) {
        return java.util.stream.LongStream.range(from, to).boxed().toList();
    }

    @Test
    void outputFieldsStarAndDynamicKeys() {
        List<QueryResp.QueryResult> rows = query(C, "id in [0, 7]", List.of("*"));
        assertThat(rows).hasSize(2);
        for (QueryResp.QueryResult qr : rows) {
            Map<String, Object> e = qr.getEntity();
            int i = ((Long) e.get("id")).intValue();
            assertThat(e).as("row %d keys", i).containsKeys("id", "vec", "vec2", "i8", "i16", "i32", "i64", "f", "d", "b", "s", "meta", "ai",
                    "as", "n", "color", "score");
            assertThat(((Number) e.get("i8")).intValue()).isEqualTo(i8(i));
            assertThat(((Number) e.get("i16")).intValue()).isEqualTo(i16(i));
            assertThat(((Number) e.get("i32")).intValue()).isEqualTo(i);
            assertThat(e.get("i64")).isEqualTo(i64(i));
            assertThat(e.get("f")).isEqualTo(f(i));
            assertThat((Double) e.get("d")).isCloseTo(d(i), org.assertj.core.data.Offset.offset(1e-12));
            assertThat(e.get("b")).isEqualTo(b(i));
            assertThat(e.get("s")).isEqualTo(s(i));
            JsonObject meta = (JsonObject) e.get("meta");
            assertThat(meta.getAsJsonObject("a").get("b").getAsInt()).isEqualTo(metaAB(i));
            assertThat(meta.get("tag").getAsString()).isEqualTo(metaTag(i));
            assertThat(meta.has("opt")).isEqualTo(hasOpt(i));
            assertThat((List<?>) e.get("ai")).isEqualTo(ai(i));
            assertThat((List<?>) e.get("as")).isEqualTo(as(i));
            assertThat(e.get("n")).isEqualTo(n(i));
            assertThat((List<?>) e.get("vec")).hasSize(DIM);
            assertThat(((Number) ((List<?>) e.get("vec")).get(0)).floatValue()).isEqualTo(vec[i][0]);
            assertThat(e.get("color")).isEqualTo(color(i));
            assertThat(((Number) e.get("score")).intValue()).isEqualTo(score(i));
            assertThat(e.containsKey("extra")).as("extra present on row %d", i).isEqualTo(hasExtra(i));
        }
        // dynamic keys by name only
        rows = query(C, "id in [3, 4]", List.of("color", "extra", "i32"));
        assertThat(rows).hasSize(2);
        for (QueryResp.QueryResult qr : rows) {
            Map<String, Object> e = qr.getEntity();
            int i = ((Number) e.get("i32")).intValue();
            assertThat(e.get("color")).isEqualTo(color(i));
            assertThat(e).doesNotContainKeys("score", "i8", "s", "vec");
            assertThat(e.containsKey("extra")).isEqualTo(hasExtra(i));
        }
        // search: dynamic output field and * on a search
        SearchResp s = client.search(SearchReq.builder().collectionName(C).annsField("vec").data(List.of(new FloatVec(vec[12]))).topK(3)
                .outputFields(List.of("color", "score", "s")).consistencyLevel(ConsistencyLevel.STRONG).build());
        SearchResp.SearchResult top = s.getSearchResults().get(0).get(0);
        assertThat(top.getId()).isEqualTo(12L);
        assertThat(top.getEntity()).containsEntry("color", color(12)).containsEntry("s", s(12));
        assertThat(((Number) top.getEntity().get("score")).intValue()).isEqualTo(score(12));
        s = client.search(SearchReq.builder().collectionName(C).annsField("vec").data(List.of(new FloatVec(vec[20]))).topK(1)
                .outputFields(List.of("*")).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(s.getSearchResults().get(0).get(0).getEntity()).containsKeys("i8", "meta", "ai", "as", "n", "color", "extra", "vec2");
    }

    @Test
    void malformedFiltersAreInvalidParameterErrorsWithAUsefulMessage() {
        String single = singleVectorCollection();
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put(single, "nosuch > 1"); // unknown field (no dynamic field)
        bad.put(C + "#1", "s > 1"); // VarChar vs Int64
        bad.put(C + "#2", "i32 == \"abc\""); // Int32 vs string
        bad.put(C + "#3", "s == \"abc"); // unterminated string
        bad.put(C + "#4", "i32 >"); // incomplete
        bad.put(C + "#5", "array_contains(i32, 1)"); // not an array
        for (var e : bad.entrySet()) {
            String coll = e.getKey().replaceAll("#.*", "");
            String expr = e.getValue();
            MilvusClientException q = serverError(() -> client.query(QueryReq.builder().collectionName(coll).filter(expr)
                    .outputFields(List.of("id")).consistencyLevel(ConsistencyLevel.STRONG).build()));
            assertThat(q.getServerErrCode()).as("query `%s`: %s", expr, failureMessage(q)).isEqualTo(1100);
            assertThat(q.getMessage()).as("query `%s` message names the expression", expr).contains(expr);
            MilvusClientException s = serverError(() -> client.search(SearchReq.builder().collectionName(coll).annsField("vec")
                    .data(List.of(new FloatVec(new float[DIM]))).topK(3).filter(expr).consistencyLevel(ConsistencyLevel.STRONG).build()));
            assertThat(s.getServerErrCode()).as("search `%s`: %s", expr, failureMessage(s)).isEqualTo(1100);
            MilvusClientException d = serverError(() -> client.delete(DeleteReq.builder().collectionName(coll).filter(expr).build()));
            assertThat(d.getServerErrCode()).as("delete `%s`: %s", expr, failureMessage(d)).isEqualTo(1100);
        }
        MilvusClientException e = serverError(() -> client.query(QueryReq.builder().collectionName(single).filter("nosuch > 1")
                .outputFields(List.of("id")).build()));
        assertThat(e.getMessage()).contains("nosuch");
        // output field that does not exist (no dynamic field)
        // (Milvus 2.5 answers a plain error here, code 65535; newer Milvus 1100: any status error that names the field)
        e = serverError(() -> client.query(QueryReq.builder().collectionName(single).filter("id > 0").outputFields(List.of("nosuch")).build()));
        assertThat(e.getMessage()).contains("nosuch");
        assertThat(count(C, "")).isEqualTo(N); // nothing deleted by the failed deletes
    }

    static String singleName;

    /** One vector field, no dynamic field: ids 0..49, vector v. */
    static synchronized String singleVectorCollection() {
        if (singleName != null) return singleName;
        String name = uniq("single");
        CreateCollectionReq.CollectionSchema schema = client.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        schema.addField(AddFieldReq.builder().fieldName("vec").dataType(DataType.FloatVector).dimension(DIM).build());
        schema.addField(AddFieldReq.builder().fieldName("k").dataType(DataType.Int64).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(schema).indexParams(List.of(
                IndexParam.builder().fieldName("vec").indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.L2).build())).build());
        List<JsonObject> rows = rows(0, randVecs(5, 50, DIM));
        for (JsonObject o : rows) {
            o.add("vec", o.remove("vector"));
            o.addProperty("k", o.get("id").getAsLong() % 5);
        }
        client.insert(InsertReq.builder().collectionName(name).data(rows).build());
        awaitLoaded(name);
        singleName = name;
        return name;
    }

    @Test
    void annsFieldOptionalWithOneVectorFieldAndSelectsAmongSeveral() {
        String single = singleVectorCollection();
        List<float[]> data = randVecs(5, 50, DIM);
        float[] q = randVec(new Random(3), DIM);
        SearchResp r = client.search(SearchReq.builder().collectionName(single).data(List.of(new FloatVec(q))).topK(5)
                .filter("k != 2").consistencyLevel(ConsistencyLevel.STRONG).build());
        List<Long> want = IntStream.range(0, 50).filter(i -> i % 5 != 2).boxed()
                .sorted(Comparator.comparingDouble(i -> score(IndexParam.MetricType.L2, data.get(i), q))).limit(5).map(Integer::longValue).toList();
        assertThat(ids(r.getSearchResults().get(0))).isEqualTo(want);
        // several vector fields: anns_field picks the field (and its metric)
        for (String field : List.of("vec", "vec2")) {
            IndexParam.MetricType m = field.equals("vec") ? IndexParam.MetricType.L2 : IndexParam.MetricType.COSINE;
            float[][] vs = field.equals("vec") ? vec : vec2;
            r = client.search(SearchReq.builder().collectionName(C).annsField(field).data(List.of(new FloatVec(q))).topK(7)
                    .consistencyLevel(ConsistencyLevel.STRONG).build());
            List<Long> truth = bruteForce(m, List.of(vs), 0, q, 7);
            assertThat(ids(r.getSearchResults().get(0))).as("anns_field %s", field).isEqualTo(truth);
            assertOrdered(m, r.getSearchResults().get(0));
            assertThat((double) r.getSearchResults().get(0).get(0).getScore()).isCloseTo(score(m, vs[truth.get(0).intValue()], q),
                    org.assertj.core.data.Offset.offset(1e-4));
        }
        // several vector fields and no anns_field: Milvus 2.5 refuses (ambiguous)
        MilvusClientException e = serverError(() -> client.search(SearchReq.builder().collectionName(C).data(List.of(new FloatVec(q))).topK(3)
                .consistencyLevel(ConsistencyLevel.STRONG).build()));
        assertThat(e.getServerErrCode()).as(failureMessage(e)).isEqualTo(1100);
    }

    @Test
    void rangeSearchL2AndCosineSemantics() {
        float[] q = randVec(new Random(41), DIM);
        // L2: range_filter <= d < radius, ascending
        Integer[] byL2 = IntStream.range(0, N).boxed().sorted(Comparator.comparingDouble(i -> score(IndexParam.MetricType.L2, vec[i], q)))
                .toArray(Integer[]::new);
        double[] dl = IntStream.range(0, N).mapToDouble(k -> score(IndexParam.MetricType.L2, vec[byL2[k]], q)).toArray();
        double rangeFilter = (dl[4] + dl[5]) / 2, radius = (dl[40] + dl[41]) / 2;
        SearchResp r = client.search(SearchReq.builder().collectionName(C).annsField("vec").data(List.of(new FloatVec(q))).topK(100)
                .searchParams(Map.of("radius", radius, "range_filter", rangeFilter)).consistencyLevel(ConsistencyLevel.STRONG).build());
        List<Long> want = IntStream.rangeClosed(5, 40).mapToObj(k -> (long) byL2[k]).toList();
        assertThat(ids(r.getSearchResults().get(0))).as("L2 range search [%s, %s)", rangeFilter, radius).isEqualTo(want);
        for (SearchResp.SearchResult h : r.getSearchResults().get(0)) {
            assertThat((double) h.getScore()).isGreaterThanOrEqualTo(rangeFilter).isLessThan(radius);
        }
        // L2 exact boundary: range_filter is inclusive, radius exclusive (distances of the query row itself: 0)
        r = client.search(SearchReq.builder().collectionName(C).annsField("vec").data(List.of(new FloatVec(vec[0]))).topK(10)
                .searchParams(Map.of("radius", 1e-6, "range_filter", 0.0)).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(ids(r.getSearchResults().get(0))).containsExactly(0L);
        // radius only, with a filter
        r = client.search(SearchReq.builder().collectionName(C).annsField("vec").data(List.of(new FloatVec(q))).topK(100)
                .filter("b == true").searchParams(Map.of("radius", radius)).consistencyLevel(ConsistencyLevel.STRONG).build());
        List<Long> wantRadius = IntStream.rangeClosed(0, 40).mapToObj(k -> byL2[k]).filter(i -> b(i)).map(Integer::longValue).toList();
        assertThat(ids(r.getSearchResults().get(0))).as("L2 radius only + filter").isEqualTo(wantRadius);
        // COSINE: radius < s <= range_filter, descending
        Integer[] byCos = IntStream.range(0, N).boxed()
                .sorted(Comparator.comparingDouble(i -> -score(IndexParam.MetricType.COSINE, vec2[i], q))).toArray(Integer[]::new);
        double[] sc = IntStream.range(0, N).mapToDouble(k -> score(IndexParam.MetricType.COSINE, vec2[byCos[k]], q)).toArray();
        double cRangeFilter = (sc[2] + sc[3]) / 2, cRadius = (sc[30] + sc[31]) / 2;
        r = client.search(SearchReq.builder().collectionName(C).annsField("vec2").data(List.of(new FloatVec(q))).topK(100)
                .searchParams(Map.of("radius", cRadius, "range_filter", cRangeFilter)).consistencyLevel(ConsistencyLevel.STRONG).build());
        List<Long> wantCos = IntStream.rangeClosed(3, 30).mapToObj(k -> (long) byCos[k]).toList();
        assertThat(ids(r.getSearchResults().get(0))).as("COSINE range search (%s, %s]", cRadius, cRangeFilter).isEqualTo(wantCos);
        for (SearchResp.SearchResult h : r.getSearchResults().get(0)) {
            assertThat((double) h.getScore()).isGreaterThan(cRadius).isLessThanOrEqualTo(cRangeFilter);
        }
        // topK smaller than the range: the best topK of the range
        r = client.search(SearchReq.builder().collectionName(C).annsField("vec2").data(List.of(new FloatVec(q))).topK(5)
                .searchParams(Map.of("radius", cRadius, "range_filter", cRangeFilter)).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(ids(r.getSearchResults().get(0))).isEqualTo(wantCos.subList(0, 5));
        // inverted bounds are invalid for both metrics
        serverError(() -> client.search(SearchReq.builder().collectionName(C).annsField("vec").data(List.of(new FloatVec(q))).topK(10)
                .searchParams(Map.of("radius", 0.5, "range_filter", 2.0)).consistencyLevel(ConsistencyLevel.STRONG).build()));
        serverError(() -> client.search(SearchReq.builder().collectionName(C).annsField("vec2").data(List.of(new FloatVec(q))).topK(10)
                .searchParams(Map.of("radius", 0.9, "range_filter", 0.1)).consistencyLevel(ConsistencyLevel.STRONG).build()));
    }

    @Test
    void roundDecimalRoundsScores() {
        float[] q = randVec(new Random(77), DIM);
        SearchResp r = client.search(SearchReq.builder().collectionName(C).annsField("vec2").data(List.of(new FloatVec(q))).topK(10)
                .roundDecimal(2).consistencyLevel(ConsistencyLevel.STRONG).build());
        List<Long> truth = bruteForce(IndexParam.MetricType.COSINE, List.of(vec2), 0, q, 10);
        List<SearchResp.SearchResult> hits = r.getSearchResults().get(0);
        assertThat(hits).hasSize(10);
        for (SearchResp.SearchResult h : hits) {
            double exact = score(IndexParam.MetricType.COSINE, vec2[((Long) h.getId()).intValue()], q);
            assertThat((double) h.getScore()).as("score %s rounded to 2 decimals", h.getScore())
                    .isCloseTo(Math.round(exact * 100) / 100.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(ids(hits).subList(0, 3)).isEqualTo(truth.subList(0, 3));
        r = client.search(SearchReq.builder().collectionName(C).annsField("vec").data(List.of(new FloatVec(q))).topK(5)
                .roundDecimal(0).consistencyLevel(ConsistencyLevel.STRONG).build());
        for (SearchResp.SearchResult h : r.getSearchResults().get(0)) {
            assertThat((double) h.getScore()).isCloseTo(Math.rint(h.getScore()), org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void ignoreGrowingSearchesSealedSegmentsOnly() throws Exception {
        String name = uniq("growing");
        client.createCollection(CreateCollectionReq.builder().collectionName(name).dimension(DIM).metricType("L2").build());
        List<float[]> sealed = randVecs(11, 100, DIM);
        client.insert(InsertReq.builder().collectionName(name).data(rows(0, sealed)).build());
        client.flush(FlushReq.builder().collectionNames(List.of(name)).build());
        float[] q = randVec(new Random(12), DIM);
        long deadline = System.currentTimeMillis() + 30_000;
        int seen = 0;
        while (System.currentTimeMillis() < deadline) {
            seen = client.search(SearchReq.builder().collectionName(name).data(List.of(new FloatVec(q))).topK(200).ignoreGrowing(true)
                    .consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0).size();
            if (seen == 100) break;
            Thread.sleep(200);
        }
        assertThat(seen).as("flushed rows become visible to ignore_growing search").isEqualTo(100);
        client.insert(InsertReq.builder().collectionName(name).data(rows(100, randVecs(13, 50, DIM))).build());
        List<SearchResp.SearchResult> all = client.search(SearchReq.builder().collectionName(name).data(List.of(new FloatVec(q))).topK(200)
                .consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0);
        assertThat(all).hasSize(150);
        List<SearchResp.SearchResult> sealedOnly = client.search(SearchReq.builder().collectionName(name).data(List.of(new FloatVec(q)))
                .topK(200).ignoreGrowing(true).consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0);
        assertThat(ids(sealedOnly)).hasSize(100).allMatch(id -> id < 100);
        assertOrdered(IndexParam.MetricType.L2, sealedOnly);
        client.dropCollection(DropCollectionReq.builder().collectionName(name).build());
    }

    @Test
    void deleteByArbitraryFilterRemovesRowsFromQuerySearchAndCount() {
        String name = uniq("people");
        CreateCollectionReq.CollectionSchema schema = client.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        schema.addField(AddFieldReq.builder().fieldName("vec").dataType(DataType.FloatVector).dimension(4).build());
        schema.addField(AddFieldReq.builder().fieldName("age").dataType(DataType.Int64).build());
        schema.addField(AddFieldReq.builder().fieldName("name").dataType(DataType.VarChar).maxLength(32).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(schema).numShards(2).indexParams(List.of(
                IndexParam.builder().fieldName("vec").indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.L2).build())).build());
        List<float[]> vs = randVecs(21, 500, 4);
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", (long) i);
            o.add("vec", json(vs.get(i)));
            o.addProperty("age", (long) (i % 100));
            o.addProperty("name", (i % 2 == 0 ? "even_" : "odd_") + i);
            rows.add(o);
        }
        client.insert(InsertReq.builder().collectionName(name).data(rows.subList(0, 250)).build());
        client.flush(FlushReq.builder().collectionNames(List.of(name)).build());
        client.insert(InsertReq.builder().collectionName(name).data(rows.subList(250, 500)).build());
        awaitLoaded(name);
        var del = client.delete(DeleteReq.builder().collectionName(name).filter("age > 90").build());
        assertThat(del.getDeleteCnt()).isEqualTo(45);
        assertThat(count(name, "")).isEqualTo(455);
        assertThat(count(name, "age > 90")).isZero();
        assertThat(query(name, "age >= 89", List.of("id")).stream().map(r -> (Long) r.getEntity().get("id")).sorted().toList())
                .isEqualTo(IntStream.range(0, 500).filter(i -> i % 100 >= 89 && i % 100 <= 90).mapToObj(i -> (long) i).toList());
        // search: all remaining rows, none deleted; the deleted row's own vector does not find it
        List<SearchResp.SearchResult> hits = client.search(SearchReq.builder().collectionName(name).data(List.of(new FloatVec(vs.get(95))))
                .topK(1000).outputFields(List.of("age")).consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0);
        assertThat(hits).hasSize(455);
        assertThat(ids(hits)).doesNotContain(95L, 191L, 299L, 499L);
        assertThat(hits).allMatch(h -> ((Number) h.getEntity().get("age")).longValue() <= 90);
        // a second filter delete with like + or, on sealed and growing rows
        del = client.delete(DeleteReq.builder().collectionName(name).filter("name like \"odd_1%\" or id in [0, 2, 95]").build());
        long expectGone = IntStream.range(0, 500).filter(i -> i % 100 <= 90).filter(i -> (i % 2 == 1 && ("" + i).startsWith("1")) || i == 0 || i == 2)
                .count();
        assertThat(del.getDeleteCnt()).isEqualTo(expectGone);
        assertThat(count(name, "")).isEqualTo(455 - expectGone);
        assertThat(count(name, "name like \"odd_1%\"")).isZero();
        // template delete
        del = client.delete(DeleteReq.builder().collectionName(name).filter("age < {a}").filterTemplateValues(Map.of("a", 1L)).build());
        assertThat(count(name, "age == 0")).isZero();
        client.dropCollection(DropCollectionReq.builder().collectionName(name).build());
    }

    @Test
    void databasesCreateListDescribeAlterDropAndIsolateCollections() throws Exception {
        String db = uniq("rdb");
        client.createDatabase(CreateDatabaseReq.builder().databaseName(db).properties(Map.of("database.max.collections", "10")).build());
        assertThat(client.listDatabases().getDatabaseNames()).contains("default", db);
        var desc = client.describeDatabase(DescribeDatabaseReq.builder().databaseName(db).build());
        assertThat(desc.getDatabaseName()).isEqualTo(db);
        assertThat(desc.getProperties()).containsEntry("database.max.collections", "10");
        client.alterDatabaseProperties(AlterDatabasePropertiesReq.builder().databaseName(db)
                .properties(Map.of("database.replica.number", "1", "database.max.collections", "20")).build());
        desc = client.describeDatabase(DescribeDatabaseReq.builder().databaseName(db).build());
        assertThat(desc.getProperties()).containsEntry("database.replica.number", "1").containsEntry("database.max.collections", "20");
        serverError(() -> client.createDatabase(CreateDatabaseReq.builder().databaseName(db).build()));

        String same = uniq("iso");
        String only = uniq("dbonly");
        try (AutoCloseableClient dbc = new AutoCloseableClient(new MilvusClientV2(
                ConnectConfig.builder().uri(server.uri()).dbName(db).rpcDeadlineMs(RPC_DEADLINE_MS).build()))) {
            MilvusClientV2 c = dbc.c;
            c.createCollection(CreateCollectionReq.builder().collectionName(same).dimension(4).metricType("L2").build());
            c.createCollection(CreateCollectionReq.builder().collectionName(only).dimension(4).metricType("L2").build());
            client.createCollection(CreateCollectionReq.builder().collectionName(same).dimension(4).metricType("L2").build());
            c.insert(InsertReq.builder().collectionName(same).data(rows(0, randVecs(1, 30, 4))).build());
            client.insert(InsertReq.builder().collectionName(same).data(rows(1000, randVecs(2, 7, 4))).build());
            assertThat(c.listCollections().getCollectionNames()).containsExactlyInAnyOrder(same, only);
            assertThat(client.listCollections().getCollectionNames()).contains(same).doesNotContain(only);
            assertThat(client.hasCollection(HasCollectionReq.builder().collectionName(only).build())).isFalse();
            assertThat(c.hasCollection(HasCollectionReq.builder().collectionName(only).build())).isTrue();
            assertThat(c.describeCollection(DescribeCollectionReq.builder().collectionName(same).build()).getDatabaseName()).isEqualTo(db);
            // same name, different data
            long inDb = ((Number) c.query(QueryReq.builder().collectionName(same).filter("").outputFields(List.of("count(*)"))
                    .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults().get(0).getEntity().get("count(*)")).longValue();
            assertThat(inDb).isEqualTo(30);
            assertThat(count(same, "")).isEqualTo(7);
            List<Long> dbIds = ids(c.search(SearchReq.builder().collectionName(same).data(List.of(new FloatVec(new float[] {0, 0, 0, 0})))
                    .topK(100).consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0));
            assertThat(dbIds).hasSize(30).allMatch(id -> id < 30);
            serverError(() -> client.query(QueryReq.builder().collectionName(only).filter("id > 0").build()));
            // useDatabase on another client switches to the same view
            try (AutoCloseableClient other = new AutoCloseableClient(newClient())) {
                other.c.useDatabase(db);
                assertThat(other.c.listCollections().getCollectionNames()).containsExactlyInAnyOrder(same, only);
                other.c.useDatabase("default");
                assertThat(other.c.listCollections().getCollectionNames()).doesNotContain(only);
            }
            // a non-empty database cannot be dropped
            serverError(() -> client.dropDatabase(DropDatabaseReq.builder().databaseName(db).build()));
            assertThat(client.listDatabases().getDatabaseNames()).contains(db);
            c.dropCollection(DropCollectionReq.builder().collectionName(same).build());
            c.dropCollection(DropCollectionReq.builder().collectionName(only).build());
        }
        assertThat(count(same, "")).as("default-db collection untouched by the drop in %s", db).isEqualTo(7);
        client.dropDatabase(DropDatabaseReq.builder().databaseName(db).build());
        assertThat(client.listDatabases().getDatabaseNames()).doesNotContain(db).contains("default");
        serverError(() -> client.describeDatabase(DescribeDatabaseReq.builder().databaseName(db).build()));
        // a client configured for a missing database fails at construction
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> new MilvusClientV2(
                ConnectConfig.builder().uri(server.uri()).dbName(db).rpcDeadlineMs(RPC_DEADLINE_MS).build()).close());
        assertThat(e.getMessage()).contains(db);
        client.dropCollection(DropCollectionReq.builder().collectionName(same).build());
    }

    record AutoCloseableClient(MilvusClientV2 c) implements AutoCloseable {
        @Override
        public void close() {
            c.close();
        }
    }

    @Test
    void alterCollectionPropertiesAndRenameKeepData() {
        String old = uniq("ren_old");
        String neu = uniq("ren_new");
        client.createCollection(CreateCollectionReq.builder().collectionName(old).dimension(4).metricType("L2").build());
        List<float[]> vs = randVecs(31, 20, 4);
        client.insert(InsertReq.builder().collectionName(old).data(rows(0, vs)).build());
        client.alterCollectionProperties(AlterCollectionPropertiesReq.builder().collectionName(old)
                .properties(Map.of("collection.ttl.seconds", "86400", "mmap.enabled", "false")).build());
        Map<String, String> props = client.describeCollection(DescribeCollectionReq.builder().collectionName(old).build()).getProperties();
        assertThat(props).containsEntry("collection.ttl.seconds", "86400").containsEntry("mmap.enabled", "false");
        client.alterCollectionProperties(AlterCollectionPropertiesReq.builder().collectionName(old)
                .properties(Map.of("collection.ttl.seconds", "3600")).build());
        props = client.describeCollection(DescribeCollectionReq.builder().collectionName(old).build()).getProperties();
        assertThat(props).containsEntry("collection.ttl.seconds", "3600").containsEntry("mmap.enabled", "false");
        client.dropCollectionProperties(DropCollectionPropertiesReq.builder().collectionName(old).propertyKeys(List.of("mmap.enabled")).build());
        props = client.describeCollection(DescribeCollectionReq.builder().collectionName(old).build()).getProperties();
        assertThat(props).containsEntry("collection.ttl.seconds", "3600").doesNotContainKey("mmap.enabled");

        client.renameCollection(RenameCollectionReq.builder().collectionName(old).newCollectionName(neu).build());
        assertThat(client.hasCollection(HasCollectionReq.builder().collectionName(old).build())).isFalse();
        assertThat(client.hasCollection(HasCollectionReq.builder().collectionName(neu).build())).isTrue();
        assertThat(client.listCollections().getCollectionNames()).contains(neu).doesNotContain(old);
        var d = client.describeCollection(DescribeCollectionReq.builder().collectionName(neu).build());
        assertThat(d.getCollectionName()).isEqualTo(neu);
        assertThat(d.getProperties()).containsEntry("collection.ttl.seconds", "3600");
        assertThat(count(neu, "")).isEqualTo(20);
        assertThat(ids(client.search(SearchReq.builder().collectionName(neu).data(List.of(new FloatVec(vs.get(7)))).topK(1)
                .consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0))).containsExactly(7L);
        serverError(() -> client.query(QueryReq.builder().collectionName(old).filter("id >= 0").build()));
        // renaming onto an existing name fails
        String other = uniq("ren_other");
        client.createCollection(CreateCollectionReq.builder().collectionName(other).dimension(4).build());
        serverError(() -> client.renameCollection(RenameCollectionReq.builder().collectionName(neu).newCollectionName(other).build()));
        client.insert(InsertReq.builder().collectionName(neu).data(rows(100, randVecs(32, 5, 4))).build());
        assertThat(count(neu, "")).isEqualTo(25);
        client.dropCollection(DropCollectionReq.builder().collectionName(neu).build());
        client.dropCollection(DropCollectionReq.builder().collectionName(other).build());
    }

    @Test
    void aliasesUsableForInsertSearchQueryAndRetarget() {
        String a = uniq("al_a");
        String b = uniq("al_b");
        String alias = uniq("alias");
        client.createCollection(CreateCollectionReq.builder().collectionName(a).dimension(4).metricType("L2").build());
        client.createCollection(CreateCollectionReq.builder().collectionName(b).dimension(4).metricType("L2").build());
        client.createAlias(CreateAliasReq.builder().collectionName(a).alias(alias).build());
        assertThat(client.describeAlias(DescribeAliasReq.builder().alias(alias).build()).getCollectionName()).isEqualTo(a);
        assertThat(client.listAliases(ListAliasesReq.builder().collectionName(a).build()).getAlias()).containsExactly(alias);
        List<float[]> vs = randVecs(51, 12, 4);
        var ins = client.insert(InsertReq.builder().collectionName(alias).data(rows(0, vs)).build());
        assertThat(ins.getInsertCnt()).isEqualTo(12);
        assertThat(count(a, "")).isEqualTo(12);
        assertThat(count(alias, "id < 5")).isEqualTo(5);
        assertThat(idsOf(query(alias, "id in [3, 4, 99]", List.of("id")), "id")).containsExactly(3L, 4L);
        assertThat(ids(client.search(SearchReq.builder().collectionName(alias).data(List.of(new FloatVec(vs.get(9)))).topK(1)
                .filter("id > 5").consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0))).containsExactly(9L);
        client.delete(DeleteReq.builder().collectionName(alias).filter("id >= 10").build());
        assertThat(count(a, "")).isEqualTo(10);
        // alias names cannot be reused as collections, nor point at a missing collection
        serverError(() -> client.createCollection(CreateCollectionReq.builder().collectionName(alias).dimension(4).build()));
        serverError(() -> client.createAlias(CreateAliasReq.builder().collectionName(b).alias(alias).build()));
        // retarget
        client.alterAlias(AlterAliasReq.builder().collectionName(b).alias(alias).build());
        assertThat(client.describeAlias(DescribeAliasReq.builder().alias(alias).build()).getCollectionName()).isEqualTo(b);
        assertThat(count(alias, "")).isZero();
        client.insert(InsertReq.builder().collectionName(alias).data(rows(500, randVecs(52, 3, 4))).build());
        assertThat(count(b, "")).isEqualTo(3);
        assertThat(count(a, "")).isEqualTo(10);
        // a collection with an alias cannot be dropped until the alias is gone (Milvus 2.5)
        serverError(() -> client.dropCollection(DropCollectionReq.builder().collectionName(b).build()));
        client.dropAlias(DropAliasReq.builder().alias(alias).build());
        serverError(() -> client.query(QueryReq.builder().collectionName(alias).filter("id >= 0").build()));
        client.dropCollection(DropCollectionReq.builder().collectionName(a).build());
        client.dropCollection(DropCollectionReq.builder().collectionName(b).build());
    }
}
