package io.quiver.proxy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.MutationResult;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResults;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.Statuses;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Milvus service over an in-process gRPC server behind a given interceptor chain (last = outermost, as
 * {@link ServerInterceptors#intercept}), for tests of the proxy's interceptors: it counts the calls that reached a
 * handler; search and insert succeed, query fails with collection-not-found.
 */
public final class InProcessMilvus implements AutoCloseable {
    public final AtomicInteger handled = new AtomicInteger();
    private final Server server;
    public final ManagedChannel channel;

    public InProcessMilvus(List<ServerInterceptor> chain) throws IOException {
        var service = new MilvusServiceGrpc.MilvusServiceImplBase() {
            @Override
            public void search(SearchRequest req, StreamObserver<SearchResults> o) {
                handled.incrementAndGet();
                o.onNext(SearchResults.newBuilder().setStatus(Statuses.success()).setCollectionName(req.getCollectionName()).build());
                o.onCompleted();
            }

            @Override
            public void insert(InsertRequest req, StreamObserver<MutationResult> o) {
                handled.incrementAndGet();
                o.onNext(MutationResult.newBuilder().setStatus(Statuses.success()).setInsertCnt(req.getNumRows()).build());
                o.onCompleted();
            }

            @Override
            public void query(QueryRequest req, StreamObserver<QueryResults> o) {
                handled.incrementAndGet();
                o.onNext(QueryResults.newBuilder().setStatus(Statuses.of(ErrorCode.COLLECTION_NOT_FOUND, "collection not found["
                        + req.getCollectionName() + "]")).build());
                o.onCompleted();
            }
        };
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(ServerInterceptors.intercept(service, chain)).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    public MilvusServiceGrpc.MilvusServiceBlockingStub stub() {
        return MilvusServiceGrpc.newBlockingStub(channel);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
    }
}
