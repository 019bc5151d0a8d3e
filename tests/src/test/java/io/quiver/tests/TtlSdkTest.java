package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.AlterCollectionPropertiesReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.GetReq;
import io.milvus.v2.service.utility.request.GetPersistentSegmentInfoReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Collection TTL ({@code collection.ttl.seconds}) through the official SDK: rows older than the TTL disappear from
 * count(*), query, get and search; newer rows stay; removing the TTL shows the old rows again (Milvus semantics:
 * TTL hides, compaction removes later).
 *
 * <p>No timing assertion: a "still visible" check is asserted only when the read provably ran within the TTL of the
 * insert (the clock is read after the call), and expiry is awaited with a bounded poll.
 */
class TtlSdkTest extends ConformanceBase {
    private static final String TTL = "collection.ttl.seconds";
    private static final int TTL_SECONDS = 3;
    private static final int DIM = 8;

    private static CreateCollectionReq.CollectionSchema schema() {
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(DIM).build());
        return s;
    }

    private static CreateCollectionReq.CreateCollectionReqBuilder<?, ?> create(String name) {
        return CreateCollectionReq.builder().collectionName(name).collectionSchema(schema()).consistencyLevel(ConsistencyLevel.STRONG)
                .indexParams(List.of(IndexParam.builder().fieldName("vector").indexType(IndexParam.IndexType.FLAT)
                        .metricType(IndexParam.MetricType.L2).build()));
    }

    private static List<Long> search(String coll) {
        SearchResp r = client.search(SearchReq.builder().collectionName(coll).annsField("vector").topK(100)
                .data(List.of(new FloatVec(randVec(new java.util.Random(1), DIM)))).consistencyLevel(ConsistencyLevel.STRONG).build());
        return ids(r.getSearchResults().get(0)).stream().sorted().toList();
    }

    private static List<Long> get(String coll, List<Long> ids) {
        return idsOf(client.get(GetReq.builder().collectionName(coll).ids(new ArrayList<Object>(ids)).build()).getGetResults(), "id");
    }

    private static List<Long> range(long from, long toExclusive) {
        return LongStream.range(from, toExclusive).boxed().toList();
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("%s within 60 s", what).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    /** Reads {@code ids} (inserted at or after {@code insertedAtMs}) and, if the reads ran within the TTL, asserts they see them. */
    private static void assertVisibleIfFresh(String coll, List<Long> ids, long insertedAtMs, long expectedCount) {
        long count = count(coll, "");
        List<Long> queried = idsOf(query(coll, "id in " + ids, List.of("id")), "id");
        List<Long> got = get(coll, ids);
        List<Long> searched = search(coll);
        if (System.currentTimeMillis() - insertedAtMs >= TTL_SECONDS * 1000L) {
            System.out.printf("TtlSdkTest: reads of %s ran after the TTL of the insert (slow machine): visibility not asserted%n", ids);
            return; // the rows may have expired meanwhile, nothing to conclude
        }
        assertThat(count).isEqualTo(expectedCount);
        assertThat(queried).containsExactlyElementsOf(ids);
        assertThat(got).containsExactlyElementsOf(ids);
        assertThat(searched).containsAll(ids);
    }

    @Test
    void ttlHidesExpiredRowsAndRemovingItShowsThemAgain() throws Exception {
        String coll = uniq("ttl");
        client.createCollection(create(coll).property(TTL, Integer.toString(TTL_SECONDS)).build());
        awaitLoaded(coll);
        assertThat(client.describeCollection(DescribeCollectionReq.builder().collectionName(coll).build()).getProperties())
                .containsEntry(TTL, Integer.toString(TTL_SECONDS));

        List<Long> old = range(0, 20);
        long t0 = System.currentTimeMillis();
        client.insert(InsertReq.builder().collectionName(coll).data(rows(0, randVecs(2, old.size(), DIM))).build());
        assertVisibleIfFresh(coll, old, t0, old.size());
        client.flush(FlushReq.builder().collectionNames(List.of(coll)).build()); // expiry must hold in sealed segments too

        awaitTrue("rows expire", () -> count(coll, "") == 0);
        assertThat(query(coll, "id in " + old, List.of("id"))).isEmpty();
        assertThat(get(coll, old)).isEmpty();
        assertThat(search(coll)).isEmpty();
        assertThat(count(coll, "id >= 0")).isZero();

        List<Long> fresh = range(100, 105);
        long t1 = System.currentTimeMillis();
        client.insert(InsertReq.builder().collectionName(coll).data(rows(100, randVecs(3, fresh.size(), DIM))).build());
        assertVisibleIfFresh(coll, fresh, t1, fresh.size());

        // TTL 0 = no TTL: expired rows that compaction has not removed yet are visible again (Milvus: TTL only hides;
        // compaction removes). Automatic compaction may already have rewritten the expired segment: then they are gone.
        boolean compactedAway = droppedExpiredSegment(coll);
        client.alterCollectionProperties(AlterCollectionPropertiesReq.builder().collectionName(coll).property(TTL, "0").build());
        if (!compactedAway) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (count(coll, "") != old.size() + fresh.size() && !(compactedAway = droppedExpiredSegment(coll))) {
                assertThat(System.currentTimeMillis()).as("rows visible again after TTL 0 within 60 s").isLessThan(deadline);
                Thread.sleep(250);
            }
        }
        if (compactedAway) {
            System.out.println("TtlSdkTest: the expired rows were compacted away before TTL 0 took effect");
            awaitTrue("only the fresh rows after TTL 0", () -> count(coll, "") == fresh.size());
            assertThat(query(coll, "id in " + old, List.of("id"))).isEmpty();
            assertThat(search(coll)).hasSize(fresh.size());
            return;
        }
        assertThat(idsOf(query(coll, "id in " + old, List.of("id")), "id")).containsExactlyElementsOf(old);
        assertThat(get(coll, List.of(0L, 19L, 100L))).containsExactly(0L, 19L, 100L);
        assertThat(search(coll)).hasSize(old.size() + fresh.size());
    }

    /** True once no flushed segment holds the expired rows any more (a compaction dropped them). */
    private static boolean droppedExpiredSegment(String coll) {
        var infos = client.getPersistentSegmentInfo(GetPersistentSegmentInfoReq.builder().collectionName(coll).build()).getSegmentInfos();
        long stored = infos.stream().filter(x -> !x.getLevel().equals("L0")).mapToLong(x -> x.getNumOfRows()).sum();
        return stored < 20; // the 20 expired rows were flushed into one segment; a rewrite keeps none of them
    }

    @Test
    void invalidTtlIsRejectedWithCode1100NamingTheProperty() {
        String coll = uniq("ttl_bad");
        var e = serverError(() -> client.createCollection(create(coll).property(TTL, "-5").build()));
        assertThat(e.getServerErrCode()).isEqualTo(1100);
        assertThat(e.getMessage()).contains(TTL);

        client.createCollection(create(coll).build());
        var alter = serverError(() -> client.alterCollectionProperties(AlterCollectionPropertiesReq.builder().collectionName(coll)
                .property(TTL, "soon").build()));
        assertThat(alter.getServerErrCode()).isEqualTo(1100);
        assertThat(alter.getMessage()).contains(TTL);
        assertThat(client.describeCollection(DescribeCollectionReq.builder().collectionName(coll).build()).getProperties())
                .doesNotContainKey(TTL);
    }
}
