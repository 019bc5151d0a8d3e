package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import io.milvus.client.MilvusServiceClient;
import io.milvus.grpc.ShowCollectionsResponse;
import io.milvus.param.ConnectParam;
import io.milvus.param.R;
import io.milvus.param.collection.ShowCollectionsParam;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the TLS end-to-end tests share: certificates made by {@code deploy/tls/gen-certs.sh}, a standalone server
 * configured with a TLS mode, SDK clients (Java v2 and v1) with TLS options, and a round trip through one.
 */
public final class TlsFixture {
    private TlsFixture() {}

    /** Runs the repository's certificate script into {@code dir} ("new" or "renew"). */
    public static Path certificates(Path dir, String action) throws Exception {
        assumeTrue(opensslInstalled(), "openssl not installed");
        Path script = Path.of(System.getProperty("quiver.root", "..")).resolve("deploy/tls/gen-certs.sh").toAbsolutePath();
        Process p = new ProcessBuilder("bash", script.toString(), dir.toString(), action).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("gen-certs.sh: " + out).isZero();
        return dir;
    }

    private static boolean opensslInstalled() {
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** A standalone server with {@code common.security.tlsMode: mode} and the certificates in {@code certs}. */
    public static StandaloneProcess server(Path tmp, Path certs, int mode) throws Exception {
        return server(tmp, certs, mode, false);
    }

    /** As {@link #server(Path, Path, int)}, with authentication and RBAC ({@code authorizationEnabled}) on when asked. */
    public static StandaloneProcess server(Path tmp, Path certs, int mode, boolean auth) throws Exception {
        Path yaml = tmp.resolve("quiver.yaml");
        Files.writeString(yaml, """
                common:
                  security:
                    tlsMode: %d
                    authorizationEnabled: %s
                tls:
                  serverPemPath: %s
                  serverKeyPath: %s
                  caPemPath: %s
                  reloadInterval: 1s
                """.formatted(mode, auth, certs.resolve("server.pem"), certs.resolve("server.key"), certs.resolve("ca.pem")));
        StandaloneProcess server = new StandaloneProcess(tmp.resolve("data")).withConfig(yaml);
        server.start();
        return server;
    }

    public static MilvusClientV2 v2(StandaloneProcess server, Consumer<ConnectConfig.ConnectConfigBuilder<?, ?>> tls) {
        ConnectConfig.ConnectConfigBuilder<?, ?> b = ConnectConfig.builder().uri(server.uri()).rpcDeadlineMs(30_000)
                .connectTimeoutMs(10_000);
        tls.accept(b);
        return new MilvusClientV2(b.build());
    }

    static MilvusServiceClient v1(StandaloneProcess server, Consumer<ConnectParam.Builder> tls) {
        ConnectParam.Builder b = ConnectParam.newBuilder().withHost("127.0.0.1").withPort(server.port())
                .withConnectTimeout(10, TimeUnit.SECONDS);
        tls.accept(b);
        return new MilvusServiceClient(b.build());
    }

    /** Create, insert, search with Strong consistency: the whole path works over this client's connection. */
    static void roundTrip(MilvusClientV2 client, String collection) {
        client.createCollection(CreateCollectionReq.builder().collectionName(collection).dimension(4).build());
        var rows = ConformanceBase.rows(0, ConformanceBase.randVecs(7, 20, 4));
        assertThat(client.insert(InsertReq.builder().collectionName(collection).data(rows).build()).getInsertCnt()).isEqualTo(20);
        var hits = client.search(SearchReq.builder().collectionName(collection).data(List.of(new FloatVec(new float[] {1, 0, 0, 0})))
                .topK(5).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(hits.getSearchResults().get(0)).hasSize(5);
    }

    /** {@code n} rows {id, vector} with ids from {@code firstId}, random vectors from {@code seed} (for benchmarks too). */
    public static List<JsonObject> rows(long firstId, int n, int dim, long seed) {
        return ConformanceBase.rows(firstId, ConformanceBase.randVecs(seed, n, dim));
    }

    public static List<float[]> vectors(long seed, int n, int dim) {
        return ConformanceBase.randVecs(seed, n, dim);
    }

    static void v1Lists(MilvusServiceClient client, String collection) {
        R<ShowCollectionsResponse> r = client.showCollections(ShowCollectionsParam.newBuilder().build());
        assertThat(r.getStatus()).as(String.valueOf(r.getException())).isZero();
        assertThat(r.getData().getCollectionNamesList()).contains(collection);
    }
}
