package io.quiver.indexnode;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.milvus.grpc.Status;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.proto.CreateJobRequest;
import io.quiver.proto.DropJobsRequest;
import io.quiver.proto.Empty;
import io.quiver.proto.IndexNodeGrpc;
import io.quiver.proto.JobSlotsResponse;
import io.quiver.proto.QueryJobRequest;
import io.quiver.proto.QueryJobResponse;

/** Adapts the IndexNode gRPC service to {@link IndexBuilder}. */
public final class IndexNodeGrpcService extends IndexNodeGrpc.IndexNodeImplBase {
    private final IndexBuilder builder;

    public IndexNodeGrpcService(IndexBuilder builder) {
        this.builder = requireNonNull(builder, "builder is null");
    }

    @Override
    public void createJob(CreateJobRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            builder.submit(req);
            return Statuses.success();
        });
    }

    @Override
    public void queryJobs(QueryJobRequest req, StreamObserver<QueryJobResponse> o) {
        GrpcCalls.unary(o, QueryJobResponse.getDefaultInstance(), () -> {
            QueryJobResponse.Builder b = QueryJobResponse.newBuilder().setStatus(Statuses.success());
            req.getBuildIdsList().forEach(id -> b.addResults(builder.result(id)));
            return b.build();
        });
    }

    @Override
    public void dropJobs(DropJobsRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            builder.drop(req.getBuildIdsList());
            return Statuses.success();
        });
    }

    @Override
    public void getJobSlots(Empty req, StreamObserver<JobSlotsResponse> o) {
        GrpcCalls.unary(o, JobSlotsResponse.getDefaultInstance(), () -> JobSlotsResponse.newBuilder().setStatus(Statuses.success())
                .setTotalSlots(builder.totalSlots()).setFreeSlots(builder.freeSlots()).build());
    }
}
