package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.milvus.grpc.*;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.common.grpc.RoleClients;
import io.quiver.proto.DatabaseInfo;
import io.quiver.proto.Empty;
import io.quiver.proto.ShardLeadersRequest;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The public Milvus API on 19530: maps each RPC to the proxy's handlers and always answers with a status
 * (never a gRPC error, see {@link GrpcCalls}). The database comes from the {@code dbname} header
 * ({@link ProxyInterceptors#db()}) unless the request body names one.
 */
public final class MilvusProxyService extends MilvusServiceGrpc.MilvusServiceImplBase {
    public static final String VERSION = "v2.5.0";
    private static final AtomicLong IDENTIFIERS = new AtomicLong(System.currentTimeMillis() & 0xffffffL);

    private final DdlHandler ddl;
    private final DmlHandler dml;
    private final QueryHandler query;
    private final HybridSearcher hybrid;
    private final CompactionHandler compaction;
    private final ImportHandler imports;
    private final AnalyzerHandler analyzers;
    private final RoleClients clients;
    private final Timestamps timestamps;
    private final BooleanSupplier healthy;
    private final DummyRequests dummies;

    public MilvusProxyService(DdlHandler ddl, DmlHandler dml, QueryHandler query, MetaCache meta, RoleClients clients, Timestamps timestamps,
                              BooleanSupplier healthy) {
        this.ddl = requireNonNull(ddl, "ddl is null");
        this.dml = requireNonNull(dml, "dml is null");
        this.query = requireNonNull(query, "query is null");
        this.hybrid = new HybridSearcher(requireNonNull(meta, "meta is null"), query);
        this.compaction = new CompactionHandler(meta, requireNonNull(clients, "clients is null"));
        this.imports = new ImportHandler(meta, clients);
        this.analyzers = new AnalyzerHandler(meta::collection);
        this.clients = requireNonNull(clients, "clients is null");
        this.timestamps = requireNonNull(timestamps, "timestamps is null");
        this.healthy = requireNonNull(healthy, "healthy is null");
        this.dummies = new DummyRequests(q -> query.query(db(q.getDbName()), q));
    }

    private static String db(String inBody) {
        return inBody == null || inBody.isEmpty() ? ProxyInterceptors.db() : inBody;
    }

    private static Status ok() {
        return Statuses.success();
    }

    // ---------------------------------------------------------------- session / system

    @Override
    public void connect(ConnectRequest req, StreamObserver<ConnectResponse> o) {
        GrpcCalls.unary(o, ConnectResponse.getDefaultInstance(), () -> {
            String db = ProxyInterceptors.db();
            boolean exists = listDatabases().getDbNamesList().contains(db);
            if (!exists) {
                throw QuiverException.of(ErrorCode.DATABASE_NOT_FOUND, "database=%s", db);
            }
            return ConnectResponse.newBuilder().setStatus(ok()).setIdentifier(IDENTIFIERS.incrementAndGet())
                    .setServerInfo(ServerInfo.newBuilder().setBuildTags(VERSION).setDeployMode("STANDALONE").putReserved("server", "quiver")).build();
        });
    }

    @Override
    public void getVersion(GetVersionRequest req, StreamObserver<GetVersionResponse> o) {
        GrpcCalls.unary(o, GetVersionResponse.getDefaultInstance(), () -> GetVersionResponse.newBuilder().setStatus(ok()).setVersion(VERSION).build());
    }

    @Override
    public void checkHealth(CheckHealthRequest req, StreamObserver<CheckHealthResponse> o) {
        GrpcCalls.unary(o, CheckHealthResponse.getDefaultInstance(), () -> {
            boolean h = healthy.getAsBoolean();
            CheckHealthResponse.Builder b = CheckHealthResponse.newBuilder().setStatus(ok()).setIsHealthy(h);
            if (!h) {
                b.addReasons("not every role is registered and serving yet");
            }
            return b.build();
        });
    }

    @Override
    public void getComponentStates(GetComponentStatesRequest req, StreamObserver<ComponentStates> o) {
        GrpcCalls.unary(o, ComponentStates.getDefaultInstance(), () -> {
            StateCode code = healthy.getAsBoolean() ? StateCode.Healthy : StateCode.Initializing;
            return ComponentStates.newBuilder().setStatus(ok())
                    .setState(ComponentInfo.newBuilder().setRole("proxy").setStateCode(code)).build();
        });
    }

    @Override
    public void dummy(DummyRequest req, StreamObserver<DummyResponse> o) {
        o.onNext(DummyResponse.newBuilder().setResponse(dummies.answer(req.getRequestType())).build());
        o.onCompleted();
    }

    @Override
    public void allocTimestamp(AllocTimestampRequest req, StreamObserver<AllocTimestampResponse> o) {
        GrpcCalls.unary(o, AllocTimestampResponse.getDefaultInstance(), () ->
                AllocTimestampResponse.newBuilder().setStatus(ok()).setTimestamp(timestamps.now()).build());
    }

    @Override
    public void runAnalyzer(RunAnalyzerRequest req, StreamObserver<RunAnalyzerResponse> o) {
        GrpcCalls.unary(o, RunAnalyzerResponse.getDefaultInstance(), () -> analyzers.run(db(req.getDbName()), req));
    }

    // ---------------------------------------------------------------- databases

    private ListDatabasesResponse listDatabases() {
        var r = clients.rootCoord().listDatabases(Empty.getDefaultInstance());
        Statuses.check(r.getStatus());
        ListDatabasesResponse.Builder b = ListDatabasesResponse.newBuilder().setStatus(ok());
        for (DatabaseInfo d : r.getDatabasesList()) {
            b.addDbNames(d.getName()).addDbIds(d.getDbId()).addCreatedTimestamp(d.getCreatedTs());
        }
        return b.build();
    }

    @Override
    public void listDatabases(ListDatabasesRequest req, StreamObserver<ListDatabasesResponse> o) {
        GrpcCalls.unary(o, ListDatabasesResponse.getDefaultInstance(), this::listDatabases);
    }

    @Override
    public void createDatabase(CreateDatabaseRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            Statuses.check(clients.rootCoord().createDatabase(req));
            return ok();
        });
    }

    @Override
    public void dropDatabase(DropDatabaseRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            Statuses.check(clients.rootCoord().dropDatabase(req));
            return ok();
        });
    }

    @Override
    public void describeDatabase(DescribeDatabaseRequest req, StreamObserver<DescribeDatabaseResponse> o) {
        GrpcCalls.unary(o, DescribeDatabaseResponse.getDefaultInstance(), () -> {
            var r = clients.rootCoord().listDatabases(Empty.getDefaultInstance());
            Statuses.check(r.getStatus());
            String name = db(req.getDbName());
            DatabaseInfo d = r.getDatabasesList().stream().filter(x -> x.getName().equals(name)).findFirst()
                    .orElseThrow(() -> QuiverException.of(ErrorCode.DATABASE_NOT_FOUND, "database=%s", name));
            return DescribeDatabaseResponse.newBuilder().setStatus(ok()).setDbName(d.getName()).setDbID(d.getDbId())
                    .setCreatedTimestamp(d.getCreatedTs()).addAllProperties(d.getPropertiesList()).build();
        });
    }

    // ---------------------------------------------------------------- collections

    @Override
    public void createCollection(CreateCollectionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.createCollection(db(req.getDbName()), req);
            return ok();
        });
    }

    @Override
    public void dropCollection(DropCollectionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.dropCollection(db(req.getDbName()), req.getCollectionName());
            return ok();
        });
    }

    @Override
    public void hasCollection(HasCollectionRequest req, StreamObserver<BoolResponse> o) {
        GrpcCalls.unary(o, BoolResponse.getDefaultInstance(), () -> DdlHandler.bool(ddl.hasCollection(db(req.getDbName()), req.getCollectionName())));
    }

    @Override
    public void describeCollection(DescribeCollectionRequest req, StreamObserver<DescribeCollectionResponse> o) {
        GrpcCalls.unary(o, DescribeCollectionResponse.getDefaultInstance(), () -> ddl.describe(db(req.getDbName()), req));
    }

    @Override
    public void showCollections(ShowCollectionsRequest req, StreamObserver<ShowCollectionsResponse> o) {
        GrpcCalls.unary(o, ShowCollectionsResponse.getDefaultInstance(), () -> ddl.showCollections(db(req.getDbName())));
    }

    @Override
    public void getCollectionStatistics(GetCollectionStatisticsRequest req, StreamObserver<GetCollectionStatisticsResponse> o) {
        GrpcCalls.unary(o, GetCollectionStatisticsResponse.getDefaultInstance(), () -> ddl.statistics(db(req.getDbName()), req.getCollectionName()));
    }

    @Override
    public void renameCollection(RenameCollectionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.renameCollection(db(req.getDbName()), req);
            return ok();
        });
    }

    @Override
    public void alterCollection(AlterCollectionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.alterCollection(db(req.getDbName()), req);
            return ok();
        });
    }

    @Override
    public void alterDatabase(AlterDatabaseRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.alterDatabase(db(req.getDbName()), req);
            return ok();
        });
    }

    // ---------------------------------------------------------------- aliases

    @Override
    public void createAlias(CreateAliasRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.createAlias(db(req.getDbName()), req);
            return ok();
        });
    }

    @Override
    public void dropAlias(DropAliasRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.dropAlias(db(req.getDbName()), req);
            return ok();
        });
    }

    @Override
    public void alterAlias(AlterAliasRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.alterAlias(db(req.getDbName()), req);
            return ok();
        });
    }

    @Override
    public void describeAlias(DescribeAliasRequest req, StreamObserver<DescribeAliasResponse> o) {
        GrpcCalls.unary(o, DescribeAliasResponse.getDefaultInstance(), () -> ddl.describeAlias(db(req.getDbName()), req.getAlias()));
    }

    @Override
    public void listAliases(ListAliasesRequest req, StreamObserver<ListAliasesResponse> o) {
        GrpcCalls.unary(o, ListAliasesResponse.getDefaultInstance(), () -> ddl.listAliases(db(req.getDbName()), req.getCollectionName()));
    }

    // ---------------------------------------------------------------- partitions

    @Override
    public void createPartition(CreatePartitionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.createPartition(db(req.getDbName()), req.getCollectionName(), req.getPartitionName());
            return ok();
        });
    }

    @Override
    public void dropPartition(DropPartitionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.dropPartition(db(req.getDbName()), req.getCollectionName(), req.getPartitionName());
            return ok();
        });
    }

    @Override
    public void hasPartition(HasPartitionRequest req, StreamObserver<BoolResponse> o) {
        GrpcCalls.unary(o, BoolResponse.getDefaultInstance(), () -> DdlHandler.bool(ddl.hasPartition(db(req.getDbName()), req.getCollectionName(), req.getPartitionName())));
    }

    @Override
    public void showPartitions(ShowPartitionsRequest req, StreamObserver<ShowPartitionsResponse> o) {
        GrpcCalls.unary(o, ShowPartitionsResponse.getDefaultInstance(), () -> ddl.showPartitions(db(req.getDbName()), req.getCollectionName()));
    }

    @Override
    public void getPartitionStatistics(GetPartitionStatisticsRequest req, StreamObserver<GetPartitionStatisticsResponse> o) {
        GrpcCalls.unary(o, GetPartitionStatisticsResponse.getDefaultInstance(), () ->
                ddl.partitionStatistics(db(req.getDbName()), req.getCollectionName(), req.getPartitionName()));
    }

    // ---------------------------------------------------------------- indexes

    @Override
    public void createIndex(CreateIndexRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.createIndex(db(req.getDbName()), req);
            return ok();
        });
    }

    @Override
    public void describeIndex(DescribeIndexRequest req, StreamObserver<DescribeIndexResponse> o) {
        GrpcCalls.unary(o, DescribeIndexResponse.getDefaultInstance(), () -> ddl.describeIndex(db(req.getDbName()), req));
    }

    @Override
    public void dropIndex(DropIndexRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.dropIndex(db(req.getDbName()), req);
            return ok();
        });
    }

    // ---------------------------------------------------------------- load / release

    @Override
    public void loadCollection(LoadCollectionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.load(db(req.getDbName()), req.getCollectionName(), java.util.List.of(), req.getReplicaNumber(),
                    new LoadOptions(req.getResourceGroupsList(), req.getLoadFieldsList(), req.getSkipLoadDynamicField()));
            return ok();
        });
    }

    @Override
    public void loadPartitions(LoadPartitionsRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            if (req.getPartitionNamesCount() == 0) {
                throw QuiverException.invalid("partition names should not be empty");
            }
            ddl.load(db(req.getDbName()), req.getCollectionName(), req.getPartitionNamesList(), req.getReplicaNumber(),
                    new LoadOptions(req.getResourceGroupsList(), req.getLoadFieldsList(), req.getSkipLoadDynamicField()));
            return ok();
        });
    }

    @Override
    public void releaseCollection(ReleaseCollectionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.release(db(req.getDbName()), req.getCollectionName(), java.util.List.of());
            return ok();
        });
    }

    @Override
    public void releasePartitions(ReleasePartitionsRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ddl.release(db(req.getDbName()), req.getCollectionName(), req.getPartitionNamesList());
            return ok();
        });
    }

    @Override
    public void getLoadState(GetLoadStateRequest req, StreamObserver<GetLoadStateResponse> o) {
        GrpcCalls.unary(o, GetLoadStateResponse.getDefaultInstance(), () ->
                ddl.getLoadState(db(req.getDbName()), req.getCollectionName(), req.getPartitionNamesList()));
    }

    @Override
    public void getLoadingProgress(GetLoadingProgressRequest req, StreamObserver<GetLoadingProgressResponse> o) {
        GrpcCalls.unary(o, GetLoadingProgressResponse.getDefaultInstance(), () ->
                ddl.getLoadingProgress(db(req.getDbName()), req.getCollectionName(), req.getPartitionNamesList()));
    }

    // ---------------------------------------------------------------- data

    @Override
    public void insert(InsertRequest req, StreamObserver<MutationResult> o) {
        GrpcCalls.unary(o, MutationResult.getDefaultInstance(), () -> dml.insert(db(req.getDbName()), req));
    }

    @Override
    public void upsert(UpsertRequest req, StreamObserver<MutationResult> o) {
        GrpcCalls.unary(o, MutationResult.getDefaultInstance(), () -> dml.upsert(db(req.getDbName()), req));
    }

    @Override
    public void delete(DeleteRequest req, StreamObserver<MutationResult> o) {
        GrpcCalls.unary(o, MutationResult.getDefaultInstance(), () -> dml.delete(db(req.getDbName()), req));
    }

    @Override
    public void search(SearchRequest req, StreamObserver<SearchResults> o) {
        GrpcCalls.unary(o, SearchResults.getDefaultInstance(), () -> query.search(db(req.getDbName()), req));
    }

    @Override
    public void hybridSearch(HybridSearchRequest req, StreamObserver<SearchResults> o) {
        GrpcCalls.unary(o, SearchResults.getDefaultInstance(), () -> hybrid.search(db(req.getDbName()), req));
    }

    @Override
    public void query(QueryRequest req, StreamObserver<QueryResults> o) {
        GrpcCalls.unary(o, QueryResults.getDefaultInstance(), () -> query.query(db(req.getDbName()), req));
    }

    @Override
    public void getMetrics(GetMetricsRequest req, StreamObserver<GetMetricsResponse> o) {
        GrpcCalls.unary(o, GetMetricsResponse.getDefaultInstance(), () -> {
            String type;
            try {
                type = com.google.gson.JsonParser.parseString(req.getRequest()).getAsJsonObject().get("metric_type").getAsString();
            } catch (RuntimeException e) {
                throw QuiverException.invalid("GetMetrics request must be JSON like {\"metric_type\": \"system_info\"}, got: %s", req.getRequest());
            }
            if (!type.equals("system_info")) {
                throw QuiverException.invalid("unsupported metric type %s (supported: system_info)", type);
            }
            return GetMetricsResponse.newBuilder().setStatus(ok()).setResponse(new SystemInfo(clients).json(false)).setComponentName("proxy").build();
        });
    }

    @Override
    public void getReplicas(GetReplicasRequest req, StreamObserver<GetReplicasResponse> o) {
        GrpcCalls.unary(o, GetReplicasResponse.getDefaultInstance(), () -> {
            long id = req.getCollectionID() != 0 ? req.getCollectionID() : ddl.collectionId(db(req.getDbName()), req.getCollectionName());
            GetReplicasResponse r = clients.queryCoord().getReplicas(ShardLeadersRequest.newBuilder().setCollectionId(id).build());
            return r;
        });
    }

    @Override
    public void getQuerySegmentInfo(GetQuerySegmentInfoRequest req, StreamObserver<GetQuerySegmentInfoResponse> o) {
        GrpcCalls.unary(o, GetQuerySegmentInfoResponse.getDefaultInstance(), () -> clients.queryCoord().getQuerySegmentInfo(
                ShardLeadersRequest.newBuilder().setCollectionId(ddl.collectionId(db(req.getDbName()), req.getCollectionName())).build()));
    }

    @Override
    public void flush(FlushRequest req, StreamObserver<FlushResponse> o) {
        GrpcCalls.unary(o, FlushResponse.getDefaultInstance(), () -> ddl.flush(db(req.getDbName()), req.getCollectionNamesList()));
    }

    @Override
    public void getFlushState(GetFlushStateRequest req, StreamObserver<GetFlushStateResponse> o) {
        GrpcCalls.unary(o, GetFlushStateResponse.getDefaultInstance(), () -> ddl.flushState(db(req.getDbName()), req));
    }

    // ---------------------------------------------------------------- compaction

    @Override
    public void manualCompaction(ManualCompactionRequest req, StreamObserver<ManualCompactionResponse> o) {
        GrpcCalls.unary(o, ManualCompactionResponse.getDefaultInstance(), () -> compaction.manualCompaction(db(req.getDbName()), req));
    }

    @Override
    public void getCompactionState(GetCompactionStateRequest req, StreamObserver<GetCompactionStateResponse> o) {
        GrpcCalls.unary(o, GetCompactionStateResponse.getDefaultInstance(), () -> compaction.compactionState(req));
    }

    @Override
    public void getCompactionStateWithPlans(GetCompactionPlansRequest req, StreamObserver<GetCompactionPlansResponse> o) {
        GrpcCalls.unary(o, GetCompactionPlansResponse.getDefaultInstance(), () -> compaction.compactionStateWithPlans(req));
    }

    @Override
    public void getPersistentSegmentInfo(GetPersistentSegmentInfoRequest req, StreamObserver<GetPersistentSegmentInfoResponse> o) {
        GrpcCalls.unary(o, GetPersistentSegmentInfoResponse.getDefaultInstance(), () -> compaction.persistentSegmentInfo(db(req.getDbName()), req));
    }

    // ---------------------------------------------------------------- bulk import

    @Override
    public void import_(ImportRequest req, StreamObserver<ImportResponse> o) {
        GrpcCalls.unary(o, ImportResponse.getDefaultInstance(), () -> imports.importFiles(db(req.getDbName()), req));
    }

    @Override
    public void getImportState(GetImportStateRequest req, StreamObserver<GetImportStateResponse> o) {
        GrpcCalls.unary(o, GetImportStateResponse.getDefaultInstance(), () -> imports.state(req.getTask()));
    }

    @Override
    public void listImportTasks(ListImportTasksRequest req, StreamObserver<ListImportTasksResponse> o) {
        GrpcCalls.unary(o, ListImportTasksResponse.getDefaultInstance(), () -> imports.list(db(req.getDbName()), req));
    }
}
