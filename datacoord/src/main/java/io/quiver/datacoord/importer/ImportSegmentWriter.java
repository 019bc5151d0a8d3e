package io.quiver.datacoord.importer;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.binlog.LogIdRange;
import io.quiver.common.binlog.ResultSegmentWriter;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import io.quiver.common.schema.Schemas;
import io.quiver.common.schema.Sharding;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CompactionResultSegment;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;
import io.quiver.storage.ObjectStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntToLongFunction;

/**
 * Turns batches of imported rows into sealed segments: assigns auto-id primary keys and row ids from the id
 * allocator, stamps every row with the job's one timestamp, routes rows to (partition, shard) exactly as an insert
 * does ({@link Sharding} on the primary key, and on the partition key when there is one), buffers them per target
 * and writes a flushed L1 segment ({@link ResultSegmentWriter}: binlogs, pk statslog, manifest) whenever a target
 * holds {@code maxRows}, handing its record, flagged with the job id, to {@code sink}.
 */
final class ImportSegmentWriter {
    /** Where the segments' records go (datacoord's segment meta) once their files are written. */
    interface Sink extends Consumer<SegmentInfo> {}

    private record Target(int partition, int shard) {}

    private final ObjectStore store;
    private final CollectionInfo collection;
    private final List<Long> partitionIds;
    private final FieldSchema pk;
    private final FieldSchema partitionKey;
    private final IntToLongFunction ids;
    private final long jobId;
    private final long ts;
    private final long maxRows;
    private final long nowMs;
    private final Sink sink;
    private final Map<Target, Map<Long, FieldColumn>> buffers = new LinkedHashMap<>();

    record Params(long jobId, long ts, long maxRows, long nowMs) {}

    ImportSegmentWriter(ObjectStore store, CollectionInfo collection, List<Long> partitionIds, IntToLongFunction ids, Params p, Sink sink) {
        this.store = requireNonNull(store, "store is null");
        this.collection = requireNonNull(collection, "collection is null");
        this.partitionIds = List.copyOf(partitionIds);
        this.ids = requireNonNull(ids, "ids is null");
        this.pk = Schemas.primaryKey(collection.getSchema());
        this.partitionKey = collection.getSchema().getFieldsList().stream().filter(FieldSchema::getIsPartitionKey).findFirst().orElse(null);
        this.jobId = p.jobId();
        this.ts = p.ts();
        this.maxRows = Math.max(1, p.maxRows());
        this.nowMs = p.nowMs();
        this.sink = requireNonNull(sink, "sink is null");
    }

    /** Adds a batch of rows (user columns by field id, as {@link ImportBatch#drain} gives them). */
    void add(Map<Long, FieldColumn> batch, int n) {
        if (n == 0) {
            return;
        }
        long firstId = ids.applyAsLong(n);
        LongColumn rowIds = new LongColumn(Schemas.ROW_ID_FIELD, DataType.Int64, false);
        LongColumn tss = new LongColumn(Schemas.TIMESTAMP_FIELD, DataType.Int64, false);
        rowIds.append(longs(Schemas.ROW_ID_FIELD, firstId, 1, n), n);
        tss.append(longs(Schemas.TIMESTAMP_FIELD, ts, 0, n), n);
        Map<Long, FieldColumn> cols = new LinkedHashMap<>(batch);
        cols.put(Schemas.ROW_ID_FIELD, rowIds);
        cols.put(Schemas.TIMESTAMP_FIELD, tss);
        if (pk.getAutoID()) {
            LongColumn keys = new LongColumn(pk.getFieldID(), DataType.Int64, false);
            keys.append(longs(pk.getFieldID(), firstId, 1, n), n);
            cols.put(pk.getFieldID(), keys);
        }
        Map<Target, List<Integer>> routed = route(cols, n);
        for (Map.Entry<Target, List<Integer>> e : routed.entrySet()) {
            int[] rows = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            Map<Long, FieldColumn> buf = buffers.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>());
            for (Map.Entry<Long, FieldColumn> c : cols.entrySet()) {
                FieldColumn dst = buf.computeIfAbsent(c.getKey(), id -> emptyLike(c.getValue()));
                dst.append(c.getValue().toFieldData("", rows, rows.length), rows.length);
            }
            if (buf.get(Schemas.ROW_ID_FIELD).size() >= maxRows) {
                write(e.getKey(), buffers.remove(e.getKey()));
            }
        }
    }

    /** Writes every buffered target as a (possibly smaller) segment. */
    void finish() {
        for (Target t : List.copyOf(buffers.keySet())) {
            write(t, buffers.remove(t));
        }
    }

    private Map<Target, List<Integer>> route(Map<Long, FieldColumn> cols, int n) {
        FieldColumn keys = cols.get(pk.getFieldID());
        FieldColumn part = partitionKey == null ? null : cols.get(partitionKey.getFieldID());
        int shards = collection.getVchannelsCount();
        Map<Target, List<Integer>> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            int shard = shardOf(keys, i, shards);
            int p = part == null ? 0 : shardOf(part, i, partitionIds.size());
            out.computeIfAbsent(new Target(p, shard), k -> new ArrayList<>()).add(i);
        }
        return out;
    }

    private static int shardOf(FieldColumn c, int row, int n) {
        return c instanceof StringColumn s ? Sharding.shardOf(s.get(row), n) : Sharding.shardOf(((LongColumn) c).get(row), n);
    }

    private void write(Target t, Map<Long, FieldColumn> cols) {
        int n = cols.get(Schemas.ROW_ID_FIELD).size();
        long partitionId = partitionIds.get(t.partition());
        String vchannel = collection.getVchannels(t.shard());
        int logIds = ResultSegmentWriter.logIdsPerSegment(collection);
        long segmentId = ids.applyAsLong(1 + logIds);
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        CompactionResultSegment r = new ResultSegmentWriter(store, collection, partitionId, vchannel)
                .write(segmentId, cols, rows, 0, n, new LogIdRange(jobId, segmentId + 1, logIds));
        sink.accept(SegmentInfo.newBuilder().setSegmentId(segmentId).setCollectionId(collection.getCollectionId())
                .setPartitionId(partitionId).setVchannel(vchannel).setState(SegmentState.FLUSHED).setLevel(SegmentLevel.L1)
                .setNumRows(n).setMaxRows(maxRows).setManifestPath(r.getManifestPath()).setManifestVersion(r.getManifestVersion())
                .setCreatedMs(nowMs).setFlushedTs(ts).setMinTs(r.getMinTs()).setMaxTs(r.getMaxTs()).setSizeBytes(r.getSizeBytes())
                .setImportJobId(jobId).build());
    }

    private FieldColumn emptyLike(FieldColumn src) {
        if (src.fieldId() < Schemas.FIRST_USER_FIELD) {
            return new LongColumn(src.fieldId(), DataType.Int64, false);
        }
        return FieldColumn.create(Schemas.byId(collection.getSchema(), src.fieldId()).orElseThrow());
    }

    /** {@code n} int64 values {@code first, first + step, ...} as a FieldData. */
    private static FieldData longs(long fieldId, long first, long step, int n) {
        LongArray.Builder b = LongArray.newBuilder();
        for (int i = 0; i < n; i++) {
            b.addData(first + i * step);
        }
        return FieldData.newBuilder().setType(DataType.Int64).setFieldId(fieldId)
                .setScalars(ScalarField.newBuilder().setLongData(b)).build();
    }
}
