package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import io.quiver.proto.ChannelCheckpoint;
import io.quiver.proto.MsgPosition;
import io.quiver.proto.SaveBinlogPathsRequest;
import io.quiver.proto.SegmentIDAssignment;
import io.quiver.proto.SegmentIDRequest;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;
import io.quiver.proto.SegmentSync;
import io.quiver.storage.MetaKv;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import javax.annotation.concurrent.GuardedBy;
import javax.annotation.concurrent.ThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment allocation, sealing and flush state (DESIGN sections 6 and 9), persisted under
 * {@code <root>/datacoord/segment/<coll>/<part>/<seg>} and {@code <root>/datacoord/channel-cp/<vchannel>}.
 *
 * <p>Design: one growing segment per (collection, partition, vchannel) takes assignments until its
 * estimated size is reached; then it is sealed at a TSO timestamp and its datanode is told to flush it once
 * the channel's time tick passes that timestamp. Because the proxy allocates a request's timestamp before it
 * asks for a segment, and sealing takes a later timestamp under the same lock that stops assignments, every
 * row of a sealed segment has ts &lt;= seal_ts. Assigned-row counts are not persisted: on restart, every
 * growing segment is sealed so new rows go to new segments.
 */
@ThreadSafe
public final class SegmentManager {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentManager.class);

    /** Tells the datanode owning a vchannel to flush sealed segments. */
    public interface FlushNotifier {
        void flush(String vchannel, List<Long> segmentIds, long flushTs);
    }

    private final MetaKv kv;
    private final String prefix;
    private final IntToLongFunction idAllocator;
    private final LongSupplier tso;
    private final InstantSource clock;
    private final long segmentMaxBytes;
    private final Duration maxLife;
    private final Duration maxIdle;
    private final double sealDeletedRatio;
    private final FlushNotifier notifier;
    @GuardedBy("this") private final Map<Long, SegmentInfo> segments = new HashMap<>();
    @GuardedBy("this") private final Map<String, ChannelCheckpoint> checkpoints = new HashMap<>();
    @GuardedBy("this") private final Map<Long, Long> maxRowsByCollection = new HashMap<>();

    /** When growing segments seal: estimated size, age, idle time, and the share of their rows hidden by deletes. */
    public record SealPolicy(long segmentMaxBytes, Duration maxLife, Duration maxIdle, double deletedRatio) {
        /** A segment with at least this many rows is sealed when {@link #deletedRatio} of them are hidden. */
        static final long MIN_ROWS_FOR_DELETED_SEAL = 1000;
    }

    public SegmentManager(MetaKv kv, String root, IntToLongFunction idAllocator, LongSupplier tso, InstantSource clock,
                          SealPolicy policy, FlushNotifier notifier) {
        this.kv = requireNonNull(kv, "kv is null");
        this.prefix = root + "/datacoord/";
        this.idAllocator = requireNonNull(idAllocator, "idAllocator is null");
        this.tso = requireNonNull(tso, "tso is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.segmentMaxBytes = policy.segmentMaxBytes();
        this.maxLife = requireNonNull(policy.maxLife(), "maxLife is null");
        this.maxIdle = requireNonNull(policy.maxIdle(), "maxIdle is null");
        this.sealDeletedRatio = policy.deletedRatio();
        this.notifier = requireNonNull(notifier, "notifier is null");
    }

    /**
     * Loads persisted segments and channel checkpoints. Must run before datacoord serves anything: a channel
     * handed to a datanode before this would be watched without its checkpoint and unflushed manifests.
     */
    public synchronized void load() {
        for (var e : kv.scan(prefix + "segment/").kvs()) {
            SegmentInfo s = parse(e.value(), SegmentInfo.parser());
            segments.put(s.getSegmentId(), s);
        }
        for (var e : kv.scan(prefix + "channel-cp/").kvs()) {
            ChannelCheckpoint c = parse(e.value(), ChannelCheckpoint.parser());
            checkpoints.put(c.getVchannel(), c);
        }
        LOG.info("segments loaded count={} checkpoints={}", segments.size(), checkpoints.size());
    }

    /**
     * Seals the growing segments of a previous life (their assignment counts were not persisted, so no new row
     * may go to them); needs the TSO, so it runs once rootcoord answers. Returns the segments awaiting flush.
     */
    public synchronized List<SegmentInfo> sealRecovered() {
        List<SegmentInfo> toFlush = new ArrayList<>();
        long sealTs = tso.getAsLong();
        for (SegmentInfo s : List.copyOf(segments.values())) {
            if (s.getState() == SegmentState.GROWING && s.getAssignedRows() == 0) {
                s = s.toBuilder().setState(SegmentState.SEALED).setSealTs(sealTs).build();
                persist(s);
            }
            if (s.getState() == SegmentState.SEALED) {
                toFlush.add(s);
            }
        }
        LOG.info("recovered growing segments sealed sealedAwaitingFlush={}", toFlush.size());
        return toFlush;
    }

    private static <T> T parse(byte[] b, com.google.protobuf.Parser<T> p) {
        try {
            return p.parseFrom(b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt datacoord record", e);
        }
    }

    private void persist(SegmentInfo s) {
        kv.put(segmentKey(s), s.toByteArray());
        segments.put(s.getSegmentId(), s);
    }

    private String segmentKey(SegmentInfo s) {
        return prefix + "segment/" + s.getCollectionId() + "/" + s.getPartitionId() + "/" + s.getSegmentId();
    }

    public synchronized void registerCollection(long collectionId, CollectionSchema schema) {
        maxRowsByCollection.put(collectionId, Math.max(1, segmentMaxBytes / estimateRowBytes(schema)));
    }

    static long estimateRowBytes(CollectionSchema schema) {
        long b = 16; // row id + timestamp
        for (FieldSchema f : schema.getFieldsList()) {
            b += switch (f.getDataType()) {
                case Bool, Int8 -> 1;
                case Int16 -> 2;
                case Int32, Float -> 4;
                case Int64, Double -> 8;
                case VarChar, String -> Math.min(Schemas.maxLength(f), 256);
                case JSON -> 256;
                case Array -> 128;
                case FloatVector -> 4L * Schemas.dim(f);
                case Float16Vector, BFloat16Vector -> 2L * Schemas.dim(f);
                case BinaryVector -> Schemas.dim(f) / 8;
                case SparseFloatVector -> 512;
                default -> 8;
            };
        }
        return b;
    }

    /** Assigns rows of one request to growing segments. */
    public synchronized List<SegmentIDAssignment> assign(List<SegmentIDRequest> requests) {
        List<SegmentIDAssignment> out = new ArrayList<>();
        long now = clock.millis();
        for (SegmentIDRequest r : requests) {
            long maxRows = maxRowsByCollection.getOrDefault(r.getCollectionId(), 1_000_000L);
            SegmentInfo target = null;
            for (SegmentInfo s : segments.values()) {
                if (s.getState() == SegmentState.GROWING && s.getLevel() == SegmentLevel.L1
                        && s.getCollectionId() == r.getCollectionId() && s.getPartitionId() == r.getPartitionId()
                        && s.getVchannel().equals(r.getVchannel())
                        && (s.getAssignedRows() == 0 || s.getAssignedRows() + r.getCount() <= maxRows)) {
                    target = s;
                    break;
                }
            }
            if (target == null) {
                target = SegmentInfo.newBuilder()
                        .setSegmentId(idAllocator.applyAsLong(1))
                        .setCollectionId(r.getCollectionId())
                        .setPartitionId(r.getPartitionId())
                        .setVchannel(r.getVchannel())
                        .setState(SegmentState.GROWING)
                        .setLevel(SegmentLevel.L1)
                        .setMaxRows(maxRows)
                        .setCreatedMs(now)
                        .build();
                persist(target);
                LOG.info("segment created segmentId={} collectionId={} partitionId={} vchannel={} maxRows={}",
                        target.getSegmentId(), r.getCollectionId(), r.getPartitionId(), r.getVchannel(), maxRows);
            }
            SegmentInfo updated = target.toBuilder().setAssignedRows(target.getAssignedRows() + r.getCount()).setLastAssignMs(now).build();
            segments.put(updated.getSegmentId(), updated); // assignment counts live in memory only
            out.add(SegmentIDAssignment.newBuilder().setSegmentId(updated.getSegmentId()).setCollectionId(r.getCollectionId())
                    .setPartitionId(r.getPartitionId()).setVchannel(r.getVchannel()).setCount(r.getCount()).build());
        }
        return out;
    }

    /** Seals what the policies say (full, too old, idle); called periodically. */
    public void applySealPolicies() {
        Map<String, List<Long>> sealed;
        long sealTs;
        synchronized (this) {
            long now = clock.millis();
            List<SegmentInfo> due = new ArrayList<>();
            for (SegmentInfo s : segments.values()) {
                if (s.getState() != SegmentState.GROWING || s.getAssignedRows() == 0) {
                    continue;
                }
                boolean full = s.getAssignedRows() >= s.getMaxRows();
                boolean old = now - s.getCreatedMs() >= maxLife.toMillis();
                boolean idle = now - s.getLastAssignMs() >= maxIdle.toMillis();
                // mostly superseded rows (churn): seal so the dead rows reach compaction instead of piling up in memory
                boolean dead = s.getNumRows() >= SealPolicy.MIN_ROWS_FOR_DELETED_SEAL && sealDeletedRatio > 0
                        && s.getDeletedRows() >= sealDeletedRatio * s.getNumRows();
                if (full || old || idle || dead) {
                    due.add(s);
                }
            }
            if (due.isEmpty()) {
                return;
            }
            sealTs = tso.getAsLong();
            sealed = seal(due, sealTs);
        }
        sealed.forEach((ch, ids) -> notifySafely(ch, ids, sealTs));
    }

    @GuardedBy("this")
    private Map<String, List<Long>> seal(List<SegmentInfo> due, long sealTs) {
        Map<String, List<Long>> byChannel = new HashMap<>();
        for (SegmentInfo s : due) {
            SegmentInfo n = s.toBuilder().setState(SegmentState.SEALED).setSealTs(sealTs).build();
            persist(n);
            byChannel.computeIfAbsent(s.getVchannel(), k -> new ArrayList<>()).add(s.getSegmentId());
            LOG.info("segment sealed segmentId={} rows~{} sealTs={}", s.getSegmentId(), s.getAssignedRows(), sealTs);
        }
        return byChannel;
    }

    private void notifySafely(String vchannel, List<Long> ids, long ts) {
        try {
            notifier.flush(vchannel, ids, ts);
        } catch (RuntimeException e) {
            LOG.warn("flush notification failed vchannel={} segments={}: {} (re-sent by the retry loop)", vchannel, ids, e.toString());
        }
    }

    /** Re-sends flush requests for sealed segments not yet flushed (lost notifications, new channel owners). */
    public void resendPendingFlushes() {
        Map<String, List<Long>> pending = new HashMap<>();
        Map<String, Long> ts = new HashMap<>();
        synchronized (this) {
            for (SegmentInfo s : segments.values()) {
                if (s.getState() == SegmentState.SEALED) {
                    pending.computeIfAbsent(s.getVchannel(), k -> new ArrayList<>()).add(s.getSegmentId());
                    ts.merge(s.getVchannel(), s.getSealTs(), Math::max);
                }
            }
        }
        pending.forEach((ch, ids) -> notifySafely(ch, ids, ts.get(ch)));
    }

    public record FlushResult(List<Long> sealed, List<Long> flushed, long flushTs) {}

    /** Seals every growing segment of the collection (the Flush API). */
    public FlushResult flush(long collectionId) {
        Map<String, List<Long>> notify;
        List<Long> sealedIds = new ArrayList<>();
        List<Long> flushedIds = new ArrayList<>();
        long flushTs;
        synchronized (this) {
            flushTs = tso.getAsLong();
            List<SegmentInfo> due = new ArrayList<>();
            for (SegmentInfo s : segments.values()) {
                if (s.getCollectionId() != collectionId || s.getLevel() != SegmentLevel.L1) {
                    continue;
                }
                switch (s.getState()) {
                    case GROWING -> {
                        if (s.getAssignedRows() > 0) {
                            due.add(s);
                            sealedIds.add(s.getSegmentId());
                        }
                    }
                    case SEALED, FLUSHING -> sealedIds.add(s.getSegmentId());
                    case FLUSHED -> flushedIds.add(s.getSegmentId());
                    default -> { }
                }
            }
            notify = seal(due, flushTs);
            // channels with nothing to seal still need to pass flushTs (buffered deletes): ask them too
            for (SegmentInfo s : segments.values()) {
                if (s.getCollectionId() == collectionId && s.getState() == SegmentState.SEALED) {
                    notify.computeIfAbsent(s.getVchannel(), k -> new ArrayList<>());
                    if (!notify.get(s.getVchannel()).contains(s.getSegmentId())) {
                        notify.get(s.getVchannel()).add(s.getSegmentId());
                    }
                }
            }
        }
        notify.forEach((ch, ids) -> notifySafely(ch, ids, flushTs));
        return new FlushResult(sealedIds, flushedIds, flushTs);
    }

    /** True when every listed segment is flushed (or gone) and every channel of the collection passed flushTs. */
    public synchronized boolean isFlushed(long collectionId, List<Long> segmentIds, long flushTs, List<String> vchannels) {
        for (long id : segmentIds) {
            SegmentInfo s = segments.get(id);
            if (s != null && s.getState() != SegmentState.FLUSHED && s.getState() != SegmentState.DROPPED) {
                return false;
            }
        }
        if (flushTs == 0) {
            return true;
        }
        for (String ch : vchannels) {
            ChannelCheckpoint cp = checkpoints.get(ch);
            if (cp == null || cp.getPosition().getTimestamp() < flushTs) {
                return false;
            }
        }
        return true;
    }

    /**
     * A datanode synced a vchannel: every segment's new manifest and the channel checkpoint are written in
     * one MetaKv transaction, so the checkpoint never gets ahead of (or behind) the data it covers.
     */
    public synchronized void saveBinlogPaths(SaveBinlogPathsRequest r) {
        List<MetaKv.Op> ops = new ArrayList<>();
        List<SegmentInfo> updated = new ArrayList<>();
        for (SegmentSync sync : r.getSegmentsList()) {
            SegmentInfo s = segments.get(sync.getSegmentId());
            if (s == null) {
                if (sync.getLevel() != SegmentLevel.L0) {
                    LOG.warn("binlogs for unknown segment ignored segmentId={} (dropped?)", sync.getSegmentId());
                    continue;
                }
                s = SegmentInfo.newBuilder().setSegmentId(sync.getSegmentId()).setCollectionId(sync.getCollectionId())
                        .setPartitionId(sync.getPartitionId()).setVchannel(r.getVchannel()).setLevel(SegmentLevel.L0)
                        .setCreatedMs(clock.millis()).build();
            }
            if (s.getState() == SegmentState.DROPPED) {
                continue;
            }
            SegmentInfo.Builder b = s.toBuilder()
                    .setManifestPath(sync.getManifestPath())
                    .setManifestVersion(sync.getManifestVersion())
                    .setNumRows(sync.getNumRows())
                    .setDmlPosition(r.getCheckpoint());
            if (sync.hasStartPosition() && !s.hasStartPosition()) {
                b.setStartPosition(sync.getStartPosition());
            }
            if (sync.getMinTs() != 0) {
                b.setMinTs(s.getMinTs() == 0 ? sync.getMinTs() : Math.min(s.getMinTs(), sync.getMinTs()));
            }
            b.setMaxTs(Math.max(s.getMaxTs(), sync.getMaxTs()));
            if (sync.getSizeBytes() != 0) {
                b.setSizeBytes(sync.getSizeBytes());
            }
            if (sync.getDeletedRows() > s.getDeletedRows()) {
                b.setDeletedRows(sync.getDeletedRows());
            }
            if (sync.getFlushed()) {
                b.setState(SegmentState.FLUSHED).setFlushedTs(r.getCheckpoint().getTimestamp());
            }
            SegmentInfo n = b.build();
            ops.add(new MetaKv.Op.Put(segmentKey(n), n.toByteArray()));
            updated.add(n);
        }
        ChannelCheckpoint prev = checkpoints.get(r.getVchannel());
        ChannelCheckpoint cp = ChannelCheckpoint.newBuilder().setVchannel(r.getVchannel()).setCollectionId(r.getCollectionId())
                .setPosition(r.getCheckpoint()).setDeleteFloorTs(prev == null ? 0 : prev.getDeleteFloorTs()).build();
        ops.add(new MetaKv.Op.Put(prefix + "channel-cp/" + r.getVchannel(), cp.toByteArray()));
        kv.txn(List.of(), ops, List.of());
        updated.forEach(n -> segments.put(n.getSegmentId(), n));
        checkpoints.put(r.getVchannel(), cp);
        for (SegmentInfo n : updated) {
            LOG.info("binlogs saved segmentId={} rows={} state={} level={} manifest={}", n.getSegmentId(), n.getNumRows(),
                    n.getState(), n.getLevel(), n.getManifestPath());
        }
    }

    public synchronized void updateCheckpoint(String vchannel, long collectionId, MsgPosition pos) {
        ChannelCheckpoint cur = checkpoints.get(vchannel);
        if (cur != null && cur.getPosition().getTimestamp() > pos.getTimestamp()) {
            return; // never move a checkpoint back
        }
        ChannelCheckpoint cp = ChannelCheckpoint.newBuilder().setVchannel(vchannel).setCollectionId(collectionId).setPosition(pos)
                .setDeleteFloorTs(cur == null ? 0 : cur.getDeleteFloorTs()).build();
        kv.put(prefix + "channel-cp/" + vchannel, cp.toByteArray());
        checkpoints.put(vchannel, cp);
    }

    public synchronized MsgPosition checkpoint(String vchannel) {
        ChannelCheckpoint cp = checkpoints.get(vchannel);
        return cp == null ? null : cp.getPosition();
    }

    public record RecoverySnapshot(Map<String, ChannelCheckpoint> checkpoints, List<SegmentInfo> segments) {}

    /** Checkpoints (with their delete floors) and segments read under one lock, so manifests match the checkpoints exactly. */
    public synchronized RecoverySnapshot recoverySnapshot(long collectionId, List<String> vchannels) {
        Map<String, ChannelCheckpoint> cps = new LinkedHashMap<>();
        for (String ch : vchannels) {
            cps.put(ch, checkpoints.get(ch));
        }
        return new RecoverySnapshot(cps, visibleSegments(collectionId));
    }

    /** Every channel checkpoint of a collection, for compaction planning (the safe bound of L0 compaction). */
    public synchronized Map<String, ChannelCheckpoint> checkpoints(long collectionId) {
        Map<String, ChannelCheckpoint> out = new HashMap<>();
        checkpoints.forEach((ch, cp) -> {
            if (cp.getCollectionId() == collectionId) {
                out.put(ch, cp);
            }
        });
        return out;
    }

    /** The largest number of rows a segment of the collection may hold (seal size / estimated row size). */
    public synchronized long maxRows(long collectionId) {
        return maxRowsByCollection.getOrDefault(collectionId, 1_000_000L);
    }

    /**
     * Records a finished compaction in one MetaKv transaction (see {@link CompactionCommit}); fails with
     * {@link ErrorCode#COMPACTION_CONFLICT} when an input changed since the plan (the plan is dropped and re-planned).
     */
    public synchronized List<SegmentInfo> commit(CompactionCommit commit) {
        CompactionCommit.Outcome o = commit.apply(segments::get, checkpoints::get, clock.millis());
        List<MetaKv.Op> ops = new ArrayList<>();
        o.segments().forEach(s -> ops.add(new MetaKv.Op.Put(segmentKey(s), s.toByteArray())));
        o.checkpoints().forEach(c -> ops.add(new MetaKv.Op.Put(prefix + "channel-cp/" + c.getVchannel(), c.toByteArray())));
        kv.txn(List.of(), ops, List.of());
        o.segments().forEach(s -> segments.put(s.getSegmentId(), s));
        o.checkpoints().forEach(c -> checkpoints.put(c.getVchannel(), c));
        return o.segments();
    }

    /** Forgets the meta records of segments whose files were collected (garbage collection). */
    public synchronized void removeRecords(List<Long> segmentIds) {
        for (long id : segmentIds) {
            SegmentInfo s = segments.get(id);
            if (s != null && s.getState() == SegmentState.DROPPED) {
                kv.delete(segmentKey(s));
                segments.remove(id);
            }
        }
    }

    /** Every segment record, dropped ones included (garbage collection). */
    public synchronized List<SegmentInfo> all() {
        return List.copyOf(segments.values());
    }

    /** Every segment of a collection, those of running imports included (index builds run on them). */
    public synchronized List<SegmentInfo> segments(long collectionId) {
        return segments.values().stream().filter(s -> s.getCollectionId() == collectionId).toList();
    }

    /** Segments of a collection that reads, compaction and statistics see: not those of an import still running. */
    public synchronized List<SegmentInfo> visibleSegments(long collectionId) {
        return segments.values().stream().filter(s -> s.getCollectionId() == collectionId && s.getImportJobId() == 0).toList();
    }

    /** Records the flushed segments an import wrote, hidden (flagged with the job) until {@link #publishImport}. */
    public synchronized void addImported(List<SegmentInfo> imported) {
        List<MetaKv.Op> ops = new ArrayList<>();
        for (SegmentInfo s : imported) {
            if (s.getImportJobId() == 0 || s.getState() != SegmentState.FLUSHED) {
                throw new IllegalArgumentException("segment " + s.getSegmentId() + " is not a flushed import segment");
            }
            ops.add(new MetaKv.Op.Put(segmentKey(s), s.toByteArray()));
        }
        kv.txn(List.of(), ops, List.of());
        imported.forEach(s -> segments.put(s.getSegmentId(), s));
    }

    /** Makes every segment of an import visible in one MetaKv transaction; returns how many it published. */
    public synchronized int publishImport(long jobId) {
        return rewrite(s -> s.getImportJobId() == jobId && s.getState() == SegmentState.FLUSHED, s -> s.toBuilder().setImportJobId(0).build());
    }

    /** Drops the hidden segments of a failed import in one transaction; garbage collection removes their files. */
    public synchronized int dropImport(long jobId) {
        long now = clock.millis();
        return rewrite(s -> s.getImportJobId() == jobId && s.getState() != SegmentState.DROPPED,
                s -> s.toBuilder().setState(SegmentState.DROPPED).setDroppedMs(now).build());
    }

    private int rewrite(Predicate<SegmentInfo> which, UnaryOperator<SegmentInfo> change) {
        List<SegmentInfo> out = new ArrayList<>();
        for (SegmentInfo s : segments.values()) {
            if (which.test(s)) {
                out.add(change.apply(s));
            }
        }
        List<MetaKv.Op> ops = new ArrayList<>();
        out.forEach(s -> ops.add(new MetaKv.Op.Put(segmentKey(s), s.toByteArray())));
        if (!ops.isEmpty()) {
            kv.txn(List.of(), ops, List.of());
        }
        out.forEach(s -> segments.put(s.getSegmentId(), s));
        return out.size();
    }

    /** Segments by state, for the {@code milvus_datacoord_segment_num} gauge. */
    public synchronized long count(SegmentState state) {
        return segments.values().stream().filter(s -> s.getState() == state).count();
    }

    public synchronized SegmentInfo get(long segmentId) {
        return segments.get(segmentId);
    }

    /** Segments of a channel a new owner must rebuild from the WAL (not yet flushed). */
    public synchronized List<SegmentInfo> unflushed(String vchannel) {
        return segments.values().stream()
                .filter(s -> s.getVchannel().equals(vchannel) && s.getLevel() == SegmentLevel.L1
                        && (s.getState() == SegmentState.GROWING || s.getState() == SegmentState.SEALED || s.getState() == SegmentState.FLUSHING))
                .toList();
    }

    /** Flushed L0 segments of a channel with deletes above {@code ts} (a new channel owner matches late rows against them). */
    public synchronized List<SegmentInfo> l0Above(String vchannel, long ts) {
        return segments.values().stream().filter(s -> s.getVchannel().equals(vchannel) && s.getLevel() == SegmentLevel.L0
                && s.getState() == SegmentState.FLUSHED && s.getMaxTs() > ts).toList();
    }

    /**
     * Marks the segments of a dropped collection (or partitions) Dropped; garbage collection removes their files and
     * records after {@code dataCoord.gc.dropTolerance}, once no querynode holds them.
     */
    public synchronized List<SegmentInfo> drop(long collectionId, List<Long> partitionIds) {
        List<SegmentInfo> dropped = new ArrayList<>();
        long now = clock.millis();
        for (SegmentInfo s : List.copyOf(segments.values())) {
            if (s.getCollectionId() == collectionId && s.getState() != SegmentState.DROPPED
                    && (partitionIds.isEmpty() || partitionIds.contains(s.getPartitionId()))) {
                SegmentInfo d = s.toBuilder().setState(SegmentState.DROPPED).setDroppedMs(now).build();
                persist(d);
                dropped.add(d);
            }
        }
        if (partitionIds.isEmpty()) {
            for (String ch : List.copyOf(checkpoints.keySet())) {
                if (checkpoints.get(ch).getCollectionId() == collectionId) {
                    kv.delete(prefix + "channel-cp/" + ch);
                    checkpoints.remove(ch);
                }
            }
            maxRowsByCollection.remove(collectionId);
        }
        return dropped;
    }

    /** Rows of flushed L1 segments plus rows assigned to growing ones (deletes not subtracted, as Milvus). */
    public synchronized long rowCount(long collectionId, List<Long> partitionIds) {
        long n = 0;
        for (SegmentInfo s : segments.values()) {
            if (s.getCollectionId() != collectionId || s.getLevel() != SegmentLevel.L1 || s.getState() == SegmentState.DROPPED
                    || s.getImportJobId() != 0 || (!partitionIds.isEmpty() && !partitionIds.contains(s.getPartitionId()))) {
                continue;
            }
            n += s.getState() == SegmentState.FLUSHED ? s.getNumRows() : Math.max(s.getNumRows(), s.getAssignedRows());
        }
        return n;
    }
}
