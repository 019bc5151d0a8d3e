package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.IDs;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.StringArray;
import io.quiver.common.error.Statuses;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.SearchPlan;
import io.quiver.proto.ShardQueryResponse;
import io.quiver.proto.ShardSearchResponse;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The result assembler's reduce and response shaping, on shard answers built here. */
class ResultAssemblerTest {
    private static final CollectionInfo C = ReadPlannerTest.collection(ConsistencyLevel.Bounded);
    private final ResultAssembler assembler = new ResultAssembler(() -> "fresh-token");

    /** One shard answer: per query its hits as (pk, score) pairs, with a "tag" column "t<pk>". */
    private static ShardSearchResponse answer(long[][] pks, float[][] scores) {
        ShardSearchResponse.Builder b = ShardSearchResponse.newBuilder().setStatus(Statuses.success()).setNq(pks.length);
        LongArray.Builder ids = LongArray.newBuilder();
        StringArray.Builder tags = StringArray.newBuilder();
        for (int q = 0; q < pks.length; q++) {
            b.addTopks(pks[q].length);
            for (int i = 0; i < pks[q].length; i++) {
                ids.addData(pks[q][i]);
                tags.addData("t" + pks[q][i]);
                b.addScores(scores[q][i]);
            }
        }
        return b.setIds(IDs.newBuilder().setIntId(ids)).addFieldsData(FieldData.newBuilder().setType(DataType.VarChar).setFieldName("tag")
                .setFieldId(102).setScalars(ScalarField.newBuilder().setStringData(tags))).build();
    }

    private static ReadPlanner.PlannedSearch planned(int nq, int topk, int offset, int round, String metric, ReadPlanner.IteratorPage iterator) {
        ReadPlanner.SearchShape shape = new ReadPlanner.SearchShape(C.getSchema().getFields(1), metric, topk, offset, nq);
        Set<String> names = new LinkedHashSet<>(List.of("tag"));
        return new ReadPlanner.PlannedSearch(SearchPlan.getDefaultInstance(), ReadTs.strongAt(9), shape, round, null, List.of(102L),
                names, List.of("tag"), false, iterator);
    }

    @Test
    void oneReducedAnswerPassesThrough() {
        ShardSearchResponse a = answer(new long[][] {{1, 2, 3}}, new float[][] {{0.9f, 0.8f, 0.7f}});
        assertThat(ResultAssembler.isReduced(a, 1, 3)).isTrue();
        assertThat(ResultAssembler.reduce(List.of(a), 1, 3, false)).isSameAs(a);
        assertThat(ResultAssembler.isReduced(a, 1, 2)).isFalse(); // more hits than asked
        assertThat(ResultAssembler.isReduced(a, 2, 3)).isFalse(); // another nq
    }

    @Test
    void aKeyTwiceInOneAnswerIsMergedAway() {
        ShardSearchResponse a = answer(new long[][] {{1, 1, 2}}, new float[][] {{0.9f, 0.8f, 0.7f}});
        assertThat(ResultAssembler.isReduced(a, 1, 3)).isFalse();
        ShardSearchResponse merged = ResultAssembler.reduce(List.of(a), 1, 3, false);
        assertThat(merged.getIds().getIntId().getDataList()).containsExactly(1L, 2L);
        assertThat(merged.getScoresList()).containsExactly(0.9f, 0.7f);
    }

    @Test
    void shardsMergeByScoreEachKeyOnce() {
        ShardSearchResponse a = answer(new long[][] {{1, 2}, {5}}, new float[][] {{0.9f, 0.5f}, {0.4f}});
        ShardSearchResponse b = answer(new long[][] {{3, 1}, {6, 7}}, new float[][] {{0.7f, 0.6f}, {0.8f, 0.1f}});
        SearchResults r = assembler.search(C, planned(2, 3, 0, -1, "COSINE", null), List.of(a, b), 9);
        SearchResultData d = r.getResults();
        assertThat(d.getTopksList()).containsExactly(3L, 3L);
        assertThat(d.getIds().getIntId().getDataList()).containsExactly(1L, 3L, 2L, 6L, 5L, 7L);
        assertThat(d.getFieldsData(0).getScalars().getStringData().getDataList()).containsExactly("t1", "t3", "t2", "t6", "t5", "t7");
        assertThat(d.getOutputFieldsList()).containsExactly("tag");
        assertThat(d.getPrimaryFieldName()).isEqualTo("id");
        assertThat(r.getSessionTs()).isEqualTo(9);
        // distances: each answer ascending, the smallest first
        ShardSearchResponse near = answer(new long[][] {{1, 2}}, new float[][] {{0.1f, 0.5f}});
        ShardSearchResponse far = answer(new long[][] {{3, 2}}, new float[][] {{0.2f, 0.5f}});
        ShardSearchResponse l2 = ResultAssembler.reduce(List.of(near, far), 1, 3, true);
        assertThat(l2.getIds().getIntId().getDataList()).containsExactly(1L, 3L, 2L);
    }

    @Test
    void offsetAndRoundingShapeThePage() {
        ShardSearchResponse a = answer(new long[][] {{1, 2, 3, 4}, {5}}, new float[][] {{0.91234f, 0.81234f, 0.71234f, 0.6f}, {0.5f}});
        SearchResultData d = assembler.search(C, planned(2, 2, 1, 2, "COSINE", null), List.of(a), 0).getResults();
        assertThat(d.getTopksList()).containsExactly(2L, 0L);
        assertThat(d.getIds().getIntId().getDataList()).containsExactly(2L, 3L);
        assertThat(d.getScoresList()).containsExactly(0.81f, 0.71f);
        assertThat(d.getFieldsData(0).getScalars().getStringData().getDataList()).containsExactly("t2", "t3");
        assertThat(d.getTopK()).isEqualTo(2);
    }

    @Test
    void aFirstPageIsTheAnswerItself() {
        ShardSearchResponse a = answer(new long[][] {{1, 2}}, new float[][] {{0.9f, 0.8f}});
        SearchResultData d = assembler.search(C, planned(1, 2, 0, -1, "COSINE", null), List.of(a), 0).getResults();
        assertThat(d.getIds()).isSameAs(a.getIds());
        assertThat(d.getFieldsData(0)).isSameAs(a.getFieldsData(0));
        assertThat(d.getScoresList()).containsExactly(0.9f, 0.8f);
    }

    @Test
    void noHitsGiveTypedEmptyColumns() {
        ShardSearchResponse none = answer(new long[][] {{}}, new float[][] {{}});
        SearchResultData d = assembler.search(C, planned(1, 5, 0, -1, "COSINE", null), List.of(none), 0).getResults();
        assertThat(d.getTopksList()).containsExactly(0L);
        assertThat(d.hasIds()).isFalse();
        assertThat(d.getFieldsData(0).getScalars().hasStringData()).isTrue();
    }

    @Test
    void iteratorPagesCarryTokenAndBound() {
        ShardSearchResponse a = answer(new long[][] {{1, 2}}, new float[][] {{0.9f, 0.8f}});
        SearchResultData first = assembler.search(C, planned(1, 2, 0, -1, "COSINE", new ReadPlanner.IteratorPage("", null)), List.of(a), 0)
                .getResults();
        assertThat(first.getSearchIteratorV2Results().getToken()).isEqualTo("fresh-token");
        assertThat(first.getSearchIteratorV2Results().getLastBound()).isEqualTo(0.8f);
        ShardSearchResponse none = answer(new long[][] {{}}, new float[][] {{}});
        SearchResultData end = assembler.search(C, planned(1, 2, 0, -1, "COSINE", new ReadPlanner.IteratorPage("t", 0.8f)), List.of(none), 0)
                .getResults();
        assertThat(end.getSearchIteratorV2Results().getToken()).isEqualTo("t");
        assertThat(end.getSearchIteratorV2Results().getLastBound()).isEqualTo(0.8f);
    }

    private static ShardQueryResponse rows(long... pks) {
        LongArray.Builder ids = LongArray.newBuilder();
        for (long pk : pks) {
            ids.addData(pk);
        }
        return ShardQueryResponse.newBuilder().setStatus(Statuses.success()).setIds(IDs.newBuilder().setIntId(ids)).setCount(pks.length)
                .addFieldsData(FieldData.newBuilder().setType(DataType.Int64).setFieldName("id").setFieldId(100)
                        .setScalars(ScalarField.newBuilder().setLongData(ids))).build();
    }

    @Test
    void queryRowsMergeByKeyThenSkipTheOffset() {
        CollectionInfo c = C;
        ReadPlanner planner = new ReadPlanner(16384, 16384);
        var req = QueryRequest.newBuilder().setExpr("id > 0").addOutputFields("id").build();
        var p = Map.of("limit", "3", "offset", "1");
        ReadPlanner.PlannedQuery q = planner.planQuery(c, req, p, planner.checkQuery(req, p),
                new ReadPlanner.LoadedState(List.of(), IndexFacts.NONE, 0), ReadTs.atTsafe(1));
        QueryResults r = assembler.query(c, q, List.of(rows(1, 4, 6), rows(2, 4, 5)), 3);
        // limit 3 after offset 1: the second to fourth smallest keys, 4 once
        assertThat(r.getFieldsData(0).getScalars().getLongData().getDataList()).containsExactly(2L, 4L, 5L);
        assertThat(r.getOutputFieldsList()).containsExactly("id");
        assertThat(r.getSessionTs()).isEqualTo(3);
    }

    @Test
    void countSumsTheShards() {
        ReadPlanner planner = new ReadPlanner(16384, 16384);
        var req = QueryRequest.newBuilder().addOutputFields("count(*)").build();
        ReadPlanner.PlannedQuery q = planner.planQuery(C, req, Map.of(), planner.checkQuery(req, Map.of()),
                new ReadPlanner.LoadedState(List.of(), IndexFacts.NONE, 0), ReadTs.atTsafe(1));
        ShardQueryResponse a = ShardQueryResponse.newBuilder().setStatus(Statuses.success()).setCount(4).build();
        ShardQueryResponse b = ShardQueryResponse.newBuilder().setStatus(Statuses.success()).setCount(5).build();
        QueryResults r = assembler.query(C, q, List.of(a, b), 0);
        assertThat(r.getFieldsData(0).getScalars().getLongData().getDataList()).containsExactly(9L);
        assertThat(r.getOutputFieldsList()).containsExactly("count(*)");
    }

    @Test
    void noMatchIsTypedEmptyIds() {
        ShardQueryResponse none = ShardQueryResponse.newBuilder().setStatus(Statuses.success()).build();
        assertThat(ResultAssembler.matchingIds(C, List.of(none)).hasIntId()).isTrue();
    }
}
