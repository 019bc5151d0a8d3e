package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.milvus.v2.common.CompactionState;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.utility.request.CompactReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.utility.request.GetCompactionStateReq;
import io.milvus.v2.service.utility.request.GetPersistentSegmentInfoReq;
import io.milvus.v2.service.utility.response.GetPersistentSegmentInfoResp;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Manual compaction through the official SDK (issue 10): {@code compact} / {@code getCompactionState} /
 * {@code getPersistentSegmentInfo}. After a compaction the answers are the same as before it (deletes stay deleted,
 * upserts keep their latest value), repeated primary keys of plain inserts resolve to the latest row ("latest wins",
 * DESIGN 14.9), and the small flushed segments were merged.
 */
class CompactionSdkTest extends ConformanceBase {
    private static final int DIM = 8;
    private static final int BATCH = 100;

    private static void createCollection(String coll) {
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(DIM).build());
        s.addField(AddFieldReq.builder().fieldName("val").dataType(DataType.Int64).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(s).consistencyLevel(ConsistencyLevel.STRONG)
                .indexParams(List.of(IndexParam.builder().fieldName("vector").indexType(IndexParam.IndexType.FLAT)
                        .metricType(IndexParam.MetricType.L2).build()))
                .build());
        awaitLoaded(coll);
    }

    /** Rows {id, vector, val} for the given ids. */
    private static List<JsonObject> rows(List<Long> ids, long seed, java.util.function.LongUnaryOperator val) {
        Random r = new Random(seed);
        List<JsonObject> out = new ArrayList<>();
        for (long id : ids) {
            JsonObject o = new JsonObject();
            o.addProperty("id", id);
            o.add("vector", json(randVec(r, DIM)));
            o.addProperty("val", val.applyAsLong(id));
            out.add(o);
        }
        return out;
    }

    private static List<Long> range(long from, long toExclusive) {
        return LongStream.range(from, toExclusive).boxed().toList();
    }

    private static void flush(String coll) {
        client.flush(FlushReq.builder().collectionNames(List.of(coll)).build());
    }

    private static void awaitTrue(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("%s within %d s", what, seconds).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    /** Flushed data segments (L0 delete segments and dropped compaction inputs excluded). */
    private static long flushedDataSegments(String coll) {
        GetPersistentSegmentInfoResp r = client.getPersistentSegmentInfo(GetPersistentSegmentInfoReq.builder().collectionName(coll).build());
        return r.getSegmentInfos().stream().filter(s -> s.getState().equals("Flushed") && !s.getLevel().equals("L0")).count();
    }

    private static void compactAndWait(String coll) throws InterruptedException {
        long id = client.compact(CompactReq.builder().collectionName(coll).build()).getCompactionID();
        assertThat(id).isPositive();
        awaitTrue("compaction " + id + " completed", 120, () ->
                client.getCompactionState(GetCompactionStateReq.builder().compactionID(id).build()).getState() == CompactionState.Completed);
    }

    private static List<Long> searchIds(String coll, int topK) {
        return ids(client.search(SearchReq.builder().collectionName(coll).annsField("vector").topK(topK)
                .data(List.of(new FloatVec(randVec(new Random(99), DIM)))).consistencyLevel(ConsistencyLevel.STRONG).build())
                .getSearchResults().get(0));
    }

    @Test
    void compactionKeepsAnswersAndMergesSmallSegments() throws Exception {
        String coll = uniq("compact");
        createCollection(coll);
        for (int b = 0; b < 3; b++) {
            client.insert(InsertReq.builder().collectionName(coll).data(rows(range(b * BATCH, (b + 1) * BATCH), b, id -> id)).build());
            flush(coll); // one small segment per batch
        }
        List<Long> all = range(0, 3 * BATCH);
        List<Long> upserted = range(0, 3 * BATCH / 2);
        client.upsert(UpsertReq.builder().collectionName(coll).data(rows(upserted, 10, id -> 1000 + id)).build());
        List<Long> deleted = all.stream().filter(id -> id % 4 == 3).toList();
        client.delete(DeleteReq.builder().collectionName(coll).ids(new ArrayList<Object>(deleted)).build());
        flush(coll);
        long live = all.size() - deleted.size();
        assertThat(count(coll, "")).isEqualTo(live);
        long segmentsBefore = flushedDataSegments(coll);
        assertThat(segmentsBefore).isGreaterThanOrEqualTo(3);

        compactAndWait(coll);

        assertThat(count(coll, "")).isEqualTo(live);
        assertThat(query(coll, "id in " + deleted, List.of("id"))).isEmpty();
        List<Long> upsertedLive = upserted.stream().filter(id -> id % 4 != 3).toList();
        List<QueryResp.QueryResult> rows = query(coll, "id in " + upsertedLive, List.of("id", "val"));
        Map<Long, List<Long>> valsById = rows.stream().collect(Collectors.groupingBy(r -> ((Number) r.getEntity().get("id")).longValue(),
                Collectors.mapping(r -> ((Number) r.getEntity().get("val")).longValue(), Collectors.toList())));
        assertThat(valsById).hasSize(upsertedLive.size());
        valsById.forEach((id, vals) -> assertThat(vals).as("id %d", id).containsExactly(1000 + id));
        assertThat(searchIds(coll, (int) live)).doesNotHaveDuplicates().doesNotContainAnyElementsOf(deleted).hasSize((int) live);
        awaitTrue("small segments merged", 120, () -> flushedDataSegments(coll) < segmentsBefore);
    }

    @Test
    void repeatedPrimaryKeysOfPlainInsertsResolveToTheLatestRow() throws Exception {
        String coll = uniq("compact_dup");
        createCollection(coll);
        List<Long> ids = range(0, 50);
        client.insert(InsertReq.builder().collectionName(coll).data(rows(ids, 1, id -> 1)).build());
        flush(coll);
        client.insert(InsertReq.builder().collectionName(coll).data(rows(ids, 2, id -> 2)).build()); // the same keys again
        flush(coll);

        compactAndWait(coll);

        // the read path switches to the compaction result asynchronously (handoff): wait for it, bounded
        awaitTrue("one row per key after compaction", 120, () -> count(coll, "") == ids.size());
        assertThat(count(coll, "id == 7")).isEqualTo(1);
        List<QueryResp.QueryResult> rows = query(coll, "id in " + ids, List.of("id", "val"));
        assertThat(idsOf(rows, "id")).containsExactlyElementsOf(ids);
        assertThat(rows).allSatisfy(r -> assertThat(((Number) r.getEntity().get("val")).longValue()).isEqualTo(2));
        List<Long> hits = searchIds(coll, 100);
        assertThat(hits).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
    }
}
