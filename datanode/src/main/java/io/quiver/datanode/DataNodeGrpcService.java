package io.quiver.datanode;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.milvus.grpc.Status;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.proto.DataNodeChannelsResponse;
import io.quiver.proto.DataNodeGrpc;
import io.quiver.proto.Empty;
import io.quiver.proto.FlushSegmentsRequest;
import io.quiver.proto.UnwatchDmChannelRequest;
import io.quiver.proto.WatchDmChannelRequest;

/** Adapts the DataNode gRPC service to {@link DataNode}. */
public final class DataNodeGrpcService extends DataNodeGrpc.DataNodeImplBase {
    private final DataNode node;

    public DataNodeGrpcService(DataNode node) {
        this.node = requireNonNull(node, "node is null");
    }

    @Override
    public void watchDmChannel(WatchDmChannelRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            node.watch(req.getCollection(), req.getVchannel(), req.hasSeekPosition() ? req.getSeekPosition() : null, req.getGrowingSegmentsList());
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

    @Override
    public void getChannels(Empty req, StreamObserver<DataNodeChannelsResponse> o) {
        GrpcCalls.unary(o, DataNodeChannelsResponse.getDefaultInstance(), () ->
                DataNodeChannelsResponse.newBuilder().setStatus(Statuses.success()).addAllVchannels(node.vchannels()).build());
    }
}
