package io.quiver.server.ctl;

import static io.quiver.server.ctl.MilvusRpc.check;
import static java.util.Objects.requireNonNull;

import io.milvus.grpc.CompactionState;
import io.milvus.grpc.DescribeCollectionRequest;
import io.milvus.grpc.DescribeCollectionResponse;
import io.milvus.grpc.GetCompactionStateRequest;
import io.milvus.grpc.GetCompactionStateResponse;
import io.milvus.grpc.GetPersistentSegmentInfoRequest;
import io.milvus.grpc.GetPersistentSegmentInfoResponse;
import io.milvus.grpc.GetQuerySegmentInfoRequest;
import io.milvus.grpc.GetQuerySegmentInfoResponse;
import io.milvus.grpc.ManualCompactionRequest;
import io.milvus.grpc.ManualCompactionResponse;
import io.milvus.grpc.MilvusServiceGrpc.MilvusServiceBlockingStub;
import io.milvus.grpc.PersistentSegmentInfo;
import io.milvus.grpc.QuerySegmentInfo;
import io.milvus.grpc.SegmentLevel;
import io.milvus.grpc.SegmentState;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The compaction calls of {@code --compaction-qps} on one collection, over the raw Milvus stub; every call has a deadline. */
final class CompactionRpc {
    /** The collection's segments as GetPersistentSegmentInfo shows them. */
    record Segments(Set<Long> flushed, int liveL0) {}

    /** What ManualCompaction answered. */
    record Started(long compactionId, int plans) {}

    private static final long DEADLINE_S = 30;
    private final MilvusServiceBlockingStub stub;
    private final String collection;

    CompactionRpc(MilvusServiceBlockingStub stub, String collection) {
        this.stub = requireNonNull(stub, "stub is null");
        this.collection = requireNonNull(collection, "collection is null");
    }

    private MilvusServiceBlockingStub call() {
        return stub.withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
    }

    long collectionId() {
        DescribeCollectionResponse r = call().describeCollection(DescribeCollectionRequest.newBuilder().setCollectionName(collection).build());
        check(r.getStatus(), "describe " + collection);
        return r.getCollectionID();
    }

    Started manualCompaction(long collectionId) {
        ManualCompactionResponse r = call().manualCompaction(ManualCompactionRequest.newBuilder().setCollectionID(collectionId).build());
        check(r.getStatus(), "ManualCompaction of " + collection);
        return new Started(r.getCompactionID(), r.getCompactionPlanCount());
    }

    boolean executing(long compactionId) {
        GetCompactionStateResponse r = call().getCompactionState(GetCompactionStateRequest.newBuilder().setCompactionID(compactionId).build());
        check(r.getStatus(), "GetCompactionState(" + compactionId + ")");
        return r.getState() == CompactionState.Executing;
    }

    /** Flushed non-L0 segment ids and the L0 segments not yet compacted (any state but Dropped). */
    Segments segments() {
        GetPersistentSegmentInfoResponse r = call().getPersistentSegmentInfo(
                GetPersistentSegmentInfoRequest.newBuilder().setCollectionName(collection).build());
        check(r.getStatus(), "GetPersistentSegmentInfo");
        Set<Long> flushed = r.getInfosList().stream().filter(x -> x.getState() == SegmentState.Flushed && x.getLevel() != SegmentLevel.L0)
                .map(PersistentSegmentInfo::getSegmentID).collect(Collectors.toSet());
        int l0 = (int) r.getInfosList().stream().filter(x -> x.getLevel() == SegmentLevel.L0 && x.getState() != SegmentState.Dropped).count();
        return new Segments(flushed, l0);
    }

    /** Segment ids loaded on the querynodes (GetQuerySegmentInfo). */
    Set<Long> loaded() {
        GetQuerySegmentInfoResponse r = call().getQuerySegmentInfo(GetQuerySegmentInfoRequest.newBuilder().setCollectionName(collection).build());
        check(r.getStatus(), "GetQuerySegmentInfo");
        return r.getInfosList().stream().map(QuerySegmentInfo::getSegmentID).collect(Collectors.toSet());
    }
}
