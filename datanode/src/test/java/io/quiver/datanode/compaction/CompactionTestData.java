package io.quiver.datanode.compaction;

import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import io.quiver.common.binlog.BinlogCodec;
import io.quiver.common.binlog.DeleteBatch;
import io.quiver.common.binlog.DeltalogCodec;
import io.quiver.common.binlog.PkStats;
import io.quiver.common.binlog.SegmentPaths;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.proto.Binlog;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CompactionSegment;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.PartitionInfo;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentManifest;
import io.quiver.storage.ObjectStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes test segments the way ChannelWriter does (BinlogCodec per field incl. row ids and timestamps, a PkStats
 * statslog, DeltalogCodec deltalogs) for a collection {id INT64 pk (100), v FLOAT_VECTOR dim 2 (101), tag VARCHAR (102)}.
 */
final class CompactionTestData {
    static final long COLL = 7;
    static final long PART = 8;
    static final String VCHANNEL = "t-dml_0_7v0";
    static final CollectionInfo COLLECTION = CollectionInfo.newBuilder().setCollectionId(COLL)
            .setSchema(CollectionSchema.newBuilder()
                    .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
                    .addFields(FieldSchema.newBuilder().setFieldID(101).setName("v").setDataType(DataType.FloatVector)
                            .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue("2")))
                    .addFields(FieldSchema.newBuilder().setFieldID(102).setName("tag").setDataType(DataType.VarChar)
                            .addTypeParams(KeyValuePair.newBuilder().setKey("max_length").setValue("64"))))
            .addVchannels(VCHANNEL).addPchannels("t-dml_0")
            .addPartitions(PartitionInfo.newBuilder().setPartitionId(PART).setName("_default")).build();

    private final ObjectStore store;
    private final AtomicLong logIds = new AtomicLong(1_000_000);

    CompactionTestData(ObjectStore store) {
        this.store = store;
    }

    /** A row of the test collection: its vector is (pk, ts) and its tag "t{pk}@{ts}", so every value tells its origin. */
    record Row(long pk, long ts) {
        float[] vector() { return new float[] {pk, ts}; }

        String tag() { return "t" + pk + "@" + ts; }
    }

    /** Writes a flushed L1 segment of {@code rows} with the given deltalogs and returns it as a plan input. */
    CompactionSegment segment(long segmentId, Row[] rows, DeleteBatch... deltalogs) {
        int n = rows.length;
        long minTs = Long.MAX_VALUE, maxTs = 0;
        LongArray.Builder pks = LongArray.newBuilder();
        FloatArray.Builder vecs = FloatArray.newBuilder();
        StringArray.Builder tags = StringArray.newBuilder();
        LongColumn rowIds = new LongColumn(0, DataType.Int64, false);
        LongColumn ts = new LongColumn(1, DataType.Int64, false);
        for (Row r : rows) {
            pks.addData(r.pk());
            vecs.addData(r.vector()[0]).addData(r.vector()[1]);
            tags.addData(r.tag());
            rowIds.add(segmentId * 1000 + r.pk());
            ts.add(r.ts());
            minTs = Math.min(minTs, r.ts());
            maxTs = Math.max(maxTs, r.ts());
        }
        Map<Long, FieldColumn> cols = new LinkedHashMap<>();
        cols.put(0L, rowIds);
        cols.put(1L, ts);
        cols.put(100L, column(0, FieldData.newBuilder().setFieldId(100).setType(DataType.Int64)
                .setScalars(ScalarField.newBuilder().setLongData(pks)).build(), n));
        cols.put(101L, column(1, FieldData.newBuilder().setFieldId(101).setType(DataType.FloatVector)
                .setVectors(VectorField.newBuilder().setDim(2).setFloatVector(vecs)).build(), n));
        cols.put(102L, column(2, FieldData.newBuilder().setFieldId(102).setType(DataType.VarChar)
                .setScalars(ScalarField.newBuilder().setStringData(tags)).build(), n));
        SegmentManifest.Builder m = SegmentManifest.newBuilder().setSegmentId(segmentId).setCollectionId(COLL).setPartitionId(PART)
                .setVchannel(VCHANNEL).setVersion(3).setNumRows(n).setLevel(SegmentLevel.L1);
        for (Map.Entry<Long, FieldColumn> e : cols.entrySet()) {
            byte[] data = BinlogCodec.write(e.getValue(), 0, n, minTs, maxTs);
            long id = logIds.getAndIncrement();
            String path = SegmentPaths.insertLog(COLL, PART, segmentId, e.getKey(), id);
            store.put(path, data);
            m.addBinlogs(FieldBinlog.newBuilder().setFieldId(e.getKey()).addBinlogs(Binlog.newBuilder().setLogId(id).setPath(path)
                    .setEntries(n).setTsFrom(minTs).setTsTo(maxTs).setSize(data.length)));
        }
        byte[] stats = PkStats.build(cols.get(100L), n).serialize();
        String spath = SegmentPaths.statsLog(COLL, PART, segmentId, 100, logIds.getAndIncrement());
        store.put(spath, stats);
        m.addStatslogs(FieldBinlog.newBuilder().setFieldId(100).addBinlogs(Binlog.newBuilder().setPath(spath).setEntries(n).setSize(stats.length)));
        for (DeleteBatch d : deltalogs) {
            m.addDeltalogs(deltalog(COLL, PART, segmentId, d));
        }
        SegmentManifest manifest = m.build();
        String mpath = SegmentPaths.manifest(COLL, PART, segmentId, logIds.getAndIncrement());
        store.put(mpath, manifest.toByteArray());
        return CompactionSegment.newBuilder().setManifest(manifest).setSegment(SegmentInfo.newBuilder().setSegmentId(segmentId)
                .setCollectionId(COLL).setPartitionId(PART).setVchannel(VCHANNEL).setLevel(SegmentLevel.L1).setNumRows(n)
                .setManifestPath(mpath).setManifestVersion(3)).build();
    }

    /** Writes an L0 segment holding {@code deletes}; the plan input carries only its manifest path (read from the store). */
    CompactionSegment l0Segment(long segmentId, DeleteBatch deletes) {
        SegmentManifest manifest = SegmentManifest.newBuilder().setSegmentId(segmentId).setCollectionId(COLL).setPartitionId(-1)
                .setVchannel(VCHANNEL).setVersion(1).setLevel(SegmentLevel.L0).setNumRows(deletes.size())
                .addDeltalogs(deltalog(COLL, 0, segmentId, deletes)).build();
        String mpath = SegmentPaths.manifest(COLL, 0, segmentId, logIds.getAndIncrement());
        store.put(mpath, manifest.toByteArray());
        return CompactionSegment.newBuilder().setSegment(SegmentInfo.newBuilder().setSegmentId(segmentId).setCollectionId(COLL)
                .setPartitionId(-1).setVchannel(VCHANNEL).setLevel(SegmentLevel.L0).setManifestPath(mpath).setManifestVersion(1)).build();
    }

    private Binlog deltalog(long coll, long part, long seg, DeleteBatch d) {
        byte[] data = DeltalogCodec.write(d);
        long id = logIds.getAndIncrement();
        String path = SegmentPaths.deltaLog(coll, part, seg, id);
        store.put(path, data);
        return Binlog.newBuilder().setLogId(id).setPath(path).setEntries(d.size()).setSize(data.length).build();
    }

    private static FieldColumn column(int fieldIndex, FieldData fd, int n) {
        FieldColumn c = FieldColumn.create(COLLECTION.getSchema().getFields(fieldIndex));
        c.append(fd, n);
        return c;
    }

    static Row row(long pk, long ts) {
        return new Row(pk, ts);
    }

    static DeleteBatch deletes(long[] pks, long[] ts) {
        return DeleteBatch.ofLongs(pks, ts);
    }

    SegmentManifest manifest(String path) {
        try {
            return SegmentManifest.parseFrom(store.get(path));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads one field of a stored segment into a fresh column (row ids / timestamps: fields 0 / 1). */
    FieldColumn read(SegmentManifest m, long fieldId) {
        FieldColumn c = fieldId < 100 ? new LongColumn(fieldId, DataType.Int64, false)
                : FieldColumn.create(COLLECTION.getSchema().getFieldsList().stream().filter(f -> f.getFieldID() == fieldId).findFirst().orElseThrow());
        m.getBinlogsList().stream().filter(f -> f.getFieldId() == fieldId)
                .forEach(f -> f.getBinlogsList().forEach(b -> BinlogCodec.readInto(store.get(b.getPath()), c)));
        return c;
    }

    /** Bytes of every binlog, statslog and deltalog file of the manifest, as stored. */
    long storedBytes(SegmentManifest m) {
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
}
