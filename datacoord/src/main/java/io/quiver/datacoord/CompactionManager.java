package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.CompactionMergeInfo;
import io.milvus.grpc.CompactionState;
import io.milvus.grpc.GetCompactionPlansResponse;
import io.milvus.grpc.GetCompactionStateResponse;
import io.quiver.common.config.QuiverConfig.CompactionConfig;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.common.util.HybridTs;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionSegment;
import io.quiver.proto.CompactionTaskState;
import io.quiver.proto.CompactionType;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentManifest;
import io.quiver.proto.SessionInfo;
import io.quiver.storage.ObjectStore;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import javax.annotation.concurrent.GuardedBy;
import javax.annotation.concurrent.ThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compaction tasks from plan to commit (issue 10): triggers (automatic every {@code triggerInterval}, or
 * ManualCompaction), turns {@link CompactionPlanner} decisions into datanode plans (input manifests read, result
 * segment and log ids preallocated), issues them into free datanode slots, polls them, and commits finished ones
 * through {@link SegmentManager#commit} in one MetaKv transaction.
 *
 * <p>Design: tasks live in memory. A datacoord restart forgets running tasks: their inputs are still Flushed and are
 * planned again, and the files a lost task wrote are orphans that garbage collection removes after
 * {@code dataCoord.gc.missingTolerance}. A task whose datanode's session ended, or that runs past the timeout, fails
 * and its segments are free to be planned again. Remote calls never run under this object's lock.
 */
@ThreadSafe
public final class CompactionManager {
    private static final Logger LOG = LoggerFactory.getLogger(CompactionManager.class);
    /** Finished tasks kept for GetCompactionState. */
    private static final int KEEP_FINISHED = 2000;

    /** The datanodes, as compaction needs them (an interface so the logic stays gRPC-free). */
    public interface DataNodes {
        List<SessionInfo> live();

        int freeSlots(SessionInfo node);

        void compact(SessionInfo node, CompactionPlan plan);

        List<CompactionResult> results(SessionInfo node, List<Long> planIds);

        void drop(SessionInfo node, List<Long> planIds);
    }

    /** One compaction task. */
    static final class Task {
        final CompactionPlan plan;
        volatile CompactionTaskState state = CompactionTaskState.PIPELINING;
        volatile SessionInfo node;
        volatile String reason = "";
        volatile CompactionResult result;
        volatile long endMs;

        Task(CompactionPlan plan) {
            this.plan = plan;
        }

        boolean finished() {
            return state == CompactionTaskState.COMPLETED || state == CompactionTaskState.FAILED || state == CompactionTaskState.TIMEOUT;
        }
    }

    private final CompactionConfig config;
    private final CompactionPlanner planner;
    private final SegmentManager segments;
    private final ObjectStore store;
    private final DataNodes nodes;
    private final LongFunction<CollectionInfo> collections;
    private final IntToLongFunction ids;
    private final LongSupplier tso;
    private final Predicate<SegmentInfo> servable;
    private final InstantSource clock;
    private final CompactionMetrics metrics;
    @GuardedBy("this") private final Map<Long, Task> tasks = new LinkedHashMap<>();
    @GuardedBy("this") private final Map<Long, List<Long>> triggers = new HashMap<>();
    @GuardedBy("this") private long lastAutoMs;
    /** Manual compactions whose mix stage waits for their L0 stage (a manual compaction is both, in that order). */
    @GuardedBy("this") private final Map<Long, ManualRequest> pendingMix = new LinkedHashMap<>();

    /** What a manual compaction asked for. */
    private record ManualRequest(long triggerId, long collectionId, long partitionId, String vchannel, List<Long> segmentIds) {}

    public CompactionManager(CompactionConfig config, SegmentManager segments, ObjectStore store, DataNodes nodes,
                             LongFunction<CollectionInfo> collections, IntToLongFunction ids, LongSupplier tso,
                             Predicate<SegmentInfo> servable, InstantSource clock, CompactionMetrics metrics) {
        this.config = requireNonNull(config, "config is null");
        this.planner = new CompactionPlanner(config);
        this.segments = requireNonNull(segments, "segments is null");
        this.store = requireNonNull(store, "store is null");
        this.nodes = requireNonNull(nodes, "nodes is null");
        this.collections = requireNonNull(collections, "collections is null");
        this.ids = requireNonNull(ids, "ids is null");
        this.tso = requireNonNull(tso, "tso is null");
        this.servable = requireNonNull(servable, "servable is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    /** A manual compaction of one collection: returns its id (the trigger id) and how many plans it made. */
    public record ManualResult(long compactionId, int planCount) {}

    public ManualResult manual(long collectionId, long partitionId, String vchannel, List<Long> segmentIds, boolean major) {
        if (!config.enabled()) {
            throw new QuiverException(ErrorCode.COMPACTION_DISABLED, "dataCoord.enableCompaction is false");
        }
        if (major) {
            throw new QuiverException(ErrorCode.CLUSTERING_COMPACTION_NOT_SUPPORTED, "majorCompaction is Milvus' clustering "
                    + "compaction, which needs a clustering key; Quiver has no clustering keys. majorCompaction=false merges every "
                    + "flushed segment of each partition and shard into segments of up to dataCoord.segmentMaxSize");
        }
        CollectionInfo c = collections.apply(collectionId);
        if (c == null) {
            throw new QuiverException(ErrorCode.COLLECTION_NOT_FOUND, "collectionID=" + collectionId);
        }
        long triggerId = ids.applyAsLong(1);
        List<Task> created = planAndCreate(c, CompactionPlanner.Trigger.MANUAL, triggerId, partitionId, vchannel, segmentIds, true);
        if (created.stream().anyMatch(t -> t.plan.getType() == CompactionType.L0_COMPACTION)) {
            // the deletes first, so the merge sees every segment's deleted rows and drops them; then the mix stage
            synchronized (this) {
                pendingMix.put(triggerId, new ManualRequest(triggerId, collectionId, partitionId, vchannel, List.copyOf(segmentIds)));
            }
        }
        LOG.info("manual compaction compactionId={} collectionId={} plans={}", triggerId, collectionId, created.size());
        return new ManualResult(triggerId, created.size());
    }

    /** Plans automatic compactions of every collection, at most once per trigger interval. */
    public void autoTrigger(List<CollectionInfo> all) {
        synchronized (this) {
            long now = clock.millis();
            if (!config.enabled() || !config.autoCompaction() || now - lastAutoMs < config.triggerInterval().toMillis()) {
                return;
            }
            lastAutoMs = now;
        }
        for (CollectionInfo listed : all) {
            CollectionInfo c = collections.apply(listed.getCollectionId());
            if (c != null) {
                planAndCreate(c, CompactionPlanner.Trigger.AUTO, 0, 0, "", List.of(), true);
            }
        }
    }

    private List<Task> planAndCreate(CollectionInfo c, CompactionPlanner.Trigger trigger, long triggerId, long partitionId,
                                     String vchannel, List<Long> segmentIds, boolean withL0) {
        long coll = c.getCollectionId();
        long now = clock.millis();
        long ts = tso.getAsLong();
        long expireTs = expireTs(c, ts);
        List<SegmentInfo> segs = segments.visibleSegments(coll).stream()
                .filter(s -> partitionId <= 0 || s.getPartitionId() == partitionId || s.getPartitionId() == -1)
                .filter(s -> vchannel.isEmpty() || s.getVchannel().equals(vchannel))
                .filter(s -> segmentIds.isEmpty() || segmentIds.contains(s.getSegmentId()) || s.getLevel() != SegmentLevel.L1)
                .toList();
        CompactionPlanner.CollectionView view = new CompactionPlanner.CollectionView(coll, c.getVchannelsList(), segments.maxRows(coll),
                expireTs, segs, segments.checkpoints(coll));
        List<CompactionPlanner.Planned> planned;
        CompactionPlanner.Busy busy;
        synchronized (this) {
            busy = busy();
            planned = planner.plan(view, busy, servable, now, trigger, withL0);
        }
        if (!busy.deferred().isEmpty()) {
            LOG.info("manual compaction triggerId={} collectionId={} leaves shards {} for a later call: an earlier compaction result "
                    + "there is not servable yet", triggerId, coll, busy.deferred());
        }
        List<Task> created = new ArrayList<>();
        for (CompactionPlanner.Planned p : planned) {
            try {
                created.add(register(build(c, p, triggerId, expireTs, now), triggerId));
            } catch (RuntimeException e) {
                LOG.warn("compaction plan not created collectionId={} type={} vchannel={}: {}", coll, p.type(), p.vchannel(), e.toString());
            }
        }
        synchronized (this) {
            if (triggerId != 0) {
                triggers.computeIfAbsent(triggerId, k -> new ArrayList<>());
            }
            if (trigger == CompactionPlanner.Trigger.MANUAL) {
                created.addAll(adoptRunning(triggerId, coll, partitionId, vchannel, segmentIds));
            }
        }
        return created;
    }

    /**
     * A manual compaction also answers for the automatic tasks already running on the segments it asked for: those
     * segments are busy, so the planner left them out, yet the user's compact() is being done by these tasks; its state
     * waits for them and GetCompactionStateWithPlans lists their merges (otherwise a compact() issued just after an
     * automatic trigger completes at once with no plans, and the segments merge later under another id).
     */
    @GuardedBy("this")
    private List<Task> adoptRunning(long triggerId, long coll, long partitionId, String vchannel, List<Long> segmentIds) {
        List<Long> own = triggers.computeIfAbsent(triggerId, k -> new ArrayList<>());
        List<Task> adopted = new ArrayList<>();
        for (Task t : tasks.values()) {
            CompactionPlan p = t.plan;
            if (t.finished() || p.getTriggerId() != 0 || own.contains(p.getPlanId()) || p.getCollection().getCollectionId() != coll
                    || partitionId > 0 && p.getPartitionId() != partitionId && p.getPartitionId() > 0
                    || !vchannel.isEmpty() && !p.getVchannel().equals(vchannel)
                    || !segmentIds.isEmpty() && p.getSegmentsList().stream().noneMatch(s -> segmentIds.contains(s.getSegment().getSegmentId()))) {
                continue;
            }
            own.add(p.getPlanId());
            adopted.add(t);
        }
        return adopted;
    }

    /** TTL: rows inserted before this timestamp are expired (0 when the collection has no TTL). */
    static long expireTs(CollectionInfo c, long nowTs) {
        for (var kv : c.getPropertiesList()) {
            if (kv.getKey().equals("collection.ttl.seconds")) {
                try {
                    long ttl = Long.parseLong(kv.getValue().trim());
                    return ttl <= 0 ? 0 : HybridTs.minusMillis(nowTs, ttl * 1000);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    @GuardedBy("this")
    private CompactionPlanner.Busy busy() {
        CompactionPlanner.Busy b = CompactionPlanner.Busy.none();
        for (Task t : tasks.values()) {
            if (t.finished()) {
                continue;
            }
            b.channels().add(t.plan.getVchannel());
            if (t.plan.getType() == CompactionType.L0_COMPACTION) {
                b.l0Channels().add(t.plan.getVchannel());
            }
            t.plan.getSegmentsList().forEach(s -> b.segments().add(s.getSegment().getSegmentId()));
            t.plan.getL0SegmentsList().forEach(s -> b.segments().add(s.getSegment().getSegmentId()));
        }
        return b;
    }

    private CompactionPlan build(CollectionInfo c, CompactionPlanner.Planned p, long triggerId, long expireTs, long now) {
        CompactionPlan.Builder b = CompactionPlan.newBuilder().setPlanId(ids.applyAsLong(1)).setTriggerId(triggerId).setType(p.type())
                .setCollection(c).setPartitionId(p.partitionId()).setVchannel(p.vchannel()).setStartMs(now)
                .setTimeoutMs(config.timeout().toMillis());
        long rows = 0;
        for (SegmentInfo s : p.inputs()) {
            b.addSegments(CompactionSegment.newBuilder().setSegment(s).setManifest(manifest(s)));
            rows += s.getNumRows();
        }
        for (SegmentInfo s : p.l0()) {
            b.addL0Segments(CompactionSegment.newBuilder().setSegment(s).setManifest(manifest(s)));
        }
        int fields = c.getSchema().getFieldsCount() + 4;
        int logIds;
        if (p.type() == CompactionType.MIX_COMPACTION) {
            long maxRows = segments.maxRows(c.getCollectionId());
            int results = (int) Math.min(10_000, rows / Math.max(1, maxRows) + 2);
            long first = ids.applyAsLong(results);
            for (int i = 0; i < results; i++) {
                b.addResultSegmentIds(first + i);
            }
            b.setExpireTs(expireTs).setMaxRows(maxRows);
            logIds = results * fields + 8;
        } else {
            b.setL0MaxTs(p.deleteFloor());
            logIds = p.inputs().size() * 2 + 8;
        }
        return b.setFirstLogId(ids.applyAsLong(logIds)).setLogIdCount(logIds).build();
    }

    private SegmentManifest manifest(SegmentInfo s) {
        try {
            return SegmentManifest.parseFrom(store.get(s.getManifestPath()));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable manifest " + s.getManifestPath(), e);
        }
    }

    private synchronized Task register(CompactionPlan plan, long triggerId) {
        Task t = new Task(plan);
        tasks.put(plan.getPlanId(), t);
        if (triggerId != 0) {
            triggers.computeIfAbsent(triggerId, k -> new ArrayList<>()).add(plan.getPlanId());
        }
        metrics.planned(plan.getType());
        LOG.info("compaction planned planId={} type={} collectionId={} vchannel={} inputs={} l0={} l0MaxTs={}", plan.getPlanId(),
                plan.getType(), plan.getCollection().getCollectionId(), plan.getVchannel(),
                plan.getSegmentsList().stream().map(s -> s.getSegment().getSegmentId()).toList(),
                plan.getL0SegmentsList().stream().map(s -> s.getSegment().getSegmentId()).toList(), plan.getL0MaxTs());
        return t;
    }

    /** One scheduling round: issue waiting plans into free slots, poll running ones, commit finished ones. */
    public void schedule() {
        startMixStages();
        List<SessionInfo> live = nodes.live();
        issue(live);
        poll(live);
        forgetOld();
    }

    /** Manual compactions whose L0 stage finished get their mix stage, under the same compaction id. */
    private void startMixStages() {
        List<ManualRequest> ready = new ArrayList<>();
        synchronized (this) {
            for (ManualRequest r : pendingMix.values()) {
                boolean l0Running = triggers.getOrDefault(r.triggerId(), List.of()).stream().map(tasks::get)
                        .anyMatch(t -> t != null && !t.finished() && t.plan.getType() == CompactionType.L0_COMPACTION);
                if (!l0Running) {
                    ready.add(r);
                }
            }
        }
        for (ManualRequest r : ready) {
            try {
                CollectionInfo c = collections.apply(r.collectionId());
                if (c != null) {
                    List<Task> created = planAndCreate(c, CompactionPlanner.Trigger.MANUAL, r.triggerId(), r.partitionId(), r.vchannel(),
                            r.segmentIds(), false);
                    LOG.info("manual compaction mix stage compactionId={} plans={}", r.triggerId(), created.size());
                }
            } finally {
                synchronized (this) {
                    pendingMix.remove(r.triggerId());
                }
            }
        }
    }

    private void issue(List<SessionInfo> live) {
        List<Task> waiting;
        synchronized (this) {
            waiting = tasks.values().stream().filter(t -> t.state == CompactionTaskState.PIPELINING).toList();
        }
        if (waiting.isEmpty() || live.isEmpty()) {
            return;
        }
        Map<Long, Integer> free = new HashMap<>();
        for (SessionInfo n : live) {
            try {
                free.put(n.getServerId(), nodes.freeSlots(n));
            } catch (RuntimeException e) {
                LOG.debug("compaction slots of datanode {} unavailable: {}", n.getServerId(), e.toString());
            }
        }
        for (Task t : waiting) {
            SessionInfo node = live.stream().filter(n -> free.getOrDefault(n.getServerId(), 0) > 0)
                    .max((a, b) -> Integer.compare(free.get(a.getServerId()), free.get(b.getServerId()))).orElse(null);
            if (node == null) {
                return;
            }
            try {
                nodes.compact(node, t.plan);
                t.node = node;
                t.state = CompactionTaskState.EXECUTING;
                free.merge(node.getServerId(), -1, Integer::sum);
                LOG.info("compaction issued planId={} datanode={}", t.plan.getPlanId(), node.getServerId());
            } catch (RuntimeException e) {
                free.put(node.getServerId(), 0);
                LOG.warn("compaction issue failed planId={} datanode={}: {}", t.plan.getPlanId(), node.getServerId(), e.toString());
            }
        }
    }

    private void poll(List<SessionInfo> live) {
        Map<Long, List<Task>> byNode = new HashMap<>();
        synchronized (this) {
            for (Task t : tasks.values()) {
                if (t.state == CompactionTaskState.EXECUTING) {
                    byNode.computeIfAbsent(t.node.getServerId(), k -> new ArrayList<>()).add(t);
                }
            }
        }
        long now = clock.millis();
        for (var e : byNode.entrySet()) {
            SessionInfo node = live.stream().filter(n -> n.getServerId() == e.getKey()).findFirst().orElse(null);
            if (node == null) {
                e.getValue().forEach(t -> finish(t, CompactionTaskState.FAILED, "datanode " + e.getKey() + " is gone"));
                continue;
            }
            List<CompactionResult> results;
            try {
                results = nodes.results(node, e.getValue().stream().map(t -> t.plan.getPlanId()).toList());
            } catch (RuntimeException ex) {
                LOG.debug("compaction results of datanode {} unavailable: {}", e.getKey(), ex.toString());
                continue;
            }
            Map<Long, CompactionResult> byPlan = new HashMap<>();
            results.forEach(r -> byPlan.put(r.getPlanId(), r));
            List<Long> done = new ArrayList<>();
            for (Task t : e.getValue()) {
                CompactionResult r = byPlan.get(t.plan.getPlanId());
                if (r == null) {
                    finish(t, CompactionTaskState.FAILED, "datanode " + e.getKey() + " does not know the plan (restarted?)");
                } else if (r.getState() == CompactionTaskState.COMPLETED) {
                    commit(t, r);
                } else if (r.getState() == CompactionTaskState.FAILED) {
                    finish(t, CompactionTaskState.FAILED, r.getFailReason());
                } else if (now - t.plan.getStartMs() > t.plan.getTimeoutMs()) {
                    finish(t, CompactionTaskState.TIMEOUT, "running longer than dataCoord.compaction.timeout");
                } else {
                    continue;
                }
                done.add(t.plan.getPlanId());
            }
            if (!done.isEmpty()) {
                try {
                    nodes.drop(node, done);
                } catch (RuntimeException ex) {
                    LOG.debug("dropping finished plans on datanode {} failed: {}", e.getKey(), ex.toString());
                }
            }
        }
    }

    private void commit(Task t, CompactionResult r) {
        try {
            List<SegmentInfo> written = segments.commit(new CompactionCommit(t.plan, r, tso.getAsLong()));
            t.result = r;
            finish(t, CompactionTaskState.COMPLETED, "");
            LOG.info("compaction committed planId={} type={} segments={} droppedDeleted={} droppedExpired={} droppedSuperseded={}",
                    t.plan.getPlanId(), t.plan.getType(), written.stream().map(s -> s.getSegmentId() + ":" + s.getState()).toList(),
                    r.getDroppedDeleted(), r.getDroppedExpired(), r.getDroppedSuperseded());
        } catch (RuntimeException e) {
            finish(t, CompactionTaskState.FAILED, "commit: " + e.getMessage());
        }
    }

    private void finish(Task t, CompactionTaskState state, String reason) {
        t.state = state;
        t.reason = reason == null ? "" : reason;
        t.endMs = clock.millis();
        metrics.finished(t.plan.getType(), state, t.endMs - t.plan.getStartMs());
        if (state != CompactionTaskState.COMPLETED) {
            LOG.warn("compaction {} planId={} type={}: {}", state, t.plan.getPlanId(), t.plan.getType(), reason);
        }
    }

    private synchronized void forgetOld() {
        int over = (int) tasks.values().stream().filter(Task::finished).count() - KEEP_FINISHED;
        for (var it = tasks.values().iterator(); it.hasNext() && over > 0; ) {
            if (it.next().finished()) {
                it.remove();
                over--;
            }
        }
    }

    /** GetCompactionState: Completed when every plan of the compaction finished (an unknown id has no plans left). */
    public synchronized GetCompactionStateResponse state(long compactionId) {
        int executing = 0;
        int completed = 0;
        int failed = 0;
        int timeout = 0;
        for (long planId : triggers.getOrDefault(compactionId, List.of())) {
            Task t = tasks.get(planId);
            if (t == null) {
                continue;
            }
            switch (t.state) {
                case COMPLETED -> completed++;
                case FAILED -> failed++;
                case TIMEOUT -> timeout++;
                default -> executing++;
            }
        }
        if (pendingMix.containsKey(compactionId)) {
            executing++; // the mix stage is still to come
        }
        return GetCompactionStateResponse.newBuilder().setStatus(Statuses.success())
                .setState(executing > 0 ? CompactionState.Executing : CompactionState.Completed).setExecutingPlanNo(executing)
                .setCompletedPlanNo(completed).setFailedPlanNo(failed).setTimeoutPlanNo(timeout).build();
    }

    /** GetCompactionStateWithPlans: the state and, per completed mix plan, its sources and target. */
    public synchronized GetCompactionPlansResponse plans(long compactionId) {
        GetCompactionPlansResponse.Builder b = GetCompactionPlansResponse.newBuilder().setStatus(Statuses.success())
                .setState(state(compactionId).getState());
        for (long planId : triggers.getOrDefault(compactionId, List.of())) {
            Task t = tasks.get(planId);
            if (t == null || t.plan.getType() != CompactionType.MIX_COMPACTION) {
                continue;
            }
            List<Long> sources = t.plan.getSegmentsList().stream().map(s -> s.getSegment().getSegmentId()).toList();
            CompactionResult r = t.result;
            if (r == null || r.getSegmentsCount() == 0) {
                b.addMergeInfos(CompactionMergeInfo.newBuilder().addAllSources(sources));
            } else {
                r.getSegmentsList().forEach(rs -> b.addMergeInfos(CompactionMergeInfo.newBuilder().addAllSources(sources).setTarget(rs.getSegmentId())));
            }
        }
        return b.build();
    }

    /** Running and waiting tasks per collection (the compaction backlog). */
    public synchronized int backlog(long collectionId) {
        return (int) tasks.values().stream().filter(t -> !t.finished() && t.plan.getCollection().getCollectionId() == collectionId).count();
    }

    synchronized List<Task> tasks() {
        return List.copyOf(tasks.values());
    }
}
