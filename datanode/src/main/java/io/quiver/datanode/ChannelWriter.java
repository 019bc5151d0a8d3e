package io.quiver.datanode;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.metrics.MetricLabels.MsgType;
import io.quiver.common.binlog.BinlogCodec;
import io.quiver.common.binlog.DeleteBatch;
import io.quiver.common.binlog.DeltalogCodec;
import io.quiver.common.binlog.ManifestStats;
import io.quiver.common.binlog.PkStats;
import io.quiver.common.binlog.SegmentPaths;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.schema.Schemas;
import io.quiver.proto.Binlog;
import io.quiver.proto.ChannelCheckpoint;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DeleteMsg;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.MsgPosition;
import io.quiver.proto.SaveBinlogPathsRequest;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentManifest;
import io.quiver.proto.SegmentSync;
import io.quiver.proto.UpdateChannelCheckpointRequest;
import io.quiver.common.util.WalMessages;
import io.quiver.proto.WalMessage;
import io.quiver.storage.ObjectStore;
import io.quiver.storage.Wal;
import io.quiver.storage.WalPosition;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one vchannel from the WAL, buffers its rows per segment and its deletes, and syncs them to object
 * storage (DESIGN section 9.3).
 *
 * <p>Design: every sync is channel-wide. All buffered segments and deletes are written (binlogs per field,
 * a pk statslog, deltalogs in an L0 segment), each segment gets a new manifest version, and one
 * SaveBinlogPaths call records every manifest together with the new channel checkpoint in one transaction.
 * The checkpoint therefore always sits at a point where nothing before it is buffered and nothing after it
 * is persisted: a new owner that resumes after the checkpoint never loses and never duplicates a row.
 * A sync is triggered when a sealed segment's flush timestamp is passed by the channel's time tick, when the
 * buffer exceeds its size limit, or when it gets old. One thread per channel; the only shared state is the
 * flush request map.
 */
final class ChannelWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelWriter.class);
    static final long L0_PATH_PARTITION = 0;

    private final CollectionInfo collection;
    private final String vchannel;
    private final Wal wal;
    private final ObjectStore store;
    private final SyncTarget target;
    private final InstantSource clock;
    private final long syncBufferBytes;
    private final Duration syncPeriod;
    private final long nodeId;
    private final Wal.Consumer consumer;
    private final FieldSchema pkField;
    private final Map<Long, Long> flushRequests = new ConcurrentHashMap<>();
    private final DataNodeMetrics metrics;
    private final Map<Long, SegmentBuffer> buffers = new LinkedHashMap<>();
    private final Map<Long, SegmentManifest> manifests = new HashMap<>();
    private final Map<Long, Long> partitions = new HashMap<>();
    private final GrowingDeletes growingDeletes = new GrowingDeletes();
    private final Map<Long, Long> deletedRows = new HashMap<>(); // unflushed segment -> rows its deltalogs hide
    private final List<Object> deletedPks = new ArrayList<>();
    private final List<Long> deleteTs = new ArrayList<>();
    private long bufferedBytes;
    private long firstBufferedMs;
    private long tick;
    private WalPosition lastPosition;
    private MsgPosition lastReported;
    private long lastReportMs;
    private volatile boolean running = true;
    private volatile boolean dropped;

    ChannelWriter(CollectionInfo collection, String vchannel, MsgPosition seek, List<SegmentInfo> growing, List<SegmentInfo> recentL0, Wal wal,
                  ObjectStore store, SyncTarget target, InstantSource clock, long syncBufferBytes, Duration syncPeriod, long nodeId,
                  DataNodeMetrics metrics) {
        this.collection = requireNonNull(collection, "collection is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.vchannel = requireNonNull(vchannel, "vchannel is null");
        this.wal = requireNonNull(wal, "wal is null");
        this.store = requireNonNull(store, "store is null");
        this.target = requireNonNull(target, "target is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.syncBufferBytes = syncBufferBytes;
        this.syncPeriod = syncPeriod;
        this.nodeId = nodeId;
        this.pkField = Schemas.primaryKey(collection.getSchema());
        for (SegmentInfo s : growing) {
            partitions.put(s.getSegmentId(), s.getPartitionId());
            deletedRows.put(s.getSegmentId(), s.getDeletedRows());
            if (!s.getManifestPath().isEmpty()) {
                try {
                    SegmentManifest m = SegmentManifest.parseFrom(store.get(s.getManifestPath()));
                    manifests.put(s.getSegmentId(), m);
                    SyncedRows.read(store, m, pkField, (pk, ts) -> growingDeletes.row(s.getSegmentId(), pk, ts));
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("unreadable manifest " + s.getManifestPath(), e);
                }
            }
        }
        long seekTs = seek == null ? 0 : seek.getTimestamp();
        for (SegmentInfo l0 : recentL0) {
            SyncedRows.readDeletes(store, l0.getManifestPath(), (pk, ts) -> growingDeletes.delete(pk, ts, seekTs));
        }
        String pchannel = pchannelOf(collection, vchannel);
        Wal.StartPosition start;
        if (seek != null && !seek.getPosition().isEmpty()) {
            start = Wal.StartPosition.after(new WalPosition(seek.getPosition().toByteArray()));
            tick = seek.getTimestamp();
            lastPosition = new WalPosition(seek.getPosition().toByteArray());
        } else {
            MsgPosition sp = collection.getStartPositionsList().stream().filter(p -> p.getChannel().equals(vchannel)).findFirst().orElse(null);
            start = sp == null ? Wal.StartPosition.earliest() : Wal.StartPosition.at(new WalPosition(sp.getPosition().toByteArray()));
        }
        this.consumer = wal.subscribe(pchannel, WalMessages.datanodeSubscription(vchannel), start);
        LOG.info("datanode channel watching vchannel={} collectionId={} start={} growingSegments={}", vchannel,
                collection.getCollectionId(), start, growing.size());
    }

    static String pchannelOf(CollectionInfo c, String vchannel) {
        int i = c.getVchannelsList().indexOf(vchannel);
        if (i < 0) {
            throw new IllegalArgumentException("vchannel " + vchannel + " is not a channel of collection " + c.getCollectionId());
        }
        return c.getPchannels(i);
    }

    String vchannel() { return vchannel; }

    void requestFlush(List<Long> segmentIds, long flushTs) {
        metrics.flushRequested();
        for (long id : segmentIds) {
            flushRequests.merge(id, flushTs, Math::max);
        }
    }

    void stop(boolean drop) {
        dropped = drop;
        running = false;
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    List<Wal.WalMessage> batch = consumer.pollBatch(512, Duration.ofMillis(50));
                    for (Wal.WalMessage m : batch) {
                        apply(m);
                    }
                    maybeSync();
                } catch (RuntimeException e) {
                    LOG.warn("datanode channel round failed vchannel={}: {} (retrying)", vchannel, e.toString(), e);
                    WalMessages.backoff(1000);
                }
            }
        } finally {
            consumer.close();
            if (dropped) {
                wal.deleteSubscription(pchannelOf(collection, vchannel), WalMessages.datanodeSubscription(vchannel));
            }
        }
    }

    private void apply(Wal.WalMessage m) {
        WalMessage msg = WalMessages.parse(m);
        lastPosition = m.position();
        switch (msg.getBodyCase()) {
            case INSERT -> bufferInsert(msg.getInsert(), m.payload().length);
            case DELETE -> bufferDelete(msg.getDelete(), m.payload().length);
            case TIME_TICK -> {
                tick = Math.max(tick, msg.getTimeTick().getTimestamp());
                growingDeletes.tick(tick);
            }
            case GROUP -> {
                msg.getGroup().getDeletesList().forEach(del -> bufferDelete(del, del.getSerializedSize()));
                msg.getGroup().getInsertsList().forEach(ins -> bufferInsert(ins, ins.getSerializedSize()));
            }
            default -> { }
        }
    }

    private void markBuffered(long bytes) {
        if (bufferedBytes == 0) {
            firstBufferedMs = clock.millis();
        }
        bufferedBytes += bytes;
    }

    /** Buffers the rows of an insert into this writer's vchannel (the pchannel carries other vchannels too). */
    private void bufferInsert(InsertMsg ins, int bytes) {
        if (!ins.getVchannel().equals(vchannel)) {
            return;
        }
        metrics.consumed(MsgType.INSERT, collection.getCollectionId(), ins.getNumRows());
        SegmentBuffer b = buffers.computeIfAbsent(ins.getSegmentId(), id -> new SegmentBuffer(collection));
        partitions.putIfAbsent(ins.getSegmentId(), ins.getPartitionId());
        b.append(ins);
        long seg = ins.getSegmentId();
        SyncedRows.forEachKey(ins, pkField.getFieldID(), pk -> growingDeletes.row(seg, pk, ins.getTimestamp()));
        markBuffered(bytes);
    }

    private void bufferDelete(DeleteMsg del, int bytes) {
        if (!del.getVchannel().equals(vchannel)) {
            return;
        }
        var ids = del.getPrimaryKeys();
        metrics.consumed(MsgType.DELETE, collection.getCollectionId(), ids.hasIntId() ? ids.getIntId().getDataCount() : ids.getStrId().getDataCount());
        if (ids.hasIntId()) {
            for (long pk : ids.getIntId().getDataList()) {
                deletedPks.add(pk);
                deleteTs.add(del.getTimestamp());
                growingDeletes.delete(pk, del.getTimestamp(), tick);
            }
        } else {
            for (String pk : ids.getStrId().getDataList()) {
                deletedPks.add(pk);
                deleteTs.add(del.getTimestamp());
                growingDeletes.delete(pk, del.getTimestamp(), tick);
            }
        }
        markBuffered(bytes);
    }

    private void maybeSync() {
        boolean flushDue = flushRequests.values().stream().anyMatch(ts -> ts <= tick);
        boolean full = bufferedBytes >= syncBufferBytes;
        boolean old = bufferedBytes > 0 && clock.millis() - firstBufferedMs >= syncPeriod.toMillis();
        if (flushDue || full || old) {
            sync();
            return;
        }
        if (bufferedBytes == 0 && lastPosition != null && clock.millis() - lastReportMs >= 1000) {
            MsgPosition cp = checkpoint();
            if (!cp.equals(lastReported)) {
                target.updateCheckpoint(UpdateChannelCheckpointRequest.newBuilder().setNodeId(nodeId)
                        .addCheckpoints(ChannelCheckpoint.newBuilder().setVchannel(vchannel)
                                .setCollectionId(collection.getCollectionId()).setPosition(cp)).build());
                consumer.acknowledge(lastPosition);
                lastReported = cp;
            }
            lastReportMs = clock.millis();
        }
    }

    private MsgPosition checkpoint() {
        return MsgPosition.newBuilder().setChannel(vchannel).setPosition(ByteString.copyFrom(lastPosition.bytes())).setTimestamp(tick).build();
    }

    /** Writes everything buffered, then records all manifests and the checkpoint at once. */
    private void sync() {
        if (lastPosition == null) {
            return;
        }
        long coll = collection.getCollectionId();
        List<Long> flushing = new ArrayList<>();
        flushRequests.forEach((seg, ts) -> {
            if (ts <= tick) {
                flushing.add(seg);
            }
        });
        List<Long> touched = new ArrayList<>(buffers.keySet());
        for (long s : flushing) {
            if (!touched.contains(s)) {
                touched.add(s);
            }
        }
        for (long s : growingDeletes.segmentsWithPending()) {
            if (!touched.contains(s)) {
                touched.add(s);
            }
        }
        MsgPosition cp = checkpoint();
        SaveBinlogPathsRequest.Builder req = SaveBinlogPathsRequest.newBuilder().setVchannel(vchannel).setCollectionId(coll)
                .setCheckpoint(cp).setNodeId(nodeId);
        int logsNeeded = touched.size() * (collection.getSchema().getFieldsCount() + 5) + 2;
        long logId = target.allocateIds(logsNeeded);
        Map<Long, SegmentManifest> newManifests = new HashMap<>();
        Map<Long, Long> newDeleted = new HashMap<>();
        for (long seg : touched) {
            long part = partitions.getOrDefault(seg, collection.getPartitions(0).getPartitionId());
            SegmentManifest prev = manifests.getOrDefault(seg, SegmentManifest.newBuilder().setSegmentId(seg).setCollectionId(coll)
                    .setPartitionId(part).setVchannel(vchannel).setLevel(SegmentLevel.L1).build());
            SegmentManifest.Builder m = prev.toBuilder().setVersion(prev.getVersion() + 1);
            SegmentBuffer b = buffers.get(seg);
            if (b != null && b.rows() > 0) {
                int n = b.rows();
                Map<Long, FieldBinlog.Builder> byField = new LinkedHashMap<>();
                for (FieldBinlog fb : prev.getBinlogsList()) {
                    byField.put(fb.getFieldId(), fb.toBuilder());
                }
                for (Map.Entry<Long, FieldColumn> e : b.columns().entrySet()) {
                    long field = e.getKey();
                    byte[] data = BinlogCodec.write(e.getValue(), 0, n, b.minTs(), b.maxTs());
                    long id = logId++;
                    String path = SegmentPaths.insertLog(coll, part, seg, field, id);
                    store.put(path, data);
                    byField.computeIfAbsent(field, f -> FieldBinlog.newBuilder().setFieldId(f)).addBinlogs(Binlog.newBuilder()
                            .setLogId(id).setPath(path).setEntries(n).setTsFrom(b.minTs()).setTsTo(b.maxTs()).setSize(data.length));
                }
                m.clearBinlogs();
                byField.values().forEach(m::addBinlogs);
                byte[] stats = PkStats.build(b.columns().get(pkField.getFieldID()), n).serialize();
                long sid = logId++;
                String spath = SegmentPaths.statsLog(coll, part, seg, pkField.getFieldID(), sid);
                store.put(spath, stats);
                m.addStatslogs(FieldBinlog.newBuilder().setFieldId(pkField.getFieldID()).addBinlogs(Binlog.newBuilder()
                        .setLogId(sid).setPath(spath).setEntries(n).setSize(stats.length)));
                m.setNumRows(prev.getNumRows() + n);
            }
            GrowingDeletes.Pending pd = growingDeletes.pending(seg);
            if (pd != null && pd.size() > 0) {
                // the deletes that hide rows of this unflushed segment, in its own deltalog (L0 compaction never waits for it)
                byte[] data = DeltalogCodec.write(pd.batch(pkField.getDataType() == DataType.Int64));
                long id = logId++;
                String path = SegmentPaths.deltaLog(coll, part, seg, id);
                store.put(path, data);
                long lo = pd.ts.stream().mapToLong(Long::longValue).min().orElse(0);
                long hi = pd.ts.stream().mapToLong(Long::longValue).max().orElse(0);
                m.addDeltalogs(Binlog.newBuilder().setLogId(id).setPath(path).setEntries(pd.size()).setTsFrom(lo).setTsTo(hi).setSize(data.length));
                newDeleted.put(seg, deletedRows.getOrDefault(seg, 0L) + pd.size());
            }
            SegmentManifest manifest = m.build();
            // the key takes a fresh cluster-unique id, not the version counter: a manifest is never overwritten,
            // even by a writer that did not know an earlier version existed
            String mpath = SegmentPaths.manifest(coll, part, seg, logId++);
            store.put(mpath, manifest.toByteArray());
            newManifests.put(seg, manifest);
            req.addSegments(SegmentSync.newBuilder().setSegmentId(seg).setCollectionId(coll).setPartitionId(part)
                    .setManifestPath(mpath).setManifestVersion(manifest.getVersion()).setNumRows(manifest.getNumRows())
                    .setFlushed(flushing.contains(seg)).setLevel(SegmentLevel.L1)
                    .setMinTs(ManifestStats.minRowTs(manifest)).setMaxTs(ManifestStats.maxRowTs(manifest))
                    .setSizeBytes(ManifestStats.sizeBytes(manifest))
                    .setDeletedRows(newDeleted.getOrDefault(seg, deletedRows.getOrDefault(seg, 0L))));
        }
        if (!deletedPks.isEmpty()) {
            long l0 = target.allocateIds(1);
            long[] ts = deleteTs.stream().mapToLong(Long::longValue).toArray();
            DeleteBatch batch = pkField.getDataType() == DataType.Int64
                    ? DeleteBatch.ofLongs(deletedPks.stream().mapToLong(o -> (Long) o).toArray(), ts)
                    : DeleteBatch.ofStrings(deletedPks.stream().map(o -> (String) o).toArray(String[]::new), ts);
            byte[] data = DeltalogCodec.write(batch);
            long id = logId++;
            // L0 segments belong to every partition (-1 in metadata); object keys take ids >= 0, so they file under 0
            String path = SegmentPaths.deltaLog(coll, L0_PATH_PARTITION, l0, id);
            store.put(path, data);
            long minTs = Arrays.stream(ts).min().orElse(0);
            long maxTs = Arrays.stream(ts).max().orElse(0);
            SegmentManifest manifest = SegmentManifest.newBuilder().setSegmentId(l0).setCollectionId(coll).setPartitionId(-1)
                    .setVchannel(vchannel).setVersion(1).setLevel(SegmentLevel.L0).setNumRows(ts.length)
                    .addDeltalogs(Binlog.newBuilder().setLogId(id).setPath(path).setEntries(ts.length).setTsFrom(minTs).setTsTo(maxTs).setSize(data.length))
                    .build();
            String mpath = SegmentPaths.manifest(coll, L0_PATH_PARTITION, l0, logId++);
            store.put(mpath, manifest.toByteArray());
            req.addSegments(SegmentSync.newBuilder().setSegmentId(l0).setCollectionId(coll).setPartitionId(-1)
                    .setManifestPath(mpath).setManifestVersion(1).setNumRows(ts.length).setFlushed(true).setLevel(SegmentLevel.L0)
                    .setMinTs(minTs).setMaxTs(maxTs).setSizeBytes(data.length));
        }
        target.saveBinlogPaths(req.build());
        // only now, with everything recorded, forget the buffers and let the WAL drop what precedes the checkpoint
        manifests.putAll(newManifests);
        deletedRows.putAll(newDeleted);
        growingDeletes.written();
        for (long seg : flushing) {
            manifests.remove(seg);
            deletedRows.remove(seg);
            growingDeletes.forget(seg);
            flushRequests.remove(seg);
            partitions.remove(seg);
        }
        buffers.clear();
        deletedPks.clear();
        deleteTs.clear();
        bufferedBytes = 0;
        consumer.acknowledge(lastPosition);
        lastReported = cp;
        lastReportMs = clock.millis();
        LOG.info("channel synced vchannel={} segments={} flushed={} checkpointTs={}", vchannel, touched.size(), flushing, tick);
    }

    /** Rows of one segment buffered since the last sync, column by column (row ids = field 0, timestamps = field 1). */
    static final class SegmentBuffer {
        private final Map<Long, FieldColumn> columns = new LinkedHashMap<>();
        private final Map<Long, FieldSchema> fields = new HashMap<>();
        private final LongColumn rowIds = new LongColumn(Schemas.ROW_ID_FIELD, DataType.Int64, false);
        private final LongColumn timestamps = new LongColumn(Schemas.TIMESTAMP_FIELD, DataType.Int64, false);
        private long minTs = Long.MAX_VALUE;
        private long maxTs;

        SegmentBuffer(CollectionInfo c) {
            columns.put(Schemas.ROW_ID_FIELD, rowIds);
            columns.put(Schemas.TIMESTAMP_FIELD, timestamps);
            for (FieldSchema f : c.getSchema().getFieldsList()) {
                columns.put(f.getFieldID(), FieldColumn.create(f));
                fields.put(f.getFieldID(), f);
            }
        }

        void append(InsertMsg ins) {
            int n = (int) ins.getNumRows();
            for (FieldData fd : ins.getFieldsDataList()) {
                FieldColumn col = columns.get(fd.getFieldId());
                if (col != null && fd.getFieldId() >= Schemas.FIRST_USER_FIELD) {
                    col.append(fd, n);
                }
            }
            for (int i = 0; i < n; i++) {
                rowIds.add(ins.getRowIdsCount() > i ? ins.getRowIds(i) : 0);
            }
            timestamps.addRepeated(ins.getTimestamp(), n);
            minTs = Math.min(minTs, ins.getTimestamp());
            maxTs = Math.max(maxTs, ins.getTimestamp());
        }

        int rows() { return timestamps.size(); }

        long minTs() { return minTs == Long.MAX_VALUE ? 0 : minTs; }

        long maxTs() { return maxTs; }

        Map<Long, FieldColumn> columns() { return columns; }
    }
}
