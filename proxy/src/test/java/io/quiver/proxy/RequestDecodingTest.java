package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.DummyRequest;
import io.milvus.grpc.GetVersionRequest;
import io.milvus.grpc.GetVersionResponse;
import io.milvus.grpc.MilvusServiceGrpc;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.ByteArrayMarshaller;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's first finding, over a real HTTP/2 connection: a request body that does not decode used to be answered
 * UNKNOWN and then closed a second time through the interceptors, and the GOAWAY that followed failed the other
 * calls on the connection. Now it is answered INTERNAL once and the connection stays usable.
 */
class RequestDecodingTest {
    /** A length-delimited field whose length runs past the end of the message. */
    private static final byte[] GARBAGE = {0x12, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 'x'};

    private final AtomicInteger handled = new AtomicInteger();
    private Server server;
    private ManagedChannel channel;

    private void start(ServerInterceptor... chain) throws IOException {
        var service = new MilvusServiceGrpc.MilvusServiceImplBase() {
            @Override
            public void getVersion(GetVersionRequest req, StreamObserver<GetVersionResponse> o) {
                handled.incrementAndGet();
                o.onNext(GetVersionResponse.newBuilder().setStatus(Statuses.success()).setVersion("v-test").build());
                o.onCompleted();
            }
        };
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(RequestDecoding.guard(ServerInterceptors.intercept(service, chain))).build().start();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(), InsecureChannelCredentials.create()).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private byte[] raw(MethodDescriptor<?, ?> method, byte[] body) {
        return ClientCalls.blockingUnaryCall(channel, ByteArrayMarshaller.unary(method.getFullMethodName()), CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), body);
    }

    @Test
    void undecodableBodyIsAnsweredInternalOnceWithoutReachingTheHandler() throws IOException {
        start(ProxyInterceptors.unimplementedAsStatus());
        assertThatThrownBy(() -> raw(MilvusServiceGrpc.getGetVersionMethod(), GARBAGE))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                    assertThat(e.getStatus().getDescription()).startsWith("grpc: error unmarshalling request:");
                });
        assertThat(handled).hasValue(0);
        GetVersionResponse ok = MilvusServiceGrpc.newBlockingStub(channel).getVersion(GetVersionRequest.getDefaultInstance());
        assertThat(ok.getVersion()).isEqualTo("v-test");
        assertThat(handled).hasValue(1);
    }

    @Test
    void undecodableBodiesDoNotBreakOtherCallsOnTheConnection() throws Exception {
        start(ProxyInterceptors.unimplementedAsStatus(), ProxyInterceptors.database());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Status.Code>> codes = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                boolean bad = i % 2 == 0;
                codes.add(pool.submit(() -> {
                    try {
                        if (bad) {
                            raw(MilvusServiceGrpc.getGetVersionMethod(), GARBAGE);
                        } else {
                            MilvusServiceGrpc.newBlockingStub(channel).getVersion(GetVersionRequest.getDefaultInstance());
                        }
                        return Status.Code.OK;
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode();
                    }
                }));
            }
            for (int i = 0; i < codes.size(); i++) {
                assertThat(codes.get(i).get()).as("call %d", i).isEqualTo(i % 2 == 0 ? Status.Code.INTERNAL : Status.Code.OK);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(handled).hasValue(200);
    }

    @Test
    void aCallClosedByAnInterceptorIsNotClosedAgainByAnUndecodableBody() throws IOException {
        ServerInterceptor refuse = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                call.close(Status.UNAUTHENTICATED.withDescription("no"), new Metadata());
                return new ServerCall.Listener<>() {};
            }
        };
        start(refuse);
        assertThatThrownBy(() -> raw(MilvusServiceGrpc.getGetVersionMethod(), GARBAGE))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThatThrownBy(() -> raw(MilvusServiceGrpc.getGetVersionMethod(), new byte[0]))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void anUnimplementedMethodWhoseResponseHasNoStatusStaysUnimplemented() throws IOException {
        start(ProxyInterceptors.unimplementedAsStatus());
        assertThat(ProxyInterceptors.statusResponse(MilvusServiceGrpc.getDummyMethod(), Statuses.success())).isNull();
        assertThatThrownBy(() -> MilvusServiceGrpc.newBlockingStub(channel).dummy(DummyRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }
}
