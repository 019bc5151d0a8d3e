package io.quiver.querycoord;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ServerBuilder;
import io.quiver.common.RoleContext;
import io.quiver.common.metrics.MilvusMetric;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.grpc.RoleServer;
import io.quiver.common.util.Threads;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DescribeCollectionInternalRequest;
import io.quiver.proto.DistributionRequest;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.GetRecoveryInfoRequest;
import io.quiver.proto.GetRecoveryInfoResponse;
import io.quiver.proto.GetSegmentIndexesRequest;
import io.quiver.proto.GetSegmentIndexesResponse;
import io.quiver.proto.QnLoadSegmentsRequest;
import io.quiver.proto.QnReleaseSegmentsRequest;
import io.quiver.proto.QnUnwatchChannelRequest;
import io.quiver.proto.QnWatchChannelRequest;
import io.quiver.proto.SegmentManifest;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.SyncDistributionRequest;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds and runs querycoord. */
public final class QueryCoordServer {
    private static final Logger LOG = LoggerFactory.getLogger(QueryCoordServer.class);

    private QueryCoordServer() {}

    public static RoleServer create(RoleContext ctx, ServerBuilder<?> builder, String address, long serverId) {
        RoleClients clients = ctx.clients();
        QueryCluster cluster = new QueryCluster() {
            @Override
            public List<SessionInfo> queryNodes() {
                return clients.sessions().list(RoleClients.QUERYNODE);
            }

            @Override
            public DistributionResponse distribution(SessionInfo node) {
                DistributionResponse r = clients.queryNode(node.getAddress()).getDistribution(DistributionRequest.getDefaultInstance());
                Statuses.check(r.getStatus());
                return r;
            }

            @Override
            public void watch(SessionInfo node, QnWatchChannelRequest request) {
                Statuses.check(clients.queryNode(node.getAddress()).watchChannel(request));
            }

            @Override
            public void unwatch(SessionInfo node, QnUnwatchChannelRequest request) {
                Statuses.check(clients.queryNode(node.getAddress()).unwatchChannel(request));
            }

            @Override
            public void load(SessionInfo node, QnLoadSegmentsRequest request) {
                Statuses.check(clients.queryNode(node.getAddress()).loadSegments(request));
            }

            @Override
            public void release(SessionInfo node, QnReleaseSegmentsRequest request) {
                Statuses.check(clients.queryNode(node.getAddress()).releaseSegments(request));
            }

            @Override
            public void syncDistribution(SessionInfo node, SyncDistributionRequest request) {
                Statuses.check(clients.queryNode(node.getAddress()).syncDistribution(request));
            }

            @Override
            public GetRecoveryInfoResponse recoveryInfo(long collectionId, List<Long> partitionIds) {
                return clients.dataCoord().getRecoveryInfo(GetRecoveryInfoRequest.newBuilder().setCollectionId(collectionId)
                        .addAllPartitionIds(partitionIds).build());
            }

            @Override
            public GetSegmentIndexesResponse segmentIndexes(long collectionId) {
                GetSegmentIndexesResponse r = clients.dataCoord().getSegmentIndexes(GetSegmentIndexesRequest.newBuilder().setCollectionId(collectionId).build());
                Statuses.check(r.getStatus());
                return r;
            }

            @Override
            public CollectionInfo collection(long collectionId) {
                var r = clients.rootCoord().describeCollection(DescribeCollectionInternalRequest.newBuilder().setCollectionId(collectionId).build());
                Statuses.check(r.getStatus());
                return r.getCollection();
            }

            @Override
            public SegmentManifest manifest(String path) {
                try {
                    return SegmentManifest.parseFrom(ctx.objectStore().get(path));
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("unreadable manifest " + path, e);
                }
            }
        };
        var qcc = ctx.config().queryCoord();
        QueryCoordinator qc = new QueryCoordinator(ctx.metaKv(), ctx.metaRoot(), cluster, qcc.balanceTolerance(), qcc.leaderReleaseGrace().toMillis(),
                ctx.clock());
        ctx.milvusMetrics().gaugeSource(MilvusMetric.QUERYCOORD_QUERYNODE_NUM, sink -> sink.value(cluster.queryNodes().size()));
        ctx.milvusMetrics().gaugeSource(MilvusMetric.QUERYCOORD_COLLECTION_NUM, sink -> sink.value(qc.loadedCount()));
        ScheduledExecutorService loop = Threads.scheduler("querycoord-loop");
        ExecutorService kick = Executors.newSingleThreadExecutor(Threads.daemon("querycoord-kick"));
        Runnable round = () -> {
            try {
                qc.reconcile(); // one round at a time: reconcile serializes itself
            } catch (RuntimeException e) {
                LOG.warn("querycoord round failed: {}", e.toString());
            }
        };
        loop.scheduleWithFixedDelay(round, 300, 300, TimeUnit.MILLISECONDS);
        SessionInfo session = SessionInfo.newBuilder().setServerId(serverId).setRole(RoleClients.QUERYCOORD)
                .setAddress(address).setStartTimeMs(ctx.clock().millis()).build();
        return new RoleServer(builder, List.of(new QueryCoordGrpcService(qc, r -> kick.execute(round), ctx.milvusMetrics())), ctx.sessions(), session,
                List.of(loop::shutdownNow, kick::shutdownNow));
    }
}
