package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.milvus.grpc.CompactionMergeInfo;
import io.milvus.grpc.CompactionState;
import io.milvus.grpc.GetCompactionPlansRequest;
import io.milvus.grpc.GetCompactionPlansResponse;
import io.milvus.grpc.GetCompactionStateRequest;
import io.milvus.grpc.GetCompactionStateResponse;
import io.milvus.grpc.GetPersistentSegmentInfoRequest;
import io.milvus.grpc.GetPersistentSegmentInfoResponse;
import io.milvus.grpc.ManualCompactionRequest;
import io.milvus.grpc.ManualCompactionResponse;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.PersistentSegmentInfo;
import io.milvus.grpc.SegmentState;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.Channels;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.session.SessionManager;
import io.quiver.common.util.BatchIdAllocator;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CompactionStateInternalRequest;
import io.quiver.proto.DataCoordGrpc;
import io.quiver.proto.DescribeCollectionInternalRequest;
import io.quiver.proto.DescribeCollectionInternalResponse;
import io.quiver.proto.PersistentSegmentsRequest;
import io.quiver.proto.RootCoordGrpc;
import io.quiver.proto.SessionInfo;
import io.quiver.storage.LocalMetaKv;
import io.quiver.storage.LocalWal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public compaction RPCs as an SDK sees them: a real {@link MilvusProxyService} over in-process gRPC, with a
 * fake rootcoord (collection names, aliases, ids) and a fake datacoord that records what the proxy asked.
 */
class CompactionApiTest {
    private static final long COLLECTION_ID = 7;
    private static final long FAILING_COLLECTION_ID = 8;
    private static final CollectionInfo COLL = CollectionInfo.newBuilder().setCollectionId(COLLECTION_ID).setName("books")
            .setDbName("default").addAliases("novels").build();
    private static final CollectionInfo FAILING = CollectionInfo.newBuilder().setCollectionId(FAILING_COLLECTION_ID).setName("broken")
            .setDbName("shop").build();

    @TempDir Path dir;
    private final List<Object> datacoordCalls = new CopyOnWriteArrayList<>();
    private final List<Server> servers = new CopyOnWriteArrayList<>();
    private LocalMetaKv kv;
    private SessionManager sessions;
    private Channels channels;
    private ManagedChannel client;
    private MilvusServiceGrpc.MilvusServiceBlockingStub milvus;

    @BeforeEach
    void start() throws Exception {
        kv = new LocalMetaKv(dir.resolve("meta"));
        sessions = new SessionManager(kv, "test/meta", Duration.ofSeconds(10));
        channels = new Channels(64 << 20);
        String suffix = UUID.randomUUID().toString();
        String rc = "rc-" + suffix;
        String dc = "dc-" + suffix;
        servers.add(InProcessServerBuilder.forName(rc).directExecutor().addService(new FakeRootCoord()).build().start());
        servers.add(InProcessServerBuilder.forName(dc).directExecutor().addService(new FakeDataCoord()).build().start());
        register(RoleClients.ROOTCOORD, 1, Channels.INPROC + rc);
        register(RoleClients.DATACOORD, 2, Channels.INPROC + dc);

        RoleClients clients = new RoleClients(sessions, channels, Duration.ofSeconds(5));
        MetaCache meta = new MetaCache(clients, Duration.ofSeconds(10));
        Timestamps timestamps = new Timestamps(n -> 1L << 18, InstantSource.system());
        QueryHandler query = new QueryHandler(meta, clients, timestamps, 16384, 16384, Duration.ofSeconds(5),
                new ReplicaSelector(ReplicaSelector.parse("round_robin"), Map.of()), new CollectionTtl(InstantSource.system()));
        DmlHandler dml = new DmlHandler(meta, clients, new WalFanout(new LocalWal(dir.resolve("wal")), Runnable::run), timestamps, new BatchIdAllocator(n -> 1L, 100), query,
                new SimpleMeterRegistry().counter("rows"));
        MilvusProxyService service = new MilvusProxyService(new DdlHandler(meta, clients), dml, query, meta, clients, timestamps, () -> true);
        String proxy = "proxy-" + suffix;
        servers.add(InProcessServerBuilder.forName(proxy).directExecutor()
                .addService(ServerInterceptors.intercept(service, ProxyInterceptors.unimplementedAsStatus(), ProxyInterceptors.database()))
                .build().start());
        client = InProcessChannelBuilder.forName(proxy).directExecutor().build();
        milvus = MilvusServiceGrpc.newBlockingStub(client).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private void register(String role, long id, String address) {
        sessions.register(SessionInfo.newBuilder().setRole(role).setServerId(id).setAddress(address).build());
    }

    @AfterEach
    void stop() throws Exception {
        client.shutdownNow();
        channels.close();
        servers.forEach(Server::shutdownNow);
        sessions.close();
        kv.close();
    }

    private <T> T lastCall(Class<T> type) {
        assertThat(datacoordCalls).isNotEmpty();
        return type.cast(datacoordCalls.get(datacoordCalls.size() - 1));
    }

    @Test
    void manualCompactionByIdAsTheJavaSdkSendsIt() {
        // MilvusClientV2.compact describes the collection, then sends only collectionID and majorCompaction (= isClustering)
        ManualCompactionResponse r = milvus.manualCompaction(ManualCompactionRequest.newBuilder().setCollectionID(COLLECTION_ID)
                .setMajorCompaction(true).build());
        assertThat(Statuses.isOk(r.getStatus())).as(r.getStatus().getReason()).isTrue();
        assertThat(r.getCompactionID()).isEqualTo(1000 + COLLECTION_ID);
        assertThat(r.getCompactionPlanCount()).isEqualTo(2);
        ManualCompactionRequest sent = lastCall(ManualCompactionRequest.class);
        assertThat(sent.getCollectionID()).isEqualTo(COLLECTION_ID);
        assertThat(sent.getMajorCompaction()).isTrue();
        assertThat(sent.getCollectionName()).isEqualTo("books");
    }

    @Test
    void manualCompactionByNameOrAliasFillsTheCollectionId() {
        for (String name : List.of("books", "novels")) {
            ManualCompactionResponse r = milvus.manualCompaction(ManualCompactionRequest.newBuilder().setCollectionName(name)
                    .setPartitionId(55).build());
            assertThat(r.getStatus().getCode()).as(r.getStatus().getReason()).isZero();
            assertThat(r.getCompactionID()).isEqualTo(1000 + COLLECTION_ID);
            ManualCompactionRequest sent = lastCall(ManualCompactionRequest.class);
            assertThat(sent.getCollectionID()).isEqualTo(COLLECTION_ID);
            assertThat(sent.getMajorCompaction()).isFalse();
            assertThat(sent.getPartitionId()).isEqualTo(55); // the rest of the request passes through
        }
    }

    @Test
    void manualCompactionResolvesNamesInTheDatabaseOfTheDbnameHeader() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER), "shop");
        var inShop = milvus.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        ManualCompactionResponse r = inShop.manualCompaction(ManualCompactionRequest.newBuilder().setCollectionName("books").build());
        assertThat(r.getStatus().getCode()).isEqualTo(ErrorCode.COLLECTION_NOT_FOUND.code()); // "books" lives in default
        assertThat(datacoordCalls).isEmpty();
    }

    @Test
    void unknownCollectionIsCode100WithAReason() {
        ManualCompactionResponse byName = milvus.manualCompaction(ManualCompactionRequest.newBuilder().setCollectionName("nope").build());
        assertThat(byName.getStatus().getCode()).isEqualTo(100);
        assertThat(byName.getStatus().getReason()).contains("nope");
        ManualCompactionResponse byId = milvus.manualCompaction(ManualCompactionRequest.newBuilder().setCollectionID(999).build());
        assertThat(byId.getStatus().getCode()).isEqualTo(100);
        assertThat(byId.getStatus().getReason()).isNotEmpty();
        GetPersistentSegmentInfoResponse segs = milvus.getPersistentSegmentInfo(GetPersistentSegmentInfoRequest.newBuilder()
                .setCollectionName("nope").build());
        assertThat(segs.getStatus().getCode()).isEqualTo(100);
        assertThat(datacoordCalls).isEmpty();
    }

    @Test
    void neitherNameNorIdIsAnInvalidParameter() {
        ManualCompactionResponse r = milvus.manualCompaction(ManualCompactionRequest.getDefaultInstance());
        assertThat(r.getStatus().getCode()).isEqualTo(ErrorCode.PARAMETER_INVALID.code());
    }

    @Test
    void datacoordErrorStatusPassesThrough() {
        ManualCompactionResponse r = milvus.manualCompaction(ManualCompactionRequest.newBuilder().setCollectionID(FAILING_COLLECTION_ID).build());
        assertThat(r.getStatus().getCode()).isEqualTo(ErrorCode.SERVICE_NOT_READY.code());
        assertThat(r.getStatus().getReason()).contains("compaction is busy");
    }

    @Test
    void compactionStateAndPlansPassTheIdThrough() {
        GetCompactionStateResponse s = milvus.getCompactionState(GetCompactionStateRequest.newBuilder().setCompactionID(4242).build());
        assertThat(s.getStatus().getCode()).isZero();
        assertThat(s.getState()).isEqualTo(CompactionState.Completed);
        assertThat(s.getCompletedPlanNo()).isEqualTo(3);
        assertThat(lastCall(CompactionStateInternalRequest.class).getCompactionId()).isEqualTo(4242);

        GetCompactionPlansResponse p = milvus.getCompactionStateWithPlans(GetCompactionPlansRequest.newBuilder().setCompactionID(4343).build());
        assertThat(p.getStatus().getCode()).isZero();
        assertThat(p.getMergeInfosList()).singleElement().satisfies(m -> {
            assertThat(m.getSourcesList()).containsExactly(1L, 2L);
            assertThat(m.getTarget()).isEqualTo(3);
        });
        assertThat(lastCall(CompactionStateInternalRequest.class).getCompactionId()).isEqualTo(4343);
    }

    @Test
    void persistentSegmentInfoByName() {
        GetPersistentSegmentInfoResponse r = milvus.getPersistentSegmentInfo(GetPersistentSegmentInfoRequest.newBuilder()
                .setCollectionName("novels").build());
        assertThat(r.getStatus().getCode()).isZero();
        assertThat(r.getInfosList()).extracting(PersistentSegmentInfo::getSegmentID).containsExactly(11L, 12L);
        assertThat(lastCall(PersistentSegmentsRequest.class).getCollectionId()).isEqualTo(COLLECTION_ID);
    }

    @Test
    void datacoordDownIsAStatusNotAGrpcError() {
        servers.get(1).shutdownNow(); // the datacoord
        channels.evict(sessions.list(RoleClients.DATACOORD).get(0).getAddress());
        GetCompactionStateResponse s = milvus.getCompactionState(GetCompactionStateRequest.newBuilder().setCompactionID(1).build());
        assertThat(s.getStatus().getCode()).isNotZero();
        assertThat(s.getStatus().getReason()).isNotEmpty();
        ManualCompactionResponse r = milvus.manualCompaction(ManualCompactionRequest.newBuilder().setCollectionName("books").build());
        assertThat(r.getStatus().getCode()).isNotZero();
    }

    private static final class FakeRootCoord extends RootCoordGrpc.RootCoordImplBase {
        @Override
        public void describeCollection(DescribeCollectionInternalRequest req, StreamObserver<DescribeCollectionInternalResponse> o) {
            String db = req.getDbName().isEmpty() ? "default" : req.getDbName();
            CollectionInfo found = null;
            for (CollectionInfo c : List.of(COLL, FAILING)) {
                boolean byId = req.getCollectionId() == c.getCollectionId();
                boolean byName = req.getCollectionId() == 0 && db.equals(c.getDbName())
                        && (req.getCollectionName().equals(c.getName()) || c.getAliasesList().contains(req.getCollectionName()));
                if (byId || byName) {
                    found = c;
                }
            }
            DescribeCollectionInternalResponse.Builder b = DescribeCollectionInternalResponse.newBuilder();
            if (found == null) {
                String what = req.getCollectionId() != 0 ? "collectionID=" + req.getCollectionId() : "collection=" + req.getCollectionName();
                b.setStatus(Statuses.of(ErrorCode.COLLECTION_NOT_FOUND, "collection not found: " + what));
            } else {
                b.setStatus(Statuses.success()).setCollection(found);
            }
            o.onNext(b.build());
            o.onCompleted();
        }
    }

    private final class FakeDataCoord extends DataCoordGrpc.DataCoordImplBase {
        @Override
        public void manualCompaction(ManualCompactionRequest req, StreamObserver<ManualCompactionResponse> o) {
            datacoordCalls.add(req);
            ManualCompactionResponse r = req.getCollectionID() == FAILING_COLLECTION_ID
                    ? ManualCompactionResponse.newBuilder().setStatus(Statuses.of(ErrorCode.SERVICE_NOT_READY, "compaction is busy")).build()
                    : ManualCompactionResponse.newBuilder().setStatus(Statuses.success()).setCompactionID(1000 + req.getCollectionID())
                            .setCompactionPlanCount(2).build();
            o.onNext(r);
            o.onCompleted();
        }

        @Override
        public void getCompactionState(CompactionStateInternalRequest req, StreamObserver<GetCompactionStateResponse> o) {
            datacoordCalls.add(req);
            o.onNext(GetCompactionStateResponse.newBuilder().setStatus(Statuses.success()).setState(CompactionState.Completed)
                    .setCompletedPlanNo(3).build());
            o.onCompleted();
        }

        @Override
        public void getCompactionStateWithPlans(CompactionStateInternalRequest req, StreamObserver<GetCompactionPlansResponse> o) {
            datacoordCalls.add(req);
            o.onNext(GetCompactionPlansResponse.newBuilder().setStatus(Statuses.success()).setState(CompactionState.Completed)
                    .addMergeInfos(CompactionMergeInfo.newBuilder().addSources(1).addSources(2).setTarget(3)).build());
            o.onCompleted();
        }

        @Override
        public void getPersistentSegmentInfo(PersistentSegmentsRequest req, StreamObserver<GetPersistentSegmentInfoResponse> o) {
            datacoordCalls.add(req);
            GetPersistentSegmentInfoResponse.Builder b = GetPersistentSegmentInfoResponse.newBuilder().setStatus(Statuses.success());
            for (long id : new long[] {11, 12}) {
                b.addInfos(PersistentSegmentInfo.newBuilder().setSegmentID(id).setCollectionID(req.getCollectionId()).setNumRows(10)
                        .setState(SegmentState.Flushed));
            }
            o.onNext(b.build());
            o.onCompleted();
        }
    }
}
