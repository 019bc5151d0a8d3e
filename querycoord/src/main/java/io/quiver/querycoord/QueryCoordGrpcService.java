package io.quiver.querycoord;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.milvus.grpc.Status;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.proto.LoadCollectionInternalRequest;
import io.quiver.proto.LoadStateInternalRequest;
import io.quiver.proto.LoadStateInternalResponse;
import io.quiver.proto.QueryCoordGrpc;
import io.quiver.proto.ReleaseInternalRequest;
import io.quiver.proto.ShardLeadersRequest;
import io.quiver.proto.ShardLeadersResponse;
import io.quiver.common.metrics.MetricLabels;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.MilvusMetric;
import java.util.concurrent.Executor;

/** Adapts the QueryCoord gRPC service to {@link QueryCoordinator}. */
public final class QueryCoordGrpcService extends QueryCoordGrpc.QueryCoordImplBase {
    private final QueryCoordinator qc;
    private final Executor kick;
    private final MetricsRegistry metrics;

    public QueryCoordGrpcService(QueryCoordinator qc, Executor kick, MetricsRegistry metrics) {
        this.qc = requireNonNull(qc, "qc is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.kick = requireNonNull(kick, "kick is null");
    }

    @Override
    public void loadCollection(LoadCollectionInternalRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            boolean ok = false;
            try {
                qc.load(req);
                ok = true;
            } finally { // Milvus' load_req_count: every load request as total, and its outcome
                metrics.counter(MilvusMetric.QUERYCOORD_LOAD_REQ_COUNT, MetricLabels.Status.TOTAL.value()).inc();
                metrics.counter(MilvusMetric.QUERYCOORD_LOAD_REQ_COUNT, (ok ? MetricLabels.Status.SUCCESS : MetricLabels.Status.FAIL).value())
                        .inc();
            }
            kick.execute(qc::reconcile);
            return Statuses.success();
        });
    }

    @Override
    public void release(ReleaseInternalRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            qc.release(req.getCollectionId(), req.getPartitionIdsList());
            return Statuses.success();
        });
    }

    @Override
    public void getLoadState(LoadStateInternalRequest req, StreamObserver<LoadStateInternalResponse> o) {
        GrpcCalls.unary(o, LoadStateInternalResponse.getDefaultInstance(), () -> qc.loadState(req.getCollectionId(), req.getPartitionIdsList()));
    }

    @Override
    public void getReplicas(ShardLeadersRequest req, StreamObserver<io.milvus.grpc.GetReplicasResponse> o) {
        GrpcCalls.unary(o, io.milvus.grpc.GetReplicasResponse.getDefaultInstance(), () -> qc.replicaInfo(req.getCollectionId()));
    }

    @Override
    public void getQuerySegmentInfo(ShardLeadersRequest req, StreamObserver<io.milvus.grpc.GetQuerySegmentInfoResponse> o) {
        GrpcCalls.unary(o, io.milvus.grpc.GetQuerySegmentInfoResponse.getDefaultInstance(), () -> qc.segmentInfo(req.getCollectionId()));
    }

    @Override
    public void getShardLeaders(ShardLeadersRequest req, StreamObserver<ShardLeadersResponse> o) {
        GrpcCalls.unary(o, ShardLeadersResponse.getDefaultInstance(), () -> ShardLeadersResponse.newBuilder().setStatus(Statuses.success())
                .addAllLeaders(qc.shardLeaders(req.getCollectionId())).addAllLoadedPartitionIds(qc.loadedPartitions(req.getCollectionId())).build());
    }
}
