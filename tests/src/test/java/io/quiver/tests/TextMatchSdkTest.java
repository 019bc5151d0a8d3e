package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.exception.MilvusClientException;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryIteratorReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * TEXT_MATCH and PHRASE_MATCH through the official Java SDK v2: a collection with an English and a Chinese
 * {@code enable_match} field, 1,200 rows flushed (sealed segments, text indexes built at load) and 300 rows left growing;
 * query, count(*), search with a filter, the query iterator and delete by filter, each checked against an expectation
 * computed here word by word (the vocabulary has no stop words and no two words with one stem); the errors of a field
 * without enable_match, of a non-string field and of a bad slop.
 *
 * <p>The delete runs last: the other tests' expectations count every row.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TextMatchSdkTest extends ConformanceBase {
    static final String COLL = "text_match_sdk";
    static final int SEALED = 1_200;
    static final int TOTAL = 1_500;
    static final int DIM = 4;
    static final String[] WORDS = {"apple", "banana", "cherry", "grape", "lemon", "mango", "melon", "peach", "plum", "kiwi"};
    static final String[] CHINESE = {"我们喜欢向量数据库", "向量是数据库的基础", "今天天气很好", "数据库和向量", "机器学习很有趣"};
    static final List<String[]> DOCS = new ArrayList<>();

    @BeforeAll
    static void load() {
        Random r = new Random(7);
        for (int i = 0; i < TOTAL; i++) {
            String[] doc = new String[1 + r.nextInt(8)];
            for (int k = 0; k < doc.length; k++) {
                doc[k] = WORDS[r.nextInt(WORDS.length - 1)]; // "kiwi" only where placed below
            }
            if (i % 97 == 5) {
                doc[doc.length - 1] = "kiwi";
            }
            DOCS.add(doc);
        }
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(DIM).build());
        s.addField(AddFieldReq.builder().fieldName("text").dataType(DataType.VarChar).maxLength(200).enableAnalyzer(true)
                .enableMatch(true).analyzerParams(Map.of("type", "english")).build());
        s.addField(AddFieldReq.builder().fieldName("zh").dataType(DataType.VarChar).maxLength(200).enableAnalyzer(true)
                .enableMatch(true).analyzerParams(Map.of("type", "chinese")).build());
        s.addField(AddFieldReq.builder().fieldName("plain").dataType(DataType.VarChar).maxLength(200).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(COLL).collectionSchema(s)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        client.insert(InsertReq.builder().collectionName(COLL).data(rows(0, SEALED)).build());
        client.flush(FlushReq.builder().collectionNames(List.of(COLL)).build());
        client.createIndex(CreateIndexReq.builder().collectionName(COLL).indexParams(List.of(IndexParam.builder().fieldName("vector")
                .indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.L2).build())).build());
        client.loadCollection(LoadCollectionReq.builder().collectionName(COLL).build());
        awaitLoaded(COLL);
        client.insert(InsertReq.builder().collectionName(COLL).data(rows(SEALED, TOTAL)).build());
    }

    static List<JsonObject> rows(int from, int to) {
        Random r = new Random(from);
        List<JsonObject> rows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", (long) i);
            o.add("vector", json(randVec(r, DIM)));
            // capitalised on odd rows: matching is case-insensitive (the analyzer lowercases documents and queries)
            String text = String.join(" ", DOCS.get(i));
            o.addProperty("text", i % 2 == 1 ? text.toUpperCase() : text);
            o.addProperty("zh", CHINESE[i % CHINESE.length]);
            o.addProperty("plain", text);
            rows.add(o);
        }
        return rows;
    }

    static List<Long> expected(Predicate<String[]> p) {
        return IntStream.range(0, TOTAL).filter(i -> p.test(DOCS.get(i))).mapToObj(i -> (long) i).toList();
    }

    static boolean any(String[] doc, String... words) {
        return Arrays.stream(doc).anyMatch(w -> Arrays.asList(words).contains(w));
    }

    /** Two-word phrase within slop, computed directly: some a at p and b at q with |q - (p + 1)| <= slop. */
    static boolean phrase(String[] doc, String a, String b, int slop) {
        for (int p = 0; p < doc.length; p++) {
            for (int q = 0; q < doc.length; q++) {
                if (doc[p].equals(a) && doc[q].equals(b) && p != q && Math.abs(q - (p + 1)) <= slop) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void textMatchInQueryAndCountOverSealedAndGrowingRows() {
        List<Long> apple = expected(d -> any(d, "apple"));
        assertThat(apple).anyMatch(id -> id < SEALED).anyMatch(id -> id >= SEALED);
        assertThat(idsOf(query(COLL, "text_match(text, 'apple')", List.of("id")), "id")).isEqualTo(apple);
        assertThat(count(COLL, "TEXT_MATCH(text, 'APPLES')")).isEqualTo(apple.size()); // english stems the query too
        assertThat(idsOf(query(COLL, "text_match(text, 'plum cherry')", List.of("id")), "id"))
                .isEqualTo(expected(d -> any(d, "plum", "cherry")));
        assertThat(count(COLL, "text_match(text, 'plum') and text_match(text, 'cherry')"))
                .isEqualTo(expected(d -> any(d, "plum") && any(d, "cherry")).size());
        assertThat(count(COLL, "not text_match(text, 'mango') and id >= 1000"))
                .isEqualTo(expected(d -> !any(d, "mango")).stream().filter(id -> id >= 1000).count());
        assertThat(count(COLL, "text_match(text, 'lemon') or id in [0, 1]"))
                .isEqualTo(expected(d -> any(d, "lemon")).size() + IntStream.of(0, 1).filter(i -> !any(DOCS.get(i), "lemon")).count());
        assertThat(count(COLL, "text_match(text, 'durian')")).isZero();
    }

    @Test
    void phraseMatchWithSlop() {
        for (int slop = 0; slop <= 2; slop++) {
            int s = slop;
            assertThat(idsOf(query(COLL, "phrase_match(text, 'grape melon', " + slop + ")", List.of("id")), "id"))
                    .as("slop %d", slop).isEqualTo(expected(d -> phrase(d, "grape", "melon", s)));
        }
        assertThat(count(COLL, "PHRASE_MATCH(text, 'Peach Banana')")).isEqualTo(expected(d -> phrase(d, "peach", "banana", 0)).size());
        assertThat(count(COLL, "phrase_match(text, 'banana')")).isEqualTo(expected(d -> any(d, "banana")).size());
    }

    @Test
    void chineseQueryWordsFindTheDocumentsHoldingThem() {
        assertThat(count(COLL, "text_match(zh, '数据库')")).isEqualTo(TOTAL / CHINESE.length * 3);
        assertThat(idsOf(query(COLL, "text_match(zh, '天气') and id < 20", List.of("id")), "id")).containsExactly(2L, 7L, 12L, 17L);
        assertThat(idsOf(query(COLL, "phrase_match(zh, '向量数据库') and id < 10", List.of("id")), "id")).containsExactly(0L, 5L);
        // 向量 and 数据库 one character (是) apart: slop counts characters under jieba
        assertThat(idsOf(query(COLL, "phrase_match(zh, '向量数据库', 1) and id < 10", List.of("id")), "id"))
                .containsExactly(0L, 1L, 5L, 6L);
    }

    @Test
    void searchWithATextFilterReturnsOnlyMatchingRows() {
        List<Long> peach = expected(d -> any(d, "peach"));
        SearchResp r = client.search(SearchReq.builder().collectionName(COLL).annsField("vector").data(List.of(new FloatVec(new float[DIM])))
                .topK(50).filter("text_match(text, 'peach') and id % 2 == 0").outputFields(List.of("text"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        List<SearchResp.SearchResult> hits = r.getSearchResults().get(0);
        assertThat(hits).hasSize((int) Math.min(50, peach.stream().filter(id -> id % 2 == 0).count()));
        for (SearchResp.SearchResult h : hits) {
            long id = (Long) h.getId();
            assertThat(peach).contains(id);
            assertThat(id % 2).isZero();
            assertThat(((String) h.getEntity().get("text")).toLowerCase()).contains("peach");
        }
    }

    @Test
    void queryIteratorPagesThroughMatchingRows() {
        var it = client.queryIterator(QueryIteratorReq.builder().collectionName(COLL).expr("text_match(text, 'cherry grape')")
                .outputFields(List.of("id")).batchSize(97).build());
        List<Long> ids = new ArrayList<>();
        for (var page = it.next(); !page.isEmpty(); page = it.next()) {
            page.forEach(row -> ids.add((Long) row.get("id")));
        }
        it.close();
        assertThat(ids.stream().sorted().toList()).isEqualTo(expected(d -> any(d, "cherry", "grape")));
    }

    @Test
    @Order(Integer.MAX_VALUE) // unannotated tests have order Integer.MAX_VALUE / 2
    void deleteByTextFilterOnSealedAndGrowingRows() {
        List<Long> kiwi = expected(d -> any(d, "kiwi"));
        assertThat(kiwi).anyMatch(id -> id < SEALED).anyMatch(id -> id >= SEALED);
        assertThat(count(COLL, "text_match(text, 'kiwi')")).isEqualTo(kiwi.size());
        long before = count(COLL, "");
        client.delete(DeleteReq.builder().collectionName(COLL).filter("text_match(text, 'kiwi')").build());
        assertThat(count(COLL, "text_match(text, 'kiwi')")).isZero();
        assertThat(count(COLL, "")).isEqualTo(before - kiwi.size());
    }

    @Test
    void errorsAsMilvus() {
        MilvusClientException noIndex = serverError(() -> query(COLL, "text_match(plain, 'apple')", List.of("id")));
        assertThat(noIndex.getServerErrCode()).isEqualTo(2042);
        assertThat(noIndex.getMessage()).contains("failed to get text index, text index not found");
        MilvusClientException inSearch = serverError(() -> client.search(SearchReq.builder().collectionName(COLL).annsField("vector")
                .data(List.of(new FloatVec(new float[DIM]))).topK(3).filter("phrase_match(plain, 'a b')").build()));
        assertThat(inSearch.getServerErrCode()).isEqualTo(2042);
        MilvusClientException nonString = serverError(() -> count(COLL, "text_match(id, 'apple')"));
        assertThat(nonString.getServerErrCode()).isEqualTo(1100);
        assertThat(nonString.getMessage()).contains("text match operation on non-string is unsupported");
        MilvusClientException negative = serverError(() -> count(COLL, "phrase_match(text, 'apple banana', -1)"));
        assertThat(negative.getServerErrCode()).isEqualTo(1100);
        assertThat(negative.getMessage()).contains("slop");
        MilvusClientException notConst = serverError(() -> client.query(QueryReq.builder().collectionName(COLL)
                .filter("phrase_match(text, 'apple banana', id)").outputFields(List.of("id")).build()));
        assertThat(notConst.getServerErrCode()).isEqualTo(1100);
        MilvusClientException deleteNoIndex = serverError(() -> client.delete(DeleteReq.builder().collectionName(COLL)
                .filter("text_match(plain, 'apple')").build()));
        assertThat(deleteNoIndex.getServerErrCode()).isEqualTo(2042);
    }
}
