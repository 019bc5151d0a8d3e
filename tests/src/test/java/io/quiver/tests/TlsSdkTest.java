package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.milvus.client.MilvusServiceClient;
import io.milvus.param.collection.ShowCollectionsParam;
import io.milvus.v2.client.MilvusClientV2;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, server TLS ({@code common.security.tlsMode: 1}) with certificates from {@code deploy/tls/gen-certs.sh}:
 * the Java SDK v2 ({@code secure(true)}, {@code serverPemPath}) and v1 work, plain-text clients of both are refused at
 * once with a message naming the setting, certificates rotated on disk are served without a restart; then the same
 * through the Node SDK ({@code ssl: true}, {@code tls.rootCertPath}).
 */
class TlsSdkTest {
    private static final Duration REFUSAL_GUARD = Duration.ofSeconds(20);

    @TempDir
    static Path tmp;
    static Path certs;
    static StandaloneProcess server;

    @BeforeAll
    static void start() throws Exception {
        certs = TlsFixture.certificates(tmp.resolve("certs"), "new");
        server = TlsFixture.server(tmp, certs, 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    @Test
    void javaSdksWorkOverTlsAndPlainTextClientsAreRefusedAtOnce() {
        // Milvus' documented form: trust the server's own certificate, name the host it was issued for
        MilvusClientV2 v2 = TlsFixture.v2(server, b -> b.secure(true).serverPemPath(certs.resolve("server.pem").toString()).serverName("localhost"));
        TlsFixture.roundTrip(v2, "tls_v2");
        v2.close();
        MilvusServiceClient v1 = TlsFixture.v1(server, b -> b.withSecure(true).withServerPemPath(certs.resolve("server.pem").toString())
                .withServerName("localhost"));
        TlsFixture.v1Lists(v1, "tls_v2");
        v1.close();

        long t0 = System.nanoTime();
        assertTimeoutPreemptively(REFUSAL_GUARD, () -> assertThatThrownBy(() -> TlsFixture.v2(server, b -> {}).close())
                .hasMessageContaining("UNAUTHENTICATED").hasMessageContaining("accepts TLS connections only (common.security.tlsMode=1)"));
        System.out.printf("plain-text v2 client refused in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertTimeoutPreemptively(REFUSAL_GUARD, () -> {
            MilvusServiceClient plain = null;
            try {
                plain = TlsFixture.v1(server, b -> {});
                var r = plain.showCollections(ShowCollectionsParam.newBuilder().build());
                assertThat(r.getStatus()).isNotZero();
                assertThat(String.valueOf(r.getException())).contains("accepts TLS connections only");
            } catch (RuntimeException e) {
                assertThat(e).hasMessageContaining("accepts TLS connections only");
            } finally {
                if (plain != null) plain.close();
            }
        });
    }

    /** A new CA and server certificate written over the old files: new connections get them within the reload interval. */
    @Test
    void rotatedCertificatesAreServedWithoutARestart() throws Exception {
        Path oldCa = tmp.resolve("old-ca.pem");
        Files.copy(certs.resolve("ca.pem"), oldCa, StandardCopyOption.REPLACE_EXISTING);
        MilvusClientV2 before = TlsFixture.v2(server, b -> b.secure(true).serverPemPath(oldCa.toString()).serverName("localhost"));
        before.listCollections();
        before.close();
        long pid = server.pid();
        TlsFixture.certificates(certs, "new"); // a different CA: only a reloaded server passes the new clients' check
        long t0 = System.nanoTime();
        MilvusClientV2 after = null;
        for (int i = 0; i < 60 && after == null; i++) {
            try {
                after = TlsFixture.v2(server, b -> b.secure(true).serverPemPath(certs.resolve("ca.pem").toString()).serverName("localhost")
                        .connectTimeoutMs(2_000));
            } catch (RuntimeException e) {
                Thread.sleep(250);
            }
        }
        assertThat(after).as("a client trusting the new CA connects").isNotNull();
        System.out.printf("rotated certificates served after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        after.listCollections();
        after.close();
        assertThat(server.pid()).isEqualTo(pid);
        assertThatThrownBy(() -> TlsFixture.v2(server, b -> b.secure(true).serverPemPath(oldCa.toString()).serverName("localhost")
                .connectTimeoutMs(3_000)).close()).as("the old CA no longer verifies the server");
    }

    @Test
    void nodeSdk() throws Exception {
        String log = NodeSdkTest.runScript(List.of("node", "tls.js", "127.0.0.1:" + server.port(), "1", certs.toString()));
        System.out.println(log);
        assertThat(log).contains("ALL OK");
    }
}
