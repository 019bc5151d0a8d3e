package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.GetVersionRequest;
import io.milvus.grpc.GetVersionResponse;
import io.milvus.grpc.MilvusServiceGrpc;
import io.quiver.common.config.QuiverConfig;
import io.quiver.common.grpc.Channels;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The process-level TLS wiring: with internal TLS a role's port and the channels to it speak mutual TLS checked for
 * {@code internaltls.sni}; a plain-text caller is told why it is refused; standalone keeps plain in-process channels.
 * Certificates: common's test set made by deploy/tls/gen-certs.sh.
 */
class NodeTlsTest {
    private static final Path CERTS = Path.of("../common/src/test/resources/tls/a").toAbsolutePath();

    private static QuiverConfig internalTls() {
        return QuiverConfig.fromMap(Map.of("common.security.internaltlsEnabled", "true",
                "internaltls.serverPemPath", CERTS.resolve("server.pem").toString(),
                "internaltls.serverKeyPath", CERTS.resolve("server.key").toString(),
                "internaltls.caPemPath", CERTS.resolve("ca.pem").toString()));
    }

    private static Server versionServer(NodeTls tls, boolean publicPort) throws Exception {
        return tls.serverBuilder(new InetSocketAddress("127.0.0.1", 0), publicPort)
                .addService(new MilvusServiceGrpc.MilvusServiceImplBase() {
                    @Override
                    public void getVersion(GetVersionRequest request, StreamObserver<GetVersionResponse> out) {
                        out.onNext(GetVersionResponse.newBuilder().setVersion("internal-ok").build());
                        out.onCompleted();
                    }
                })
                .build().start();
    }

    private static String version(Channels channels, Server server) {
        return MilvusServiceGrpc.newBlockingStub(channels.get("127.0.0.1:" + server.getPort())).withDeadlineAfter(20, TimeUnit.SECONDS)
                .getVersion(GetVersionRequest.getDefaultInstance()).getVersion();
    }

    @Test
    void clusterRolesTalkMutualTlsAndRefusePlainText() throws Exception {
        try (NodeTls tls = new NodeTls(internalTls(), false, false);
             Channels secure = tls.channels(4 << 20);
             Channels plain = new Channels(4 << 20)) {
            Server server = versionServer(tls, false);
            try {
                assertThat(version(secure, server)).isEqualTo("internal-ok");
                assertThatThrownBy(() -> version(plain, server)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).contains("common.security.internaltlsEnabled=true");
                });
                // the public port is not affected by internal TLS (tlsMode 0 here)
                Server publicPort = versionServer(tls, true);
                try {
                    assertThat(version(plain, publicPort)).isEqualTo("internal-ok");
                } finally {
                    publicPort.shutdownNow();
                }
            } finally {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void standaloneHasNoInternalTls() throws Exception {
        try (NodeTls tls = new NodeTls(internalTls(), true, true);
             Channels channels = tls.channels(4 << 20)) {
            Server server = versionServer(tls, false);
            try {
                assertThat(version(channels, server)).as("plain channels to a plain port").isEqualTo("internal-ok");
            } finally {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
