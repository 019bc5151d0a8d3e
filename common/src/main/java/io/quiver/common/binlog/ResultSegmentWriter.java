package io.quiver.common.binlog;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.schema.Schemas;
import io.quiver.proto.Binlog;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CompactionResultSegment;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentManifest;
import io.quiver.storage.ObjectStore;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes one result segment of a mix compaction or a bulk import: a binlog per field (row ids, timestamps and every user field), a
 * pk statslog and a version-1 L1 manifest under a fresh log id, as {@code ChannelWriter} lays out a synced segment.
 */
public final class ResultSegmentWriter {
    private final ObjectStore store;
    private final CollectionInfo collection;
    private final long partitionId;
    private final String vchannel;
    private final FieldSchema pkField;

    public ResultSegmentWriter(ObjectStore store, CollectionInfo collection, long partitionId, String vchannel) {
        this.store = requireNonNull(store, "store is null");
        this.collection = requireNonNull(collection, "collection is null");
        this.partitionId = partitionId;
        this.vchannel = requireNonNull(vchannel, "vchannel is null");
        this.pkField = Schemas.primaryKey(collection.getSchema());
    }

    /** Log ids one result segment takes: a binlog per field (user fields + row id + timestamp), a statslog, a manifest. */
    public static int logIdsPerSegment(CollectionInfo collection) {
        return collection.getSchema().getFieldsCount() + 4;
    }

    /**
     * Writes rows {@code rows[from..to)} of the source columns (keyed by field id, including row ids and timestamps)
     * as segment {@code segmentId}.
     */
    public CompactionResultSegment write(long segmentId, Map<Long, FieldColumn> source, int[] rows, int from, int to, LogIdRange logIds) {
        long coll = collection.getCollectionId();
        int n = to - from;
        int[] slice = Arrays.copyOfRange(rows, from, to);
        LongColumn srcTs = (LongColumn) source.get(Schemas.TIMESTAMP_FIELD);
        long minTs = Long.MAX_VALUE, maxTs = 0;
        for (int r : slice) {
            minTs = Math.min(minTs, srcTs.get(r));
            maxTs = Math.max(maxTs, srcTs.get(r));
        }
        SegmentManifest.Builder m = SegmentManifest.newBuilder().setSegmentId(segmentId).setCollectionId(coll)
                .setPartitionId(partitionId).setVchannel(vchannel).setVersion(1).setNumRows(n).setLevel(SegmentLevel.L1);
        long size = 0;
        FieldColumn pkOut = null;
        for (Map.Entry<Long, FieldColumn> e : source.entrySet()) {
            long field = e.getKey();
            FieldColumn out = gather(e.getValue(), slice);
            if (field == pkField.getFieldID()) {
                pkOut = out;
            }
            byte[] data = BinlogCodec.write(out, 0, n, minTs, maxTs);
            long id = logIds.next();
            String path = SegmentPaths.insertLog(coll, partitionId, segmentId, field, id);
            store.put(path, data);
            size += data.length;
            m.addBinlogs(FieldBinlog.newBuilder().setFieldId(field).addBinlogs(Binlog.newBuilder().setLogId(id).setPath(path)
                    .setEntries(n).setTsFrom(minTs).setTsTo(maxTs).setSize(data.length)));
        }
        byte[] stats = PkStats.build(requireNonNull(pkOut, "primary key column missing"), n).serialize();
        long sid = logIds.next();
        String spath = SegmentPaths.statsLog(coll, partitionId, segmentId, pkField.getFieldID(), sid);
        store.put(spath, stats);
        size += stats.length;
        m.addStatslogs(FieldBinlog.newBuilder().setFieldId(pkField.getFieldID()).addBinlogs(Binlog.newBuilder()
                .setLogId(sid).setPath(spath).setEntries(n).setSize(stats.length)));
        SegmentManifest manifest = m.build();
        String mpath = SegmentPaths.manifest(coll, partitionId, segmentId, logIds.next());
        store.put(mpath, manifest.toByteArray());
        return CompactionResultSegment.newBuilder().setSegmentId(segmentId).setManifestPath(mpath).setManifestVersion(1)
                .setNumRows(n).setMinTs(minTs).setMaxTs(maxTs).setSizeBytes(size).build();
    }

    /** A new column of the same field holding {@code rows} of {@code src}, in that order (nulls kept). */
    private FieldColumn gather(FieldColumn src, int[] rows) {
        FieldColumn out = emptyLike(src);
        out.append(src.toFieldData("", rows, rows.length), rows.length);
        return out;
    }

    private FieldColumn emptyLike(FieldColumn src) {
        if (src.fieldId() < Schemas.FIRST_USER_FIELD) {
            return new LongColumn(src.fieldId(), DataType.Int64, false);
        }
        FieldSchema f = Schemas.byId(collection.getSchema(), src.fieldId())
                .orElseThrow(() -> new IllegalStateException("field " + src.fieldId() + " is not in the schema"));
        return FieldColumn.create(f);
    }
}
