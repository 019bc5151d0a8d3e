package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.milvus.client.MilvusServiceClient;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, mutual TLS ({@code common.security.tlsMode: 2}): the Java SDK v2 and v1 with a client certificate signed
 * by the server's CA work; a client without a certificate, one with a certificate from another CA, and a plain-text
 * client are refused; then the same through the Node SDK ({@code tls.privateKeyPath}, {@code certChainPath}).
 * Refusals without a valid certificate happen in the TLS handshake, as in Milvus: the SDKs report them when their
 * connect timeout ends (10 s here), since they wait for a ready connection.
 */
class MutualTlsSdkTest {
    private static final Duration REFUSAL_GUARD = Duration.ofSeconds(40);

    @TempDir
    static Path tmp;
    static Path certs;
    static Path otherCa;
    static StandaloneProcess server;

    @BeforeAll
    static void start() throws Exception {
        certs = TlsFixture.certificates(tmp.resolve("certs"), "new");
        otherCa = TlsFixture.certificates(tmp.resolve("other"), "new");
        server = TlsFixture.server(tmp, certs, 2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    private static Consumer<ConnectConfig.ConnectConfigBuilder<?, ?>> clientCert(Path dir) {
        return b -> b.secure(true).clientPemPath(dir.resolve("client.pem").toString()).clientKeyPath(dir.resolve("client.key").toString())
                .caPemPath(certs.resolve("ca.pem").toString());
    }

    @Test
    void clientsWithACertificateFromTheCaWork() {
        MilvusClientV2 v2 = TlsFixture.v2(server, clientCert(certs));
        TlsFixture.roundTrip(v2, "mtls_v2");
        v2.close();
        MilvusServiceClient v1 = TlsFixture.v1(server, b -> b.withSecure(true).withClientPemPath(certs.resolve("client.pem").toString())
                .withClientKeyPath(certs.resolve("client.key").toString()).withCaPemPath(certs.resolve("ca.pem").toString()));
        TlsFixture.v1Lists(v1, "mtls_v2");
        v1.close();
    }

    @Test
    void clientsWithoutAValidCertificateAreRefused() {
        refused("no client certificate", b -> b.secure(true).serverPemPath(certs.resolve("ca.pem").toString()).serverName("localhost"), "");
        refused("a certificate from another CA", clientCert(otherCa), "");
        refused("plain text", b -> {}, "accepts TLS connections only (common.security.tlsMode=2)");
    }

    private static void refused(String what, Consumer<ConnectConfig.ConnectConfigBuilder<?, ?>> tls, String message) {
        long t0 = System.nanoTime();
        assertTimeoutPreemptively(REFUSAL_GUARD, () -> assertThatThrownBy(() -> TlsFixture.v2(server, tls).close())
                .hasMessageContaining(message));
        System.out.printf("%s refused in %d ms%n", what, (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void nodeSdk() throws Exception {
        String log = NodeSdkTest.runScript(List.of("node", "tls.js", "127.0.0.1:" + server.port(), "2", certs.toString(), otherCa.toString()));
        System.out.println(log);
        assertThat(log).contains("ALL OK");
    }
}
