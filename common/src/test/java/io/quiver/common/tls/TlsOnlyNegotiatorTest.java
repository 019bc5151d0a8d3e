package io.quiver.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.GetVersionRequest;
import io.milvus.grpc.GetVersionResponse;
import io.milvus.grpc.MilvusServiceGrpc;
import io.quiver.common.config.TransportSecurityConfig.PublicTls;
import io.quiver.common.config.TransportSecurityConfig.TlsMode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Netty gRPC server on loopback with the public port's TLS: server TLS, mutual TLS, plain-text clients
 * answered with UNAUTHENTICATED, other plain-text bytes closed, and certificate rotation without a restart. The
 * certificates under {@code src/test/resources/tls/{a,b}} were made by {@code deploy/tls/gen-certs.sh} (two CAs).
 */
class TlsOnlyNegotiatorTest {
    private static final Path A = Path.of("src/test/resources/tls/a");
    private static final Path B = Path.of("src/test/resources/tls/b");

    @TempDir
    Path tmp;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Server server;

    @BeforeEach
    void copyCertificates() throws Exception {
        for (String f : List.of("server.pem", "server.key", "ca.pem")) {
            Files.copy(A.resolve(f), tmp.resolve(f));
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private ReloadingSslContext start(TlsMode mode) throws Exception {
        PublicTls cfg = new PublicTls(mode, tmp.resolve("server.pem"), tmp.resolve("server.key"), tmp.resolve("ca.pem"), Duration.ZERO);
        ReloadingSslContext ctx = TlsContexts.publicServer(cfg).orElseThrow();
        closeables.add(ctx);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
                        TlsOnlyNegotiator.credentials(ctx, "TLS only, test refusal: 100% sure"))
                .addService(new MilvusServiceGrpc.MilvusServiceImplBase() {
                    @Override
                    public void getVersion(GetVersionRequest request, StreamObserver<GetVersionResponse> out) {
                        out.onNext(GetVersionResponse.newBuilder().setVersion("tls-ok").build());
                        out.onCompleted();
                    }
                })
                .build().start();
        return ctx;
    }

    /** A call on a new connection; {@code trust} the CA directory, {@code clientCert} a directory or null. */
    private String call(Path trust, Path clientCert) throws Exception {
        SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(trust.resolve("ca.pem").toFile());
        if (clientCert != null) {
            ssl.keyManager(clientCert.resolve("client.pem").toFile(), clientCert.resolve("client.key").toFile());
        }
        return call(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).sslContext(ssl.build()).overrideAuthority("localhost"));
    }

    private String call(NettyChannelBuilder builder) throws Exception {
        ManagedChannel ch = builder.build();
        try {
            return MilvusServiceGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .getVersion(GetVersionRequest.getDefaultInstance()).getVersion();
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void serverTlsServesTlsClientsAndAnswersPlainTextClientsWithUnauthenticated() throws Exception {
        start(TlsMode.SERVER);
        assertThat(call(A, null)).isEqualTo("tls-ok");
        assertThatThrownBy(() -> call(B, null)).isInstanceOf(StatusRuntimeException.class); // server cert not from B
        assertThatThrownBy(() -> call(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("TLS only, test refusal: 100% sure");
                });
        assertThat(call(A, null)).as("the port still serves TLS after a refusal").isEqualTo("tls-ok");
    }

    @Test
    void nonHttp2PlainTextIsClosed() throws Exception {
        start(TlsMode.SERVER);
        try (Socket s = new Socket("127.0.0.1", server.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(in.read()).as("closed without an answer").isEqualTo(-1);
        }
    }

    @Test
    void mutualTlsNeedsAClientCertificateSignedByTheCa() throws Exception {
        start(TlsMode.MUTUAL);
        assertThat(call(A, A)).isEqualTo("tls-ok");
        assertThatThrownBy(() -> call(A, null)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThatThrownBy(() -> call(A, B)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void rotatedCertificatesApplyToNewConnectionsAndABrokenRotationKeepsTheOldOnes() throws Exception {
        ReloadingSslContext ctx = start(TlsMode.MUTUAL);
        assertThat(ctx.reloadIfChanged()).as("nothing changed").isFalse();
        assertThat(call(A, A)).isEqualTo("tls-ok");

        Files.writeString(tmp.resolve("server.key"), "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
        assertThat(ctx.reloadIfChanged()).as("a broken key is refused").isFalse();
        assertThat(call(A, A)).as("the old certificates stay in use").isEqualTo("tls-ok");

        for (String f : List.of("server.pem", "server.key", "ca.pem")) {
            Files.copy(B.resolve(f), tmp.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(ctx.reloadIfChanged()).isTrue();
        assertThat(call(B, B)).isEqualTo("tls-ok");
        assertThatThrownBy(() -> call(A, A)).as("the old CA and server certificate are gone").isInstanceOf(StatusRuntimeException.class);
    }

    @Test
    void unreadableFilesAtStartFailWithTheirNames() {
        PublicTls cfg = new PublicTls(TlsMode.SERVER, tmp.resolve("ca.pem"), tmp.resolve("ca.pem"), null, Duration.ZERO);
        assertThatThrownBy(() -> TlsContexts.publicServer(cfg)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("public port TLS: cannot use").hasMessageContaining("ca.pem");
    }
}
