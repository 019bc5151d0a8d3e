package io.quiver.datanode;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.IDs;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.VectorField;
import io.quiver.common.binlog.DeltalogCodec;
import io.quiver.common.column.FloatVectorColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.binlog.BinlogCodec;
import io.quiver.proto.Binlog;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DeleteMsg;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.PartitionInfo;
import io.quiver.proto.SaveBinlogPathsRequest;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentManifest;
import io.quiver.proto.SegmentSync;
import io.quiver.proto.TimeTickMsg;
import io.quiver.proto.UpdateChannelCheckpointRequest;
import io.quiver.proto.WalMessage;
import io.quiver.storage.LocalObjectStore;
import io.quiver.storage.LocalWal;
import java.nio.file.Path;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.MilvusMetric;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelWriterTest {
    private final MetricsRegistry registry = MetricsRegistry.create();

    @TempDir
    Path tmp;

    @Test
    void flushWritesBinlogsAndL0DeletesAtomicallyWithTheCheckpoint() throws Exception {
        CollectionSchema schema = CollectionSchema.newBuilder()
                .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
                .addFields(FieldSchema.newBuilder().setFieldID(101).setName("v").setDataType(DataType.FloatVector)
                        .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue("2")))
                .build();
        CollectionInfo c = CollectionInfo.newBuilder().setCollectionId(7).setSchema(schema).addVchannels("t-dml_0_7v0")
                .addPchannels("t-dml_0").addPartitions(PartitionInfo.newBuilder().setPartitionId(8).setName("_default")).build();
        List<SaveBinlogPathsRequest> saved = new CopyOnWriteArrayList<>();
        SyncTarget target = recording(saved);
        try (LocalWal wal = new LocalWal(tmp.resolve("wal")); LocalObjectStore store = new LocalObjectStore(tmp.resolve("obj"))) {
            InsertMsg ins = InsertMsg.newBuilder().setCollectionId(7).setPartitionId(8).setSegmentId(11).setVchannel("t-dml_0_7v0")
                    .setTimestamp(100).setNumRows(3).addRowIds(1).addRowIds(2).addRowIds(3)
                    .addFieldsData(FieldData.newBuilder().setFieldId(100).setType(DataType.Int64)
                            .setScalars(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addData(1).addData(2).addData(3))))
                    .addFieldsData(FieldData.newBuilder().setFieldId(101).setType(DataType.FloatVector).setVectors(VectorField.newBuilder()
                            .setDim(2).setFloatVector(FloatArray.newBuilder().addData(1).addData(2).addData(3).addData(4).addData(5).addData(6))))
                    .build();
            wal.produce("t-dml_0", WalMessage.newBuilder().setInsert(ins).build().toByteArray());
            wal.produce("t-dml_0", WalMessage.newBuilder().setDelete(DeleteMsg.newBuilder().setCollectionId(7).setPartitionId(-1)
                    .setVchannel("t-dml_0_7v0").setTimestamp(110).setPrimaryKeys(IDs.newBuilder().setIntId(LongArray.newBuilder().addData(2)))).build().toByteArray());
            wal.produce("t-dml_0", WalMessage.newBuilder().setTimeTick(TimeTickMsg.newBuilder().setTimestamp(200)).build().toByteArray());
            ChannelWriter w = new ChannelWriter(c, "t-dml_0_7v0", null, List.of(), List.of(), wal, store, target, InstantSource.system(),
                    64L << 20, Duration.ofMinutes(5), 1, new DataNodeMetrics(registry, "1"));
            w.requestFlush(List.of(11L), 150);
            assertThat(registry.counter(MilvusMetric.DATANODE_FLUSH_REQ_COUNT, "1", "success").get()).isEqualTo(1);
            runUntilSynced(w, saved);
            assertThat(saved).hasSize(1);
            SaveBinlogPathsRequest r = saved.get(0);
            assertThat(r.getCheckpoint().getTimestamp()).isEqualTo(200);
            SegmentSync l1 = r.getSegmentsList().stream().filter(s -> s.getLevel() == SegmentLevel.L1).findFirst().orElseThrow();
            assertThat(l1.getSegmentId()).isEqualTo(11);
            assertThat(l1.getFlushed()).isTrue();
            assertThat(l1.getNumRows()).isEqualTo(3);
            SegmentManifest m = SegmentManifest.parseFrom(store.get(l1.getManifestPath()));
            FloatVectorColumn col = new FloatVectorColumn(101, 2);
            m.getBinlogsList().stream().filter(f -> f.getFieldId() == 101).forEach(f -> f.getBinlogsList()
                    .forEach(b -> BinlogCodec.readInto(store.get(b.getPath()), col)));
            assertThat(col.size()).isEqualTo(3);
            assertThat(col.array()[4]).isEqualTo(5f);
            SegmentSync l0 = r.getSegmentsList().stream().filter(s -> s.getLevel() == SegmentLevel.L0).findFirst().orElseThrow();
            assertThat(l0.getPartitionId()).isEqualTo(-1);
            SegmentManifest dm = SegmentManifest.parseFrom(store.get(l0.getManifestPath()));
            var deletes = DeltalogCodec.read(store.get(dm.getDeltalogs(0).getPath()));
            assertThat(deletes.longPks()).containsExactly(2L);
            assertThat(deletes.timestamps()).containsExactly(110L);
            // the delete hides a row of the (then unflushed) segment: it is in the segment's own deltalog too
            assertThat(m.getDeltalogsCount()).isEqualTo(1);
            var own = DeltalogCodec.read(store.get(m.getDeltalogs(0).getPath()));
            assertThat(own.longPks()).containsExactly(2L);
            assertThat(own.timestamps()).containsExactly(110L);
            assertThat(l1.getDeletedRows()).isEqualTo(1);
            assertThat(l1.getMinTs()).isEqualTo(100);
            assertThat(l1.getMaxTs()).isEqualTo(100);
            assertThat(l1.getSizeBytes()).isEqualTo(storedBytes(store, m)).isPositive();
            assertThat(l0.getMinTs()).isEqualTo(110);
            assertThat(l0.getMaxTs()).isEqualTo(110);
            assertThat(l0.getSizeBytes()).isEqualTo(store.get(dm.getDeltalogs(0).getPath()).length);
        }
    }

    @Test
    void syncReportsTheTimestampRangeAndSizeOfEverythingPersistedSoFar() throws Exception {
        CollectionSchema schema = CollectionSchema.newBuilder()
                .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
                .build();
        CollectionInfo c = CollectionInfo.newBuilder().setCollectionId(7).setSchema(schema).addVchannels("t-dml_0_7v0")
                .addPchannels("t-dml_0").addPartitions(PartitionInfo.newBuilder().setPartitionId(8).setName("_default")).build();
        List<SaveBinlogPathsRequest> saved = new CopyOnWriteArrayList<>();
        SyncTarget target = recording(saved);
        try (LocalWal wal = new LocalWal(tmp.resolve("wal")); LocalObjectStore store = new LocalObjectStore(tmp.resolve("obj"))) {
            // segment 11 was synced before (rows at 50..60, 1000 bytes of files): a previous manifest version
            SegmentManifest prev = SegmentManifest.newBuilder().setSegmentId(11).setCollectionId(7).setPartitionId(8)
                    .setVchannel("t-dml_0_7v0").setVersion(1).setNumRows(4).setLevel(SegmentLevel.L1)
                    .addBinlogs(FieldBinlog.newBuilder().setFieldId(1).addBinlogs(Binlog.newBuilder().setPath("old/ts")
                            .setEntries(4).setTsFrom(50).setTsTo(60).setSize(400)))
                    .addBinlogs(FieldBinlog.newBuilder().setFieldId(100).addBinlogs(Binlog.newBuilder().setPath("old/pk")
                            .setEntries(4).setTsFrom(50).setTsTo(60).setSize(500)))
                    .addStatslogs(FieldBinlog.newBuilder().setFieldId(100).addBinlogs(Binlog.newBuilder().setPath("old/stats").setSize(100)))
                    .build();
            store.put("files/manifest/7/8/11/1", prev.toByteArray());
            // the synced rows themselves: the new owner reads their keys and timestamps (deletes that hide them go to the
            // segment's own deltalog)
            LongColumn oldTs = new LongColumn(1, DataType.Int64, false);
            LongColumn oldPk = new LongColumn(100, DataType.Int64, false);
            for (long i = 0; i < 4; i++) {
                oldTs.add(50 + i * 3);
                oldPk.add(i + 1);
            }
            store.put("old/ts", BinlogCodec.write(oldTs, 0, 4, 50, 60));
            store.put("old/pk", BinlogCodec.write(oldPk, 0, 4, 50, 60));
            SegmentInfo growing = SegmentInfo.newBuilder().setSegmentId(11).setCollectionId(7).setPartitionId(8)
                    .setVchannel("t-dml_0_7v0").setManifestPath("files/manifest/7/8/11/1").setManifestVersion(1).build();
            for (long ts : new long[] {100, 120}) {
                wal.produce("t-dml_0", WalMessage.newBuilder().setInsert(InsertMsg.newBuilder().setCollectionId(7).setPartitionId(8)
                        .setSegmentId(11).setVchannel("t-dml_0_7v0").setTimestamp(ts).setNumRows(1).addRowIds(ts)
                        .addFieldsData(FieldData.newBuilder().setFieldId(100).setType(DataType.Int64)
                                .setScalars(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addData(ts))))).build().toByteArray());
            }
            for (long ts : new long[] {130, 110}) {
                wal.produce("t-dml_0", WalMessage.newBuilder().setDelete(DeleteMsg.newBuilder().setCollectionId(7).setPartitionId(-1)
                        .setVchannel("t-dml_0_7v0").setTimestamp(ts).setPrimaryKeys(IDs.newBuilder().setIntId(LongArray.newBuilder().addData(5)))).build().toByteArray());
            }
            wal.produce("t-dml_0", WalMessage.newBuilder().setTimeTick(TimeTickMsg.newBuilder().setTimestamp(200)).build().toByteArray());
            ChannelWriter w = new ChannelWriter(c, "t-dml_0_7v0", null, List.of(growing), List.of(), wal, store, target, InstantSource.system(),
                    64L << 20, Duration.ofMinutes(5), 1, new DataNodeMetrics(registry, "1"));
            w.requestFlush(List.of(11L), 150);
            runUntilSynced(w, saved);
            assertThat(saved).hasSize(1);
            SegmentSync l1 = saved.get(0).getSegmentsList().stream().filter(s -> s.getLevel() == SegmentLevel.L1).findFirst().orElseThrow();
            assertThat(l1.getNumRows()).isEqualTo(6);
            assertThat(l1.getMinTs()).isEqualTo(50);
            assertThat(l1.getMaxTs()).isEqualTo(120);
            SegmentManifest m = SegmentManifest.parseFrom(store.get(l1.getManifestPath()));
            long newFiles = m.getBinlogsList().stream().flatMap(f -> f.getBinlogsList().stream())
                    .filter(b -> !b.getPath().startsWith("old/")).mapToLong(b -> store.get(b.getPath()).length).sum()
                    + m.getStatslogsList().stream().flatMap(f -> f.getBinlogsList().stream())
                    .filter(b -> !b.getPath().startsWith("old/")).mapToLong(b -> store.get(b.getPath()).length).sum();
            assertThat(newFiles).isPositive();
            assertThat(l1.getSizeBytes()).isEqualTo(1000 + newFiles);
            SegmentSync l0 = saved.get(0).getSegmentsList().stream().filter(s -> s.getLevel() == SegmentLevel.L0).findFirst().orElseThrow();
            assertThat(l0.getMinTs()).isEqualTo(110);
            assertThat(l0.getMaxTs()).isEqualTo(130);
            SegmentManifest dm = SegmentManifest.parseFrom(store.get(l0.getManifestPath()));
            assertThat(l0.getSizeBytes()).isEqualTo(store.get(dm.getDeltalogs(0).getPath()).length);
        }
    }

    private static long storedBytes(LocalObjectStore store, SegmentManifest m) {
        long size = 0;
        for (FieldBinlog fb : m.getBinlogsList()) {
            for (Binlog b : fb.getBinlogsList()) size += store.get(b.getPath()).length;
        }
        for (FieldBinlog fb : m.getStatslogsList()) {
            for (Binlog b : fb.getBinlogsList()) size += store.get(b.getPath()).length;
        }
        for (Binlog b : m.getDeltalogsList()) size += store.get(b.getPath()).length;
        return size;
    }

    /** A sync target that records what it is told and hands out ids from 1000. */
    private static SyncTarget recording(List<SaveBinlogPathsRequest> saved) {
        AtomicLong ids = new AtomicLong(1000);
        return new SyncTarget() {
            @Override
            public void saveBinlogPaths(SaveBinlogPathsRequest r) {
                saved.add(r);
            }

            @Override
            public void updateCheckpoint(UpdateChannelCheckpointRequest r) {
            }

            @Override
            public long allocateIds(int count) {
                return ids.getAndAdd(count);
            }
        };
    }

    /** Runs the writer on its own thread until it synced once (bounded), then stops it. */
    private static void runUntilSynced(ChannelWriter w, List<SaveBinlogPathsRequest> saved) throws InterruptedException {
        Thread t = new Thread(w);
        t.start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (saved.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        w.stop(false);
        t.join(5000);
    }
}
