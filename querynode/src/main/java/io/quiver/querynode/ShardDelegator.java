package io.quiver.querynode;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.IDs;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.Status;
import io.milvus.grpc.StringArray;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.common.reduce.QueryReduce;
import io.quiver.common.reduce.SearchReduce;
import io.quiver.common.util.HybridTs;
import io.quiver.proto.ApplyDeleteRequest;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DeleteMsg;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.MsgPosition;
import io.quiver.proto.QueryPlan;
import io.quiver.proto.SealedSegmentLocation;
import io.quiver.proto.SearchPlan;
import io.quiver.proto.ShardQueryRequest;
import io.quiver.proto.ShardQueryResponse;
import io.quiver.proto.ShardSearchRequest;
import io.quiver.proto.ShardSearchResponse;
import io.quiver.common.util.WalMessages;
import io.quiver.proto.WalMessage;
import io.quiver.storage.Wal;
import io.quiver.storage.WalPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shard leader of one vchannel (DESIGN section 11): consumes the vchannel from the WAL into growing
 * segments and a delete buffer, advances tSafe on time ticks, forwards deletes to the sealed segments of the
 * shard, and serves search/query by searching its growing data, fanning out to the workers that hold the
 * sealed segments, and reducing.
 *
 * <p>Concurrency: one consumer thread mutates growing segments and the delete buffer; {@link #syncDistribution}
 * takes the same lock as delete processing, so a sealed segment that joins the distribution receives every
 * delete exactly once: either in the buffered batch handed over at join time or live afterwards. Searches
 * read an immutable snapshot of the distribution and the growing segments' published rows.
 */
final class ShardDelegator implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardDelegator.class);

    private final CollectionInfo collection;
    private final String vchannel;
    private final String pchannel;
    private final long nodeId;
    private final Wal wal;
    private final Wal.Consumer consumer;
    private final String subscription;
    private final RemoteWorkers remote;
    private final LocalSearcher searcher;
    private final Function<List<Long>, List<Segment>> localSealed;
    private final Map<Long, Segment> growing = new ConcurrentHashMap<>();
    private final Set<Long> excluded = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private final DeleteBuffer deleteBuffer = new DeleteBuffer(); // guarded by lock
    private volatile List<SealedSegmentLocation> sealed = List.of();
    private volatile Set<Long> partitions; // loaded partitions; empty = all (whole-collection load)
    private volatile long tsafe;
    /**
     * The subscription's acknowledgement only lets the WAL drop what this leader has read (recovery seeks from the
     * datanode's checkpoint): one per second of WAL time (tick timestamps) is enough, not one durable cursor write per
     * time tick.
     */
    private static final long ACK_INTERVAL_MS = 1000;
    /**
     * Reads (search, query) hold the read side while they run on this shard's segments, local and remote; the WAL
     * consumer holds the write side while it applies a {@code DmlGroup} (an upsert's deletes and inserts), so a read
     * sees all of a group or none of it. Single messages need no lock: each is one step for a row.
     */
    private final ReentrantReadWriteLock visibility = new ReentrantReadWriteLock();
    private long ackedAtMs; // physical ms of tSafe at the last acknowledgement; the consumer thread's own
    /**
     * The largest timestamp a Strong read has been served at: everything acknowledged before it is applied, so reads
     * at the shard's own timestamp read at least there (a read after a Strong one never shows less than it did).
     */
    private final AtomicLong strongServedTs = new AtomicLong();
    /** The largest timestamp of any message applied (a read at it sees everything applied). */
    private volatile long appliedTs;
    /** The position of the last WAL message this leader applied (null: none since it started); written under this. */
    private volatile WalPosition applied;
    /** Where reading started when the start was a position to read "at" (null otherwise): earlier ones are not ours. */
    private final WalPosition startAt;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    ShardDelegator(CollectionInfo collection, String vchannel, long nodeId, Wal wal, MsgPosition seek, List<Segment> growingLoaded,
                   List<Long> excludedIds, Set<Long> partitions, RemoteWorkers remote, LocalSearcher searcher,
                   Function<List<Long>, List<Segment>> localSealed) {
        this.collection = requireNonNull(collection, "collection is null");
        this.vchannel = requireNonNull(vchannel, "vchannel is null");
        this.nodeId = nodeId;
        this.wal = requireNonNull(wal, "wal is null");
        this.remote = requireNonNull(remote, "remote is null");
        this.searcher = requireNonNull(searcher, "searcher is null");
        this.localSealed = requireNonNull(localSealed, "localSealed is null");
        this.partitions = Set.copyOf(partitions);
        int i = collection.getVchannelsList().indexOf(vchannel);
        this.pchannel = collection.getPchannels(i);
        growingLoaded.forEach(s -> growing.put(s.id(), s));
        excluded.addAll(excludedIds);
        Wal.StartPosition start;
        WalPosition at = null;
        if (seek != null && !seek.getPosition().isEmpty()) {
            WalPosition checkpoint = new WalPosition(seek.getPosition().toByteArray());
            start = Wal.StartPosition.after(checkpoint);
            applied = checkpoint; // what the checkpoint covers was applied by the growing segments loaded from it
        } else {
            MsgPosition sp = collection.getStartPositionsList().stream().filter(p -> p.getChannel().equals(vchannel)).findFirst().orElse(null);
            if (sp != null) {
                at = new WalPosition(sp.getPosition().toByteArray());
            }
            start = at == null ? Wal.StartPosition.earliest() : Wal.StartPosition.at(at);
        }
        this.startAt = at;
        this.subscription = "querynode-" + nodeId + "-" + vchannel;
        wal.deleteSubscription(pchannel, subscription); // a stale cursor from an earlier life must not decide the start
        this.consumer = wal.subscribe(pchannel, subscription, start);
        LOG.info("shard leader started vchannel={} node={} start={} growingLoaded={} excluded={}", vchannel, nodeId, start,
                growingLoaded.size(), excludedIds.size());
    }

    long tsafe() { return tsafe; }

    String vchannel() { return vchannel; }

    CollectionInfo collection() { return collection; }

    boolean serviceable() { return caughtUp; }

    long growingRows() {
        return growing.values().stream().mapToLong(Segment::rowCount).sum();
    }

    long ramBytesUsed() {
        long buffer;
        synchronized (lock) {
            buffer = deleteBuffer.ramBytesUsed();
        }
        return growing.values().stream().mapToLong(Segment::ramBytesUsed).sum() + buffer;
    }

    /** Deletes kept for sealed segments that may join later (bounded by L0 compaction's delete floor). */
    int deleteBufferRows() {
        synchronized (lock) {
            return deleteBuffer.size();
        }
    }

    /**
     * A delete from before this leader's WAL start (an L0 segment): buffered for sealed segments that join later,
     * and applied to the growing segments loaded from their manifests, whose rows it may hide (a channel sync writes
     * a growing segment's rows and the L0 deletes of the same checkpoint together).
     */
    void addDeletes(Object pk, long ts) {
        synchronized (lock) {
            record(pk, ts);
        }
    }

    /**
     * One delete, as every delete of this shard is kept (caller holds {@code lock}): buffered for sealed segments that
     * join later, and applied to the growing segments.
     */
    private void record(Object pk, long ts) {
        deleteBuffer.add(pk, ts); // kept only above the delete floor
        for (Segment g : growing.values()) {
            g.deletes().add(pk, ts);
        }
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    List<Wal.WalMessage> batch = consumer.pollBatch(512, Duration.ofMillis(50));
                    if (batch.isEmpty()) {
                        caughtUp = true;
                    }
                    for (Wal.WalMessage m : batch) {
                        apply(m);
                    }
                    if (!batch.isEmpty()) {
                        WalPosition last = batch.get(batch.size() - 1).position();
                        synchronized (this) {
                            applied = last;
                            notifyAll(); // Strong reads waiting for the WAL's end
                        }
                        long walMs = HybridTs.physical(tsafe);
                        if (walMs - ackedAtMs >= ACK_INTERVAL_MS) {
                            consumer.acknowledge(last);
                            ackedAtMs = walMs;
                        }
                    }
                } catch (RuntimeException e) {
                    LOG.warn("shard leader round failed vchannel={}: {} (retrying)", vchannel, e.toString(), e);
                    WalMessages.backoff(500);
                }
            }
        } finally {
            consumer.close();
            wal.deleteSubscription(pchannel, subscription);
        }
    }

    private void apply(Wal.WalMessage m) {
        WalMessage msg = WalMessages.parse(m);
        long ts = WalMessages.timestamp(msg);
        if (ts > appliedTs) {
            appliedTs = ts; // before this batch's position is published as applied
        }
        switch (msg.getBodyCase()) {
            case INSERT -> applyInsert(msg.getInsert());
            case DELETE -> applyDelete(msg.getDelete());
            case GROUP -> {
                // an upsert's deletes and inserts become visible together: no read runs while they are applied
                visibility.writeLock().lock();
                try {
                    msg.getGroup().getDeletesList().forEach(this::applyDelete);
                    msg.getGroup().getInsertsList().forEach(this::applyInsert);
                } finally {
                    visibility.writeLock().unlock();
                }
            }
            case TIME_TICK -> {
                long t = msg.getTimeTick().getTimestamp();
                if (t > tsafe) {
                    synchronized (this) {
                        tsafe = t;
                        notifyAll();
                    }
                }
            }
            default -> { }
        }
    }

    private void applyInsert(InsertMsg ins) {
        // growing rows of every partition are kept: a partition loaded later must not miss rows consumed
        // before; searches filter by the loaded partitions the proxy names
        if (ins.getVchannel().equals(vchannel) && !excluded.contains(ins.getSegmentId())) {
            growing.computeIfAbsent(ins.getSegmentId(), id -> new Segment(id, ins.getPartitionId(), collection.getSchema(), true))
                    .append(ins);
        }
    }

    private void applyDelete(DeleteMsg del) {
        if (!del.getVchannel().equals(vchannel)) {
            return;
        }
        List<Object> pks = new ArrayList<>();
        IDs ids = del.getPrimaryKeys();
        if (ids.hasIntId()) {
            ids.getIntId().getDataList().forEach(pks::add);
        } else {
            ids.getStrId().getDataList().forEach(pks::add);
        }
        long ts = del.getTimestamp();
        synchronized (lock) {
            for (Object pk : pks) {
                record(pk, ts);
            }
            forward(sealed, pks, pks.stream().map(p -> ts).toList());
        }
    }

    /** Sends deletes to the sealed segments that may hold the keys (local directly, remote by RPC). */
    private void forward(List<SealedSegmentLocation> targets, List<Object> pks, List<Long> tss) {
        Map<String, List<Long>> remoteSegments = new HashMap<>();
        List<Long> localIds = new ArrayList<>();
        for (SealedSegmentLocation l : targets) {
            if (l.getNodeId() == nodeId) {
                localIds.add(l.getSegmentId());
            } else {
                remoteSegments.computeIfAbsent(l.getAddress(), a -> new ArrayList<>()).add(l.getSegmentId());
            }
        }
        for (Segment s : localSealed.apply(localIds)) {
            for (int i = 0; i < pks.size(); i++) {
                if (s.mightContain(pks.get(i))) {
                    s.deletes().add(pks.get(i), tss.get(i));
                }
            }
        }
        if (!remoteSegments.isEmpty()) {
            ApplyDeleteRequest.Builder b = ApplyDeleteRequest.newBuilder().setCollectionId(collection.getCollectionId()).setVchannel(vchannel)
                    .setPrimaryKeys(toIds(pks)).addAllTimestamps(tss);
            remoteSegments.forEach((addr, segs) -> remote.applyDelete(addr, b.clearSegmentIds().addAllSegmentIds(segs).build()));
        }
    }

    static IDs toIds(List<Object> pks) {
        if (!pks.isEmpty() && pks.get(0) instanceof String) {
            StringArray.Builder a = StringArray.newBuilder();
            pks.forEach(p -> a.addData((String) p));
            return IDs.newBuilder().setStrId(a).build();
        }
        LongArray.Builder a = LongArray.newBuilder();
        pks.forEach(p -> a.addData((Long) p));
        return IDs.newBuilder().setIntId(a).build();
    }

    /** Replaces the sealed distribution; growing copies of now-sealed segments are dropped. */
    void syncDistribution(List<SealedSegmentLocation> newSealed, Set<Long> loadedPartitions, long deleteFloorTs) {
        synchronized (lock) {
            record Placed(long segmentId, long nodeId) {}
            Set<Placed> old = new HashSet<>();
            sealed.forEach(l -> old.add(new Placed(l.getSegmentId(), l.getNodeId())));
            List<SealedSegmentLocation> joined = newSealed.stream().filter(l -> !old.contains(new Placed(l.getSegmentId(), l.getNodeId()))).toList();
            if (!joined.isEmpty() && !deleteBuffer.isEmpty()) {
                forward(joined, deleteBuffer.keys(), deleteBuffer.timestamps());
            }
            // every sealed segment of the new distribution was loaded with a manifest holding the deletes up to the floor
            int forgotten = deleteBuffer.forgetUpTo(deleteFloorTs);
            if (forgotten > 0) {
                LOG.info("delete buffer trimmed vchannel={} floorTs={} forgotten={} kept={}", vchannel, deleteFloorTs, forgotten, deleteBuffer.size());
            }
            for (SealedSegmentLocation l : newSealed) {
                excluded.add(l.getSegmentId());
            }
            sealed = List.copyOf(newSealed);
            for (SealedSegmentLocation l : newSealed) {
                if (growing.remove(l.getSegmentId()) != null) {
                    LOG.info("growing segment handed off to sealed segmentId={} vchannel={} node={}", l.getSegmentId(), vchannel, l.getNodeId());
                }
            }
            partitions = Set.copyOf(loadedPartitions); // empty: every partition
        }
    }

    List<SealedSegmentLocation> sealed() { return sealed; }

    /** Waits until tSafe reaches {@code ts}, at most {@code maxWaitMs}. */
    void waitTsafe(long ts, long maxWaitMs) {
        awaitUnderMonitor(() -> tsafe >= ts, maxWaitMs, () -> "shard " + vchannel + " did not reach the guarantee timestamp in "
                + maxWaitMs + " ms (tsafe lags by " + (HybridTs.physical(ts) - HybridTs.physical(tsafe)) + " ms)");
    }

    /**
     * Strong reads: waits until this leader has applied every message the WAL held when the call began, at most
     * {@code maxWaitMs}. A write is acknowledged to its client only after its messages are durable in the WAL, so
     * every write acknowledged before the read was issued is among them (the argument is in docs/architecture.md).
     * No wait for a time tick: an idle channel answers at once, a busy one as soon as the leader has consumed its
     * backlog.
     */
    void awaitWalEnd(long maxWaitMs) {
        WalPosition end = consumer.lastPosition().orElse(null);
        if (end != null) {
            awaitUnderMonitor(() -> reached(end), maxWaitMs,
                    () -> "shard " + vchannel + " did not consume the WAL up to the read's position in " + maxWaitMs + " ms");
        }
    }

    /**
     * Waits on this object's monitor (the consumer notifies after each time tick and each applied batch) until
     * {@code done} holds, at most {@code maxWaitMs}: TIMEOUT with {@code timeoutReason} after it, CANCELED when
     * interrupted.
     */
    private void awaitUnderMonitor(BooleanSupplier done, long maxWaitMs, Supplier<String> timeoutReason) {
        if (done.getAsBoolean()) {
            return;
        }
        long deadline = System.currentTimeMillis() + maxWaitMs;
        synchronized (this) {
            while (!done.getAsBoolean()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new QuiverException(ErrorCode.TIMEOUT, timeoutReason.get());
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new QuiverException(ErrorCode.CANCELED, "interrupted");
                }
            }
        }
    }

    /** Whether every message up to {@code end} is applied (or lies before where this leader started reading). */
    private boolean reached(WalPosition end) {
        WalPosition a = applied;
        if (a != null) {
            return wal.compare(a, end) >= 0;
        }
        return startAt != null && wal.compare(end, startAt) < 0;
    }

    /**
     * Waits as the plan's consistency asks (through the WAL's end for Strong, else for tSafe to reach the guarantee)
     * and returns the timestamp to read at: the plan's own, or this shard's (tSafe, or later when a Strong read was
     * already served later than tSafe; for a Strong read without a timestamp, the newest one applied).
     */
    private long awaitConsistency(boolean strong, long guaranteeTs, long mvccTs, long maxWaitMs) {
        if (strong) {
            awaitWalEnd(maxWaitMs);
            // mvccTs 0: the proxy could not reach the TSO; everything applied through the WAL's end is read
            long at = mvccTs != 0 ? mvccTs : Math.max(Math.max(appliedTs, tsafe), strongServedTs.get());
            strongServedTs.accumulateAndGet(at, Math::max);
            return at;
        }
        waitTsafe(guaranteeTs, maxWaitMs);
        return mvccTs != 0 ? mvccTs : Math.max(Math.max(tsafe, strongServedTs.get()), guaranteeTs);
    }

    private List<Segment> growingFor(Set<Long> parts, boolean ignoreGrowing) {
        if (ignoreGrowing) {
            return List.of();
        }
        return growing.values().stream().filter(s -> parts.isEmpty() || parts.contains(s.partitionId())).toList();
    }

    private static Set<Long> partsOf(List<Long> ids) {
        return new HashSet<>(ids);
    }

    /** Where a read goes: this node's segments (growing + local sealed) and the sealed ones of each remote worker. */
    private record Targets(List<Segment> local, Map<String, List<Long>> remote) {}

    private Targets targets(List<Long> partitionIds, boolean ignoreGrowing) {
        Set<Long> parts = partsOf(partitionIds);
        List<Segment> local = new ArrayList<>(growingFor(parts, ignoreGrowing));
        Map<String, List<Long>> byNode = new HashMap<>();
        List<Long> localIds = new ArrayList<>();
        for (SealedSegmentLocation l : sealed) {
            if (!parts.isEmpty() && !parts.contains(l.getPartitionId())) {
                continue;
            }
            if (l.getNodeId() == nodeId) {
                localIds.add(l.getSegmentId());
            } else {
                byNode.computeIfAbsent(l.getAddress(), a -> new ArrayList<>()).add(l.getSegmentId());
            }
        }
        local.addAll(localSealed.apply(localIds));
        return new Targets(local, byNode);
    }

    /**
     * One read of this shard's segments under the read side of {@link #visibility}: the remote workers' sealed
     * segments through {@code remoteCall} (in parallel), the local ones through {@code localCall}; the local answer
     * first, every remote status checked.
     */
    private <T> List<T> readSegments(List<Long> partitionIds, boolean ignoreGrowing, BiFunction<String, List<Long>, CompletableFuture<T>> remoteCall,
                                     Function<List<Segment>, T> localCall, Function<T, Status> status) {
        visibility.readLock().lock();
        try {
            Targets t = targets(partitionIds, ignoreGrowing);
            List<CompletableFuture<T>> futures = new ArrayList<>();
            t.remote().forEach((addr, segs) -> futures.add(remoteCall.apply(addr, segs)));
            List<T> out = new ArrayList<>();
            out.add(localCall.apply(t.local()));
            for (CompletableFuture<T> f : futures) {
                T r = f.join();
                Statuses.check(status.apply(r));
                out.add(r);
            }
            return out;
        } finally {
            visibility.readLock().unlock();
        }
    }

    ShardSearchResponse search(SearchPlan request, long maxWaitMs) {
        long readTs = awaitConsistency(request.getStrong(), request.getGuaranteeTs(), request.getMvccTs(), maxWaitMs);
        SearchPlan plan = request.getMvccTs() != 0 ? request : request.toBuilder().setMvccTs(readTs).build(); // read at what this shard has
        List<ShardSearchResponse> parts = readSegments(plan.getPartitionIdsList(), plan.getIgnoreGrowing(),
                (addr, segs) -> remote.search(addr, ShardSearchRequest.newBuilder().setPlan(plan).setVchannel(vchannel)
                        .addAllSegmentIds(segs).setFromLeader(true).build()),
                local -> searcher.search(local, plan, collection.getSchema()), ShardSearchResponse::getStatus);
        if (parts.size() == 1) {
            return parts.get(0);
        }
        if (plan.hasBm25Stats()) {
            return SearchReduce.sumBm25Stats(parts);
        }
        return SearchReduce.merge(parts, (int) plan.getNq(), (int) plan.getTopk(), LocalSearcher.ascending(plan.getMetricType()));
    }

    ShardQueryResponse query(QueryPlan request, long maxWaitMs) {
        long readTs = awaitConsistency(request.getStrong(), request.getGuaranteeTs(), request.getMvccTs(), maxWaitMs);
        QueryPlan plan = request.getMvccTs() != 0 ? request : request.toBuilder().setMvccTs(readTs).build();
        List<ShardQueryResponse> results = readSegments(plan.getPartitionIdsList(), plan.getIgnoreGrowing(),
                (addr, segs) -> remote.query(addr, ShardQueryRequest.newBuilder().setPlan(plan).setVchannel(vchannel)
                        .addAllSegmentIds(segs).setFromLeader(true).build()),
                local -> searcher.query(local, plan, collection.getSchema()), ShardQueryResponse::getStatus);
        return QueryReduce.merge(results, plan.getCountOnly(), plan.getLimit());
    }
}
