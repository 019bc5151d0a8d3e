package io.quiver.querynode;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.quiver.proto.ApplyDeleteRequest;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.QueryPlan;
import io.quiver.proto.ShardQueryRequest;
import io.quiver.proto.ShardQueryResponse;
import io.quiver.proto.ShardSearchRequest;
import io.quiver.proto.ShardSearchResponse;
import io.quiver.proto.TimeTickMsg;
import io.quiver.proto.WalMessage;
import io.quiver.storage.LocalWal;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardDelegatorTest {
    private static final CollectionSchema SCHEMA = CollectionSchema.newBuilder().setName("c")
            .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true)).build();
    private static final CollectionInfo COLL = CollectionInfo.newBuilder().setCollectionId(1).setName("c").setSchema(SCHEMA)
            .setShardsNum(1).addVchannels("dml_0_1v0").addPchannels("dml_0").build();

    private static Segment growing(long id, long ts, long... pks) {
        Segment s = new Segment(id, 10, SCHEMA, true);
        LongArray.Builder a = LongArray.newBuilder();
        for (long pk : pks) a.addData(pk);
        s.append(InsertMsg.newBuilder().setSegmentId(id).setVchannel("dml_0_1v0").setTimestamp(ts).setNumRows(pks.length)
                .addFieldsData(FieldData.newBuilder().setFieldId(100).setType(DataType.Int64).setScalars(ScalarField.newBuilder().setLongData(a)))
                .build());
        return s;
    }

    /**
     * A leader that starts after a channel sync loads the synced growing segment from its manifest and the deletes of
     * the same checkpoint from L0: those deletes must hide the growing rows (before, they only waited for sealed
     * segments, and deleted rows came back after a leader moved or the server restarted).
     */
    @Test
    void l0DeletesHideRowsOfGrowingSegmentsLoadedAtStart(@TempDir Path dir) {
        Segment g = growing(7, 100, 1, 2, 3);
        LocalWal wal = new LocalWal(dir);
        ShardDelegator d = new ShardDelegator(COLL, "dml_0_1v0", 1, wal, null, List.of(g), List.of(), Set.of(),
                new NoRemote(), new LocalSearcher(SegmentFanOut.callerOnly()), ids -> List.of());
        d.addDeletes(2L, 200L);
        assertThat(g.deletes().hides(2L, 100, 300)).isTrue();
        assertThat(g.deletes().hides(1L, 100, 300)).isFalse();
        assertThat(g.deletes().hides(2L, 100, 150)).isFalse(); // reads before the delete still see the row
    }

    private static QueryPlan count(long guaranteeTs, long mvccTs, boolean strong) {
        return QueryPlan.newBuilder().setCollectionId(1).addOutputFieldIds(100).setLimit(-1).setCountOnly(true)
                .setGuaranteeTs(guaranteeTs).setMvccTs(mvccTs).setStrong(strong).build();
    }

    /**
     * Strong reads do not wait for a time tick: the leader reads once it has applied the WAL through its newest
     * message. A later read at the shard's own timestamp (Bounded) then shows at least what the Strong one showed,
     * although no tick has moved tSafe.
     */
    @Test
    void strongReadSeesAnAcknowledgedWriteWithoutATimeTickAndLaterReadsDoToo(@TempDir Path dir) throws Exception {
        withTickAt50AndAnInsertAt100(dir, d -> {
            // a read at the shard's timestamp: tSafe is 50 (no tick after the insert), the row is not visible yet
            assertThat(d.query(count(1, 0, false), 5_000).getCount()).isZero();
            // Strong: no tick needed, the acknowledged insert is seen
            assertThat(d.query(count(200, 200, true), 5_000).getCount()).isEqualTo(3);
            assertThat(d.tsafe()).isEqualTo(50);
            // and a later read at the shard's timestamp shows no less than the Strong read did
            assertThat(d.query(count(1, 0, false), 5_000).getCount()).isEqualTo(3);
        });
    }

    /**
     * A Strong read the proxy could not get a timestamp for (the TSO unreachable) reads everything the leader applied
     * through the WAL's end: an acknowledged insert newer than tSafe is seen, and later reads show no less.
     */
    @Test
    void strongReadWithoutATimestampReadsEverythingAppliedThroughTheWalEnd(@TempDir Path dir) throws Exception {
        withTickAt50AndAnInsertAt100(dir, d -> {
            assertThat(d.query(count(0, 0, true), 5_000).getCount()).isEqualTo(3);
            assertThat(d.tsafe()).isEqualTo(50);
            assertThat(d.query(count(1, 0, false), 5_000).getCount()).isEqualTo(3);
        });
    }

    private interface LeaderCheck {
        void run(ShardDelegator d) throws Exception;
    }

    /** A running leader whose WAL holds a time tick at 50, then an acknowledged (durable) insert of 3 rows at 100. */
    private static void withTickAt50AndAnInsertAt100(Path dir, LeaderCheck check) throws Exception {
        LocalWal wal = new LocalWal(dir);
        ShardDelegator d = new ShardDelegator(COLL, "dml_0_1v0", 1, wal, null, List.of(), List.of(), Set.of(),
                new NoRemote(), new LocalSearcher(SegmentFanOut.callerOnly()), ids -> List.of());
        Thread consumer = new Thread(d, "leader");
        consumer.start();
        try {
            wal.produce("dml_0", WalMessage.newBuilder().setTimeTick(TimeTickMsg.newBuilder().setTimestamp(50)).build().toByteArray());
            Segment rows = growing(5, 100, 1, 2, 3);
            InsertMsg ins = InsertMsg.newBuilder().setSegmentId(5).setPartitionId(10).setVchannel("dml_0_1v0").setTimestamp(100).setNumRows(3)
                    .addFieldsData(rows.column(100).toFieldData("id", new int[] {0, 1, 2}, 3)).build();
            wal.produce("dml_0", WalMessage.newBuilder().setInsert(ins).build().toByteArray());
            check.run(d);
        } finally {
            d.stop();
            consumer.join(5_000);
            wal.close();
        }
    }

    private static final class NoRemote implements RemoteWorkers {
        @Override
        public CompletableFuture<ShardSearchResponse> search(String a, ShardSearchRequest r) {
            throw new AssertionError("no remote workers in this test");
        }

        @Override
        public CompletableFuture<ShardQueryResponse> query(String a, ShardQueryRequest r) {
            throw new AssertionError("no remote workers in this test");
        }

        @Override
        public void applyDelete(String a, ApplyDeleteRequest r) {
            throw new AssertionError("no remote workers in this test");
        }
    }
}
