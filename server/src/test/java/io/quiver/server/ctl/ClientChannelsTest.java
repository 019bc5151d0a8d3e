package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.GetVersionRequest;
import io.milvus.grpc.GetVersionResponse;
import io.milvus.grpc.MilvusServiceGrpc;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ClientChannelsTest {
    @Test
    void securityComesFromTheEnvironment() {
        ClientChannels.Security none = ClientChannels.Security.from(Map.of());
        assertThat(none.tls()).isFalse();
        assertThat(none.token()).isEmpty();
        ClientChannels.Security s = ClientChannels.Security.from(Map.of("QUIVER_TOKEN", "u:p", "QUIVER_TLS_CA", "/ca.pem"));
        assertThat(s.tls()).isTrue();
        assertThat(s.token()).isEqualTo("u:p");
    }

    @Test
    void badTlsSettingsAreRefusedWithTheVariablesNamed() {
        assertThatThrownBy(() -> ClientChannels.open("127.0.0.1:1", 1 << 20,
                new ClientChannels.Security("", "/nonexistent/ca.pem", "/c.pem", "", ""))).hasMessageContaining("QUIVER_TLS_CERT and QUIVER_TLS_KEY");
        assertThatThrownBy(() -> ClientChannels.open("127.0.0.1:1", 1 << 20,
                new ClientChannels.Security("", "/nonexistent/ca.pem", "", "", ""))).hasMessageContaining("QUIVER_TLS_");
        ManagedChannel plain = ClientChannels.open("127.0.0.1:1", 1 << 20, ClientChannels.Security.from(Map.of()));
        plain.shutdownNow();
    }

    @Test
    void theTokenTravelsAsTheSdksSendIt() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        ServerInterceptor capture = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                seen.set(headers.get(ClientChannels.TokenInterceptor.AUTHORIZATION));
                return next.startCall(call, headers);
            }
        };
        MilvusServiceGrpc.MilvusServiceImplBase svc = new MilvusServiceGrpc.MilvusServiceImplBase() {
            @Override
            public void getVersion(GetVersionRequest req, StreamObserver<GetVersionResponse> o) {
                o.onNext(GetVersionResponse.newBuilder().setVersion("x").build());
                o.onCompleted();
            }
        };
        String name = "ctl-" + System.nanoTime();
        Server server = InProcessServerBuilder.forName(name).directExecutor().addService(ServerInterceptors.intercept(svc, capture)).build().start();
        ManagedChannel ch = InProcessChannelBuilder.forName(name).directExecutor()
                .intercept(new ClientChannels.TokenInterceptor("root:Milvus")).build();
        try {
            MilvusServiceGrpc.newBlockingStub(ch).getVersion(GetVersionRequest.getDefaultInstance());
            assertThat(seen.get()).isEqualTo(Base64.getEncoder().encodeToString("root:Milvus".getBytes()));
        } finally {
            ch.shutdownNow();
            server.shutdownNow();
        }
    }
}
