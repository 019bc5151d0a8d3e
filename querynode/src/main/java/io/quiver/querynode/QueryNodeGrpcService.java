package io.quiver.querynode;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.milvus.grpc.Status;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.proto.ApplyDeleteRequest;
import io.quiver.proto.DistributionRequest;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.QnLoadSegmentsRequest;
import io.quiver.proto.QnReleaseSegmentsRequest;
import io.quiver.proto.QnUnwatchChannelRequest;
import io.quiver.proto.QnWatchChannelRequest;
import io.quiver.proto.QueryNodeGrpc;
import io.quiver.proto.ShardQueryRequest;
import io.quiver.proto.ShardQueryResponse;
import io.quiver.proto.ShardSearchRequest;
import io.quiver.proto.ShardSearchResponse;
import io.quiver.common.metrics.MetricLabels.QueryType;
import io.quiver.proto.SyncDistributionRequest;

/** Adapts the QueryNode gRPC service to {@link QueryNodeCore}. */
public final class QueryNodeGrpcService extends QueryNodeGrpc.QueryNodeImplBase {
    private final QueryNodeCore core;
    private final QueryNodeMetrics metrics;

    QueryNodeGrpcService(QueryNodeCore core, QueryNodeMetrics metrics) {
        this.core = requireNonNull(core, "core is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    @Override
    public void watchChannel(QnWatchChannelRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            core.watch(req);
            return Statuses.success();
        });
    }

    @Override
    public void unwatchChannel(QnUnwatchChannelRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            core.unwatch(req.getVchannel());
            return Statuses.success();
        });
    }

    @Override
    public void loadSegments(QnLoadSegmentsRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            core.loadSegments(req);
            return Statuses.success();
        });
    }

    @Override
    public void releaseSegments(QnReleaseSegmentsRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            if (req.getSegmentIdsList().isEmpty()) {
                core.releaseCollection(req.getCollectionId());
            } else {
                core.releaseSegments(req.getSegmentIdsList());
            }
            return Statuses.success();
        });
    }

    @Override
    public void syncDistribution(SyncDistributionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            core.syncDistribution(req);
            return Statuses.success();
        });
    }

    @Override
    public void getDistribution(DistributionRequest req, StreamObserver<DistributionResponse> o) {
        GrpcCalls.unary(o, DistributionResponse.getDefaultInstance(), core::distribution);
    }

    @Override
    public void search(ShardSearchRequest req, StreamObserver<ShardSearchResponse> o) {
        GrpcCalls.unary(o, ShardSearchResponse.getDefaultInstance(), () -> {
            long start = System.nanoTime();
            boolean ok = false;
            try {
                ShardSearchResponse r = core.search(req);
                ok = Statuses.isOk(r.getStatus());
                metrics.search(r.getNq(), r.getTopk());
                return r;
            } finally {
                metrics.request(QueryType.SEARCH, req.getFromLeader(), req.getPlan().getCollectionId(), ok, System.nanoTime() - start);
            }
        });
    }

    @Override
    public void query(ShardQueryRequest req, StreamObserver<ShardQueryResponse> o) {
        GrpcCalls.unary(o, ShardQueryResponse.getDefaultInstance(), () -> {
            long start = System.nanoTime();
            boolean ok = false;
            try {
                ShardQueryResponse r = core.query(req);
                ok = Statuses.isOk(r.getStatus());
                return r;
            } finally {
                metrics.request(QueryType.QUERY, req.getFromLeader(), req.getPlan().getCollectionId(), ok, System.nanoTime() - start);
            }
        });
    }

    @Override
    public void applyDelete(ApplyDeleteRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            core.applyDelete(req);
            return Statuses.success();
        });
    }
}
