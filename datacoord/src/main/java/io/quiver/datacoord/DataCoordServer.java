package io.quiver.datacoord;

import io.grpc.ServerBuilder;
import io.milvus.grpc.CollectionSchema;
import io.quiver.common.RoleContext;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.grpc.RoleServer;
import io.quiver.common.util.Threads;
import io.quiver.proto.AllocIDRequest;
import io.quiver.proto.AllocTimestampRequest;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionResultsRequest;
import io.quiver.proto.CreateJobRequest;
import io.quiver.proto.DescribeCollectionInternalRequest;
import io.quiver.proto.DropCompactionPlansRequest;
import io.quiver.proto.IndexInfo;
import io.quiver.proto.SegmentIndex;
import io.quiver.proto.Empty;
import io.quiver.proto.FlushSegmentsRequest;
import io.quiver.proto.JobResult;
import io.quiver.proto.MsgPosition;
import io.quiver.proto.QueryJobRequest;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.UnwatchDmChannelRequest;
import io.quiver.proto.WatchDmChannelRequest;
import io.micrometer.core.instrument.FunctionCounter;
import io.quiver.proto.DistributionRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds and runs datacoord: segments, channels, indexes and their background loops. */
public final class DataCoordServer {
    private static final Logger LOG = LoggerFactory.getLogger(DataCoordServer.class);

    private DataCoordServer() {}

    public static RoleServer create(RoleContext ctx, ServerBuilder<?> builder, String address, long serverId) {
        RoleClients clients = ctx.clients();
        var cfg = ctx.config().dataCoord();
        String root = ctx.metaRoot();
        ChannelManager[] channelsRef = new ChannelManager[1];
        SegmentManager[] segmentsRef = new SegmentManager[1];
        SegmentManager segments = new SegmentManager(ctx.metaKv(), root,
                n -> clients.rootCoord().allocID(AllocIDRequest.newBuilder().setCount(n).build()).getId(),
                () -> clients.rootCoord().allocTimestamp(AllocTimestampRequest.newBuilder().setCount(1).build()).getTimestamp(),
                ctx.clock(), new SegmentManager.SealPolicy(cfg.segmentMaxSize(), cfg.segmentMaxLife(), cfg.segmentMaxIdle(),
                        cfg.compaction().enabled() ? cfg.compaction().deletedRatioThreshold() : 0),
                (vchannel, ids, ts) -> {
                    String addr = channelsRef[0].ownerAddress(vchannel);
                    if (addr == null) {
                        throw new IllegalStateException("no datanode owns " + vchannel + " yet");
                    }
                    Statuses.check(clients.dataNode(addr).flushSegments(FlushSegmentsRequest.newBuilder()
                            .setVchannel(vchannel).addAllSegmentIds(ids).setFlushTs(ts).build()));
                });
        segmentsRef[0] = segments;
        segments.load(); // before anything can hand a channel to a datanode
        ChannelManager channels = new ChannelManager(ctx.metaKv(), root, new ChannelManager.Watcher() {
            @Override
            public void watch(SessionInfo node, CollectionInfo collection, String vchannel) {
                WatchDmChannelRequest.Builder r = WatchDmChannelRequest.newBuilder().setCollection(collection).setVchannel(vchannel)
                        .addAllGrowingSegments(segmentsRef[0].unflushed(vchannel));
                MsgPosition cp = segmentsRef[0].checkpoint(vchannel);
                if (cp != null) {
                    r.setSeekPosition(cp);
                }
                r.addAllRecentL0Segments(segmentsRef[0].l0Above(vchannel, cp == null ? 0 : cp.getTimestamp()));
                Statuses.check(clients.dataNode(node.getAddress()).watchDmChannel(r.build()));
            }

            @Override
            public void unwatch(SessionInfo node, String vchannel) {
                Statuses.check(clients.dataNode(node.getAddress()).unwatchDmChannel(
                        UnwatchDmChannelRequest.newBuilder().setVchannel(vchannel).setDrop(true).build()));
            }
        });
        channelsRef[0] = channels;
        for (CollectionInfo c : channels.collections()) {
            segments.registerCollection(c.getCollectionId(), c.getSchema());
        }
        IndexManager indexes = new IndexManager(ctx.metaKv(), root,
                n -> clients.rootCoord().allocID(AllocIDRequest.newBuilder().setCount(n).build()).getId(),
                ctx.clock(), cfg.minRowsToIndex());
        IndexScheduler scheduler = new IndexScheduler(indexes, segments, ctx.objectStore(), new IndexScheduler.IndexNodes() {
            @Override
            public List<SessionInfo> live() {
                return clients.sessions().list(RoleClients.INDEXNODE).stream().filter(s -> !s.getStopping()).toList();
            }

            @Override
            public int freeSlots(SessionInfo node) {
                return clients.indexNode(node.getAddress()).getJobSlots(Empty.getDefaultInstance()).getFreeSlots();
            }

            @Override
            public void createJob(SessionInfo node, CreateJobRequest job) {
                Statuses.check(clients.indexNode(node.getAddress()).createJob(job));
            }

            @Override
            public List<JobResult> query(SessionInfo node, List<Long> buildIds) {
                var r = clients.indexNode(node.getAddress()).queryJobs(QueryJobRequest.newBuilder().addAllBuildIds(buildIds).build());
                Statuses.check(r.getStatus());
                return r.getResultsList();
            }
        }, id -> channels.collections().stream().filter(c -> c.getCollectionId() == id).findFirst()
                .map(CollectionInfo::getSchema).orElse(CollectionSchema.getDefaultInstance()));

        Predicate<SegmentInfo> servable = s -> {
            List<IndexInfo> wanted = indexes.find(s.getCollectionId(), "", 0);
            if (wanted.isEmpty()) {
                return true;
            }
            List<SegmentIndex> done = indexes.finishedFor(s.getCollectionId(), List.of(s.getSegmentId()));
            return wanted.stream().allMatch(i -> done.stream().anyMatch(b -> b.getIndexId() == i.getIndexId()));
        };
        CompactionManager compactions = new CompactionManager(cfg.compaction(), segments, ctx.objectStore(), new CompactionManager.DataNodes() {
            @Override
            public List<SessionInfo> live() {
                return clients.sessions().list(RoleClients.DATANODE).stream().filter(s -> !s.getStopping()).toList();
            }

            @Override
            public int freeSlots(SessionInfo node) {
                var r = clients.dataNode(node.getAddress()).getCompactionSlots(Empty.getDefaultInstance());
                Statuses.check(r.getStatus());
                return r.getFreeSlots();
            }

            @Override
            public void compact(SessionInfo node, CompactionPlan plan) {
                Statuses.check(clients.dataNode(node.getAddress()).compact(plan));
            }

            @Override
            public List<CompactionResult> results(SessionInfo node, List<Long> planIds) {
                var r = clients.dataNode(node.getAddress()).getCompactionResults(CompactionResultsRequest.newBuilder().addAllPlanIds(planIds).build());
                Statuses.check(r.getStatus());
                return r.getResultsList();
            }

            @Override
            public void drop(SessionInfo node, List<Long> planIds) {
                Statuses.check(clients.dataNode(node.getAddress()).dropCompactionPlans(DropCompactionPlansRequest.newBuilder().addAllPlanIds(planIds).build()));
            }
        }, id -> {
            // fresh from rootcoord (TTL may have been altered); the watched copy if rootcoord does not answer
            try {
                var r = clients.rootCoord().describeCollection(DescribeCollectionInternalRequest.newBuilder().setCollectionId(id).build());
                if (r.getStatus().getCode() == 0) {
                    return r.getCollection();
                }
            } catch (RuntimeException e) {
                LOG.debug("describe collection {} for compaction failed: {}", id, e.toString());
            }
            return channels.collections().stream().filter(c -> c.getCollectionId() == id).findFirst().orElse(null);
        }, n -> clients.rootCoord().allocID(AllocIDRequest.newBuilder().setCount(n).build()).getId(),
                () -> clients.rootCoord().allocTimestamp(AllocTimestampRequest.newBuilder().setCount(1).build()).getTimestamp(),
                servable, ctx.clock(), new CompactionMetrics(ctx.metrics()));
        StorageMetrics storageMetrics = new StorageMetrics(ctx.metrics(), segments, compactions);
        ScheduledExecutorService compactionLoop = Threads.scheduler("datacoord-compaction");
        compactionLoop.scheduleWithFixedDelay(() -> {
            try {
                compactions.autoTrigger(channels.collections());
                compactions.schedule();
                storageMetrics.refresh(channels.collections());
            } catch (RuntimeException e) {
                LOG.warn("compaction round failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS);

        GarbageCollector gc = new GarbageCollector(new GarbageCollector.Port() {
            @Override
            public List<SegmentInfo> segments() {
                return segments.all();
            }

            @Override
            public Set<Long> inUseSegmentIds() {
                Set<Long> inUse = new HashSet<>();
                for (SessionInfo n : clients.sessions().list(RoleClients.QUERYNODE)) {
                    var d = clients.queryNode(n.getAddress()).getDistribution(DistributionRequest.getDefaultInstance()); // throws: round skipped
                    Statuses.check(d.getStatus());
                    d.getSegmentsList().forEach(x -> inUse.add(x.getSegmentId()));
                }
                return inUse;
            }

            @Override
            public boolean isHandedOff(long segmentId) {
                SegmentInfo s = segments.get(segmentId);
                return s != null && RecoveryTarget.handedOff(s, segments.segments(s.getCollectionId()), servable);
            }

            @Override
            public void removeSegment(long segmentId) {
                segments.removeRecords(List.of(segmentId));
            }
        }, indexes, ctx.objectStore(), ctx.clock(), cfg.gc());
        FunctionCounter.builder("quiver_datacoord_gc_removed_bytes_total", gc, GarbageCollector::removedBytesTotal).register(ctx.metrics());
        FunctionCounter.builder("quiver_datacoord_gc_removed_files_total", gc, GarbageCollector::removedFilesTotal).register(ctx.metrics());
        FunctionCounter.builder("quiver_datacoord_gc_removed_segments_total", gc, GarbageCollector::removedSegmentsTotal).register(ctx.metrics());
        FunctionCounter.builder("quiver_datacoord_gc_skipped_rounds_total", gc, GarbageCollector::skippedRoundsTotal).register(ctx.metrics());
        ScheduledExecutorService gcLoop = Threads.scheduler("datacoord-gc");
        if (cfg.gc().enabled()) {
            long every = cfg.gc().interval().toMillis();
            gcLoop.scheduleWithFixedDelay(() -> {
                try {
                    gc.runOnce();
                } catch (RuntimeException e) {
                    LOG.warn("garbage collection round failed: {}", e.toString());
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }

        for (io.quiver.proto.SegmentState st : List.of(io.quiver.proto.SegmentState.GROWING, io.quiver.proto.SegmentState.SEALED,
                io.quiver.proto.SegmentState.FLUSHED)) {
            io.micrometer.core.instrument.Gauge.builder("milvus_datacoord_segment_num", segments, m -> m.count(st))
                    .tag("segment_state", st.name()).register(ctx.metrics());
        }
        ExecutorService background = Executors.newFixedThreadPool(2, Threads.daemon("datacoord-bg"));
        ScheduledExecutorService loop = Threads.scheduler("datacoord-loop");
        boolean[] recovered = new boolean[1];
        loop.scheduleWithFixedDelay(() -> {
            try {
                if (!recovered[0]) {
                    segments.sealRecovered();
                    recovered[0] = true;
                }
                segments.applySealPolicies();
                channels.reconcile();
                List<SegmentInfo> all = new ArrayList<>();
                for (CollectionInfo c : channels.collections()) {
                    all.addAll(segments.segments(c.getCollectionId()));
                }
                scheduler.run(all); // build records of collected segments go with garbage collection
            } catch (RuntimeException e) {
                LOG.warn("datacoord loop round failed: {}", e.toString());
            }
        }, 200, 500, TimeUnit.MILLISECONDS);
        loop.scheduleWithFixedDelay(() -> {
            try {
                segments.resendPendingFlushes();
            } catch (RuntimeException e) {
                LOG.warn("flush resend failed: {}", e.toString());
            }
        }, 5, 5, TimeUnit.SECONDS);
        ctx.sessions().watch(RoleClients.DATANODE, nodes -> {
            channels.nodesChanged(nodes);
            background.execute(channels::reconcile);
        });
        SessionInfo session = SessionInfo.newBuilder().setServerId(serverId).setRole(RoleClients.DATACOORD)
                .setAddress(address).setStartTimeMs(ctx.clock().millis()).build();
        return new RoleServer(builder, List.of(new DataCoordGrpcService(segments, channels, indexes, compactions, servable,
                background)), ctx.sessions(), session, List.of(loop::shutdownNow, compactionLoop::shutdownNow, gcLoop::shutdownNow,
                background::shutdownNow));
    }
}
