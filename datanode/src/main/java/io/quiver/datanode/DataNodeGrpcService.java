package io.quiver.datanode;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.milvus.grpc.Status;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.common.util.HeapUsage;
import io.quiver.datanode.compaction.CompactionExecutor;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResultsRequest;
import io.quiver.proto.CompactionResultsResponse;
import io.quiver.proto.CompactionSlotsResponse;
import io.quiver.proto.DataNodeChannelsResponse;
import io.quiver.proto.DataNodeGrpc;
import io.quiver.proto.DropCompactionPlansRequest;
import io.quiver.proto.Empty;
import io.quiver.proto.FlushSegmentsRequest;
import io.quiver.proto.NodeMemoryResponse;
import io.quiver.proto.UnwatchDmChannelRequest;
import io.quiver.proto.WatchDmChannelRequest;

/** Adapts the DataNode gRPC service to {@link DataNode} (channels) and {@link CompactionExecutor} (compaction). */
public final class DataNodeGrpcService extends DataNodeGrpc.DataNodeImplBase {
    private final DataNode node;
    private final CompactionExecutor compactions;

    public DataNodeGrpcService(DataNode node, CompactionExecutor compactions) {
        this.node = requireNonNull(node, "node is null");
        this.compactions = requireNonNull(compactions, "compactions is null");
    }

    @Override
    public void watchDmChannel(WatchDmChannelRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            node.watch(req.getCollection(), req.getVchannel(), req.hasSeekPosition() ? req.getSeekPosition() : null, req.getGrowingSegmentsList(),
                    req.getRecentL0SegmentsList());
            return Statuses.success();
        });
    }

    @Override
    public void unwatchDmChannel(UnwatchDmChannelRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            node.unwatch(req.getVchannel(), req.getDrop());
            return Statuses.success();
        });
    }

    @Override
    public void flushSegments(FlushSegmentsRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            node.flush(req.getVchannel(), req.getSegmentIdsList(), req.getFlushTs());
            return Statuses.success();
        });
    }

    /** The process's live heap against its maximum: what memory protection compares with the datanode water levels. */
    @Override
    public void getMemoryUsage(Empty req, StreamObserver<NodeMemoryResponse> o) {
        GrpcCalls.unary(o, NodeMemoryResponse.getDefaultInstance(), () -> NodeMemoryResponse.newBuilder().setStatus(Statuses.success())
                .setUsedBytes(HeapUsage.liveBytes()).setLimitBytes(HeapUsage.maxBytes()).build());
    }

    @Override
    public void getChannels(Empty req, StreamObserver<DataNodeChannelsResponse> o) {
        GrpcCalls.unary(o, DataNodeChannelsResponse.getDefaultInstance(), () ->
                DataNodeChannelsResponse.newBuilder().setStatus(Statuses.success()).addAllVchannels(node.vchannels()).build());
    }

    @Override
    public void compact(CompactionPlan req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            compactions.submit(req);
            return Statuses.success();
        });
    }

    @Override
    public void getCompactionResults(CompactionResultsRequest req, StreamObserver<CompactionResultsResponse> o) {
        GrpcCalls.unary(o, CompactionResultsResponse.getDefaultInstance(), () -> CompactionResultsResponse.newBuilder()
                .setStatus(Statuses.success()).addAllResults(compactions.results(req.getPlanIdsList())).build());
    }

    @Override
    public void getCompactionSlots(Empty req, StreamObserver<CompactionSlotsResponse> o) {
        GrpcCalls.unary(o, CompactionSlotsResponse.getDefaultInstance(), () -> CompactionSlotsResponse.newBuilder()
                .setStatus(Statuses.success()).setTotalSlots(compactions.totalSlots()).setFreeSlots(compactions.freeSlots()).build());
    }

    @Override
    public void dropCompactionPlans(DropCompactionPlansRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            compactions.dropPlans(req.getPlanIdsList());
            return Statuses.success();
        });
    }
}
