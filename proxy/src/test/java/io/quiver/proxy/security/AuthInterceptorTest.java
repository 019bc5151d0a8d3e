package io.quiver.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.GetVersionRequest;
import io.milvus.grpc.GetVersionResponse;
import io.milvus.grpc.MilvusServiceGrpc;
import io.quiver.common.security.PasswordHasher;
import io.quiver.storage.LocalMetaKv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interceptor's decisions, over a real in-process gRPC call: refused calls never reach the handler. */
class AuthInterceptorTest {
    private final PasswordHasher hasher = new PasswordHasher(4, new SecureRandom());
    private final AtomicInteger handled = new AtomicInteger();
    private volatile Optional<Caller> seen = Optional.empty();

    @TempDir
    Path tmp;
    private LocalMetaKv kv;
    private CredentialCache cache;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        kv = new LocalMetaKv(tmp.resolve("kv"));
        Map<String, String> hashes = Map.of("root", hasher.hash("Milvus"), "alice", hasher.hash("pass:with:colons"));
        cache = new CredentialCache(kv, "c/meta", u -> Optional.ofNullable(hashes.get(u)), hasher, new SecureRandom(), InstantSource.system());
        var service = new MilvusServiceGrpc.MilvusServiceImplBase() {
            @Override
            public void getVersion(GetVersionRequest req, StreamObserver<GetVersionResponse> o) {
                handled.incrementAndGet();
                seen = AuthInterceptor.caller();
                o.onNext(GetVersionResponse.newBuilder().setVersion("v2.5.0").build());
                o.onCompleted();
            }
        };
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(service, new AuthInterceptor(new Authenticator(cache)))).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void tearDown() {
        channel.shutdownNow();
        server.shutdownNow();
        cache.close();
        kv.close();
    }

    private GetVersionResponse call(String header) {
        var stub = MilvusServiceGrpc.newBlockingStub(channel);
        if (header != null) {
            Metadata m = new Metadata();
            m.put(AuthInterceptor.AUTHORIZATION, header);
            stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
        }
        return stub.getVersion(GetVersionRequest.getDefaultInstance());
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private void refused(String header, String reason) {
        assertThatThrownBy(() -> call(header)).isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> {
                    Status s = ((StatusRuntimeException) e).getStatus();
                    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(s.getDescription()).isEqualTo(reason);
                });
    }

    @Test
    void refusalsAreMilvusAndNeverReachTheHandler() {
        refused(null, Authenticator.MISSING);
        refused("", Authenticator.MISSING);
        refused("%%%not-base64", Authenticator.BAD_FORMAT);
        refused(b64("an-api-key"), Authenticator.BAD_API_KEY);
        refused(b64("root:wrong"), Authenticator.BAD_PASSWORD);
        refused(b64("nobody:Milvus"), Authenticator.BAD_PASSWORD);
        refused(b64(":Milvus"), Authenticator.BAD_PASSWORD);
        assertThat(handled).hasValue(0);
    }

    @Test
    void acceptedCallCarriesTheCaller() {
        assertThat(call(b64("root:Milvus")).getVersion()).isEqualTo("v2.5.0");
        assertThat(seen).contains(new Caller("root"));
        assertThat(seen.orElseThrow().isRoot()).isTrue();
        call(b64("alice:pass:with:colons")); // split at the first colon
        assertThat(seen).contains(new Caller("alice"));
        assertThat(handled).hasValue(2);
    }
}
