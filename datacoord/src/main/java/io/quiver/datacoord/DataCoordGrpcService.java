package io.quiver.datacoord;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.datacoord.importer.ImportManager;
import io.quiver.datacoord.importer.ImportProgress;
import io.quiver.proto.ImportInternalRequest;
import io.quiver.proto.ImportJobInfo;
import io.quiver.proto.ImportJobRequest;
import io.quiver.proto.ImportJobResponse;
import io.quiver.proto.ListImportJobsRequest;
import io.quiver.proto.ListImportJobsResponse;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.milvus.grpc.Status;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.proto.AssignSegmentIDRequest;
import io.quiver.proto.AssignSegmentIDResponse;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CollectionStatsRequest;
import io.quiver.proto.CollectionStatsResponse;
import io.quiver.proto.CompactionStateInternalRequest;
import io.quiver.proto.CreateIndexInternalRequest;
import io.quiver.proto.PersistentSegmentsRequest;
import io.milvus.grpc.GetCompactionPlansResponse;
import io.milvus.grpc.GetCompactionStateResponse;
import io.milvus.grpc.GetPersistentSegmentInfoResponse;
import io.milvus.grpc.ManualCompactionRequest;
import io.milvus.grpc.ManualCompactionResponse;
import io.quiver.proto.DataCoordGrpc;
import io.quiver.proto.DescribeIndexInternalRequest;
import io.quiver.proto.DescribeIndexInternalResponse;
import io.quiver.proto.DropCollectionDataRequest;
import io.quiver.proto.DropIndexInternalRequest;
import io.quiver.proto.FlushInternalRequest;
import io.quiver.proto.FlushInternalResponse;
import io.quiver.proto.GetFlushStateInternalRequest;
import io.quiver.proto.GetFlushStateInternalResponse;
import io.quiver.proto.GetRecoveryInfoRequest;
import io.quiver.proto.GetRecoveryInfoResponse;
import io.quiver.proto.GetSegmentIndexesRequest;
import io.quiver.proto.GetSegmentIndexesResponse;
import io.quiver.proto.GetSegmentsRequest;
import io.quiver.proto.GetSegmentsResponse;
import io.quiver.proto.IndexInfo;
import io.quiver.proto.SaveBinlogPathsRequest;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentState;
import io.quiver.proto.UpdateChannelCheckpointRequest;
import io.quiver.proto.WatchCollectionRequest;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Adapts the DataCoord gRPC service to the segment, channel and index managers. */
public final class DataCoordGrpcService extends DataCoordGrpc.DataCoordImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(DataCoordGrpcService.class);
    private final SegmentManager segments;
    private final ChannelManager channels;
    private final IndexManager indexes;
    private final CompactionManager compactions;
    private final Predicate<SegmentInfo> servable;
    private final Executor background;
    private final ImportManager imports;

    public DataCoordGrpcService(SegmentManager segments, ChannelManager channels, IndexManager indexes, CompactionManager compactions,
                                Predicate<SegmentInfo> servable, Executor background, ImportManager imports) {
        this.imports = requireNonNull(imports, "imports is null");
        this.segments = requireNonNull(segments, "segments is null");
        this.compactions = requireNonNull(compactions, "compactions is null");
        this.servable = requireNonNull(servable, "servable is null");
        this.channels = requireNonNull(channels, "channels is null");
        this.indexes = requireNonNull(indexes, "indexes is null");
        this.background = requireNonNull(background, "background is null");
    }

    @Override
    public void assignSegmentID(AssignSegmentIDRequest req, StreamObserver<AssignSegmentIDResponse> o) {
        GrpcCalls.unary(o, AssignSegmentIDResponse.getDefaultInstance(), () ->
                AssignSegmentIDResponse.newBuilder().setStatus(Statuses.success()).addAllAssignments(segments.assign(req.getRequestsList())).build());
    }

    @Override
    public void watchCollection(WatchCollectionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            CollectionInfo c = req.getCollection();
            segments.registerCollection(c.getCollectionId(), c.getSchema());
            channels.addCollection(c);
            background.execute(channels::reconcile);
            return Statuses.success();
        });
    }

    @Override
    public void dropCollectionData(DropCollectionDataRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            long coll = req.getCollectionId();
            if (req.getPartitionIdsList().isEmpty()) {
                channels.removeCollection(coll);
                indexes.dropCollection(coll);
            }
            List<SegmentInfo> dropped = segments.drop(coll, req.getPartitionIdsList()); // files go with garbage collection
            LOG.info("segments dropped collectionId={} partitions={} segments={}", coll, req.getPartitionIdsList(), dropped.size());
            return Statuses.success();
        });
    }

    @Override
    public void flush(FlushInternalRequest req, StreamObserver<FlushInternalResponse> o) {
        GrpcCalls.unary(o, FlushInternalResponse.getDefaultInstance(), () -> {
            var r = segments.flush(req.getCollectionId());
            return FlushInternalResponse.newBuilder().setStatus(Statuses.success()).addAllSegmentIds(r.sealed())
                    .addAllFlushedSegmentIds(r.flushed()).setFlushTs(r.flushTs()).build();
        });
    }

    @Override
    public void getFlushState(GetFlushStateInternalRequest req, StreamObserver<GetFlushStateInternalResponse> o) {
        GrpcCalls.unary(o, GetFlushStateInternalResponse.getDefaultInstance(), () -> {
            long coll = req.getCollectionId();
            if (coll == 0 && req.getSegmentIdsCount() > 0) {
                SegmentInfo first = segments.get(req.getSegmentIds(0));
                coll = first == null ? 0 : first.getCollectionId();
            }
            final long collectionId = coll;
            List<String> vchannels = channels.collections().stream().filter(c -> c.getCollectionId() == collectionId)
                    .flatMap(c -> c.getVchannelsList().stream()).toList();
            boolean flushed = segments.isFlushed(collectionId, req.getSegmentIdsList(), req.getFlushTs(), vchannels);
            return GetFlushStateInternalResponse.newBuilder().setStatus(Statuses.success()).setFlushed(flushed).build();
        });
    }

    @Override
    public void saveBinlogPaths(SaveBinlogPathsRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            segments.saveBinlogPaths(req);
            return Statuses.success();
        });
    }

    @Override
    public void updateChannelCheckpoint(UpdateChannelCheckpointRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            req.getCheckpointsList().forEach(c -> segments.updateCheckpoint(c.getVchannel(), c.getCollectionId(), c.getPosition()));
            return Statuses.success();
        });
    }

    @Override
    public void getRecoveryInfo(GetRecoveryInfoRequest req, StreamObserver<GetRecoveryInfoResponse> o) {
        GrpcCalls.unary(o, GetRecoveryInfoResponse.getDefaultInstance(), () -> {
            CollectionInfo c = channels.collections().stream().filter(x -> x.getCollectionId() == req.getCollectionId()).findFirst().orElse(null);
            var snap = segments.recoverySnapshot(req.getCollectionId(), c == null ? List.of() : c.getVchannelsList());
            return RecoveryTarget.build(snap, new HashSet<>(req.getPartitionIdsList()), servable);
        });
    }

    @Override
    public void getSegments(GetSegmentsRequest req, StreamObserver<GetSegmentsResponse> o) {
        GrpcCalls.unary(o, GetSegmentsResponse.getDefaultInstance(), () -> {
            GetSegmentsResponse.Builder b = GetSegmentsResponse.newBuilder().setStatus(Statuses.success());
            if (req.getSegmentIdsList().isEmpty()) {
                segments.visibleSegments(req.getCollectionId()).stream()
                        .filter(s -> req.getIncludeDropped() || s.getState() != SegmentState.DROPPED).forEach(b::addSegments);
                b.setCompactionBacklog(compactions.backlog(req.getCollectionId()));
            } else {
                for (long id : req.getSegmentIdsList()) {
                    SegmentInfo s = segments.get(id);
                    if (s != null) {
                        b.addSegments(s);
                    }
                }
            }
            return b.build();
        });
    }

    @Override
    public void getCollectionStatistics(CollectionStatsRequest req, StreamObserver<CollectionStatsResponse> o) {
        GrpcCalls.unary(o, CollectionStatsResponse.getDefaultInstance(), () -> CollectionStatsResponse.newBuilder()
                .setStatus(Statuses.success()).setRowCount(segments.rowCount(req.getCollectionId(), req.getPartitionIdsList())).build());
    }

    @Override
    public void createIndex(CreateIndexInternalRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            indexes.create(req);
            return Statuses.success();
        });
    }

    @Override
    public void describeIndex(DescribeIndexInternalRequest req, StreamObserver<DescribeIndexInternalResponse> o) {
        GrpcCalls.unary(o, DescribeIndexInternalResponse.getDefaultInstance(), () -> DescribeIndexInternalResponse.newBuilder()
                .setStatus(Statuses.success())
                .addAllIndexes(indexes.describe(req.getCollectionId(), req.getIndexName(), req.getFieldId(), segments.segments(req.getCollectionId())))
                .build());
    }

    @Override
    public void dropIndex(DropIndexInternalRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            indexes.drop(req.getCollectionId(), req.getIndexName(), req.getFieldId());
            return Statuses.success();
        });
    }

    @Override
    public void getSegmentIndexes(GetSegmentIndexesRequest req, StreamObserver<GetSegmentIndexesResponse> o) {
        GrpcCalls.unary(o, GetSegmentIndexesResponse.getDefaultInstance(), () -> {
            List<IndexInfo> infos = indexes.find(req.getCollectionId(), "", 0);
            return GetSegmentIndexesResponse.newBuilder().setStatus(Statuses.success()).addAllIndexes(infos)
                    .addAllSegmentIndexes(indexes.finishedFor(req.getCollectionId(), req.getSegmentIdsList())).build();
        });
    }

    @Override
    public void manualCompaction(ManualCompactionRequest req, StreamObserver<ManualCompactionResponse> o) {
        GrpcCalls.unary(o, ManualCompactionResponse.getDefaultInstance(), () -> {
            var r = compactions.manual(req.getCollectionID(), req.getPartitionId(), req.getChannel(), req.getSegmentIdsList(),
                    req.getMajorCompaction());
            return ManualCompactionResponse.newBuilder().setStatus(Statuses.success()).setCompactionID(r.compactionId())
                    .setCompactionPlanCount(r.planCount()).build();
        });
    }

    @Override
    public void getCompactionState(CompactionStateInternalRequest req, StreamObserver<GetCompactionStateResponse> o) {
        GrpcCalls.unary(o, GetCompactionStateResponse.getDefaultInstance(), () -> compactions.state(req.getCompactionId()));
    }

    @Override
    public void getCompactionStateWithPlans(CompactionStateInternalRequest req, StreamObserver<GetCompactionPlansResponse> o) {
        GrpcCalls.unary(o, GetCompactionPlansResponse.getDefaultInstance(), () -> compactions.plans(req.getCompactionId()));
    }

    @Override
    public void getPersistentSegmentInfo(PersistentSegmentsRequest req, StreamObserver<GetPersistentSegmentInfoResponse> o) {
        GrpcCalls.unary(o, GetPersistentSegmentInfoResponse.getDefaultInstance(), () -> GetPersistentSegmentInfoResponse.newBuilder()
                .setStatus(Statuses.success()).addAllInfos(PersistentSegments.of(segments.visibleSegments(req.getCollectionId()))).build());
    }

    // ---------------------------------------------------------------- bulk import

    @Override
    public void import_(ImportInternalRequest req, StreamObserver<ImportJobResponse> o) {
        GrpcCalls.unary(o, ImportJobResponse.getDefaultInstance(), () ->
                ImportJobResponse.newBuilder().setStatus(Statuses.success()).setJob(imports.create(req)).build());
    }

    @Override
    public void getImportJob(ImportJobRequest req, StreamObserver<ImportJobResponse> o) {
        GrpcCalls.unary(o, ImportJobResponse.getDefaultInstance(), () -> {
            ImportJobInfo j = imports.get(req.getJobId());
            if (j == null) {
                throw QuiverException.of(ErrorCode.IMPORT_FAILED, "import job does not exist, jobID=%d", req.getJobId());
            }
            return ImportJobResponse.newBuilder().setStatus(Statuses.success()).setJob(withProgress(j)).build();
        });
    }

    @Override
    public void listImportJobs(ListImportJobsRequest req, StreamObserver<ListImportJobsResponse> o) {
        GrpcCalls.unary(o, ListImportJobsResponse.getDefaultInstance(), () -> ListImportJobsResponse.newBuilder()
                .setStatus(Statuses.success()).addAllJobs(imports.list(req.getCollectionId(), req.getLimit()).stream()
                        .map(this::withProgress).toList()).build());
    }

    /** The job with its percent figure (Milvus' ranges) in {@code reason}-free form for the proxy to report. */
    private ImportJobInfo withProgress(ImportJobInfo j) {
        return j.toBuilder().setProgress(ImportProgress.percent(j, imports.indexedFraction(j))).build();
    }
}
