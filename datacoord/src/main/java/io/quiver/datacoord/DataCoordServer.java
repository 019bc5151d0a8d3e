package io.quiver.datacoord;

import io.quiver.datacoord.importer.ImportManager;

import io.grpc.ServerBuilder;
import io.milvus.grpc.CollectionSchema;
import io.quiver.common.RoleContext;
import io.quiver.common.metrics.MetricLabels;
import io.quiver.common.metrics.MilvusMetric;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.grpc.RoleServer;
import io.quiver.common.util.Threads;
import io.quiver.proto.AllocIDRequest;
import io.quiver.proto.AllocTimestampRequest;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.FlushSegmentsRequest;
import io.quiver.proto.MsgPosition;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.UnwatchDmChannelRequest;
import io.quiver.proto.WatchDmChannelRequest;
import io.micrometer.core.instrument.FunctionCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        IndexScheduler scheduler = new IndexScheduler(indexes, segments, ctx.objectStore(), new RemotePorts.IndexNodes(clients),
                id -> channels.collections().stream().filter(c -> c.getCollectionId() == id).findFirst()
                .map(CollectionInfo::getSchema).orElse(CollectionSchema.getDefaultInstance()));

        Predicate<SegmentInfo> servable = new Servability(indexes)::servable;
        CompactionManager compactions = new CompactionManager(cfg.compaction(), segments, ctx.objectStore(), new RemotePorts.DataNodes(clients),
                new RemotePorts.FreshCollections(clients, channels::collections), n -> clients.rootCoord().allocID(AllocIDRequest.newBuilder().setCount(n).build()).getId(),
                () -> clients.rootCoord().allocTimestamp(AllocTimestampRequest.newBuilder().setCount(1).build()).getTimestamp(),
                servable, ctx.clock(), new CompactionMetrics(ctx.metrics()));
        StorageMetrics storageMetrics = new StorageMetrics(ctx.metrics(), segments, compactions);
        storageMetrics.registerMilvusGauges(ctx.milvusMetrics());
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

        GarbageCollector gc = new GarbageCollector(new RemotePorts.GcPort(clients, segments, servable), indexes, ctx.objectStore(), ctx.clock(), cfg.gc());
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

        // Milvus' segment_state names; every Quiver data segment is level L1 and not sorted by primary key
        Map<io.quiver.proto.SegmentState, MetricLabels.SegmentState> states = Map.of(io.quiver.proto.SegmentState.GROWING,
                MetricLabels.SegmentState.GROWING, io.quiver.proto.SegmentState.SEALED, MetricLabels.SegmentState.SEALED,
                io.quiver.proto.SegmentState.FLUSHED, MetricLabels.SegmentState.FLUSHED);
        ctx.milvusMetrics().gaugeSource(MilvusMetric.DATACOORD_SEGMENT_NUM, sink -> states.forEach((st, label) ->
                sink.value(segments.count(st), label.value(), MetricLabels.SegmentLevel.L1.value(), "unsorted")));
        ctx.milvusMetrics().gaugeSource(MilvusMetric.DATACOORD_DATANODE_NUM,
                sink -> sink.value(ctx.sessions().list(RoleClients.DATANODE).size()));
        ExecutorService background = Executors.newFixedThreadPool(2, Threads.daemon("datacoord-bg"));
        ExecutorService importRunner = Executors.newSingleThreadExecutor(Threads.daemon("datacoord-import"));
        ImportManager imports = new ImportManager(ctx.metaKv(), root, ctx.objectStore(), new ImportManager.Ports(segments,
                n -> clients.rootCoord().allocID(AllocIDRequest.newBuilder().setCount(n).build()).getId(),
                () -> clients.rootCoord().allocTimestamp(AllocTimestampRequest.newBuilder().setCount(1).build()).getTimestamp(),
                servable), ctx.clock(), importRunner);
        imports.load();
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
                imports.tick();
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
                background, imports)), ctx.sessions(), session, List.of(loop::shutdownNow, compactionLoop::shutdownNow, gcLoop::shutdownNow,
                background::shutdownNow, importRunner::shutdownNow));
    }
}
