package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.rbac.request.CreateUserReq;
import io.milvus.v2.service.rbac.request.DropUserReq;
import io.milvus.v2.service.rbac.request.UpdatePasswordReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, authentication: a standalone server with {@code common.security.authorizationEnabled: true}, driven by the
 * Java SDK v2 with a token. Missing and wrong credentials are refused when the client connects (no retry loop: the
 * timeout below only guards against one), root works, a created user works, password changes and deletes take effect
 * on the next call, and the health and metrics endpoints stay open; then the same through the Node SDK.
 */
class AuthSdkTest {
    /** Guards against an SDK retry loop on a refusal; a refusal itself comes back in milliseconds. */
    private static final Duration REFUSAL_GUARD = Duration.ofSeconds(20);

    @TempDir
    static Path tmp;
    static StandaloneProcess server;
    static MilvusClientV2 root;

    @BeforeAll
    static void start() throws Exception {
        Path yaml = tmp.resolve("quiver.yaml");
        Files.writeString(yaml, "common:\n  security:\n    authorizationEnabled: true\n");
        server = new StandaloneProcess(tmp.resolve("data")).withConfig(yaml);
        server.start();
        root = client("root:Milvus");
    }

    @AfterAll
    static void stop() throws Exception {
        if (root != null) root.close();
        if (server != null) server.close();
    }

    static MilvusClientV2 client(String token) {
        ConnectConfig.ConnectConfigBuilder<?, ?> b = ConnectConfig.builder().uri(server.uri()).rpcDeadlineMs(30_000);
        if (token != null) {
            b.token(token);
        }
        return new MilvusClientV2(b.build());
    }

    private static void refusedAtConnect(String token) {
        long t0 = System.nanoTime();
        assertTimeoutPreemptively(REFUSAL_GUARD, () -> assertThatThrownBy(() -> client(token).close())
                .hasMessageContaining("UNAUTHENTICATED"));
        System.out.printf("refused token=%s in %d ms%n", token == null ? "(none)" : token.replaceAll(":.*", ":***"),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** A change reaches the proxy's cache through a MetaKv watch: asynchronously, within milliseconds here. */
    private static void awaitRefused(Runnable call) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            try {
                call.run();
            } catch (RuntimeException e) {
                assertThat(e).hasMessageContaining("UNAUTHENTICATED");
                return;
            }
            Thread.sleep(20);
        }
        call.run();
        throw new AssertionError("still accepted one second after the change");
    }

    @Test
    void missingAndWrongCredentialsAreRefusedAtOnce() {
        refusedAtConnect(null);
        refusedAtConnect("root:wrong-password");
        refusedAtConnect("nobody:Milvus");
        refusedAtConnect("an-api-key-without-colon");
    }

    /** The same with the Node SDK (tests/node/auth.js); skipped when node or npm is not installed. */
    @Test
    void nodeSdk() throws Exception {
        assumeTrue(NodeSdkTest.onPath("node") && NodeSdkTest.onPath("npm"), "node/npm not installed");
        Path dir = Path.of(System.getProperty("quiver.node.dir", "node")).toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("node_modules/@zilliz/milvus2-sdk-node"))) {
            NodeSdkTest.run(dir, 600, List.of("npm", "ci", "--no-audit", "--no-fund"));
        }
        String log = NodeSdkTest.run(dir, 180, List.of("node", "auth.js", "127.0.0.1:" + server.port()));
        System.out.println(log);
        assertThat(log).contains("ALL OK");
    }

    @Test
    void rootWorksAndHealthAndMetricsStayOpen() throws Exception {
        String c = "auth_root_" + System.nanoTime() % 100000;
        root.createCollection(CreateCollectionReq.builder().collectionName(c).dimension(4).build());
        var rows = ConformanceBase.rows(0, ConformanceBase.randVecs(1, 10, 4));
        assertThat(root.insert(InsertReq.builder().collectionName(c).data(rows).build()).getInsertCnt()).isEqualTo(10);
        var hits = root.search(SearchReq.builder().collectionName(c).data(List.of(new FloatVec(new float[] {1, 0, 0, 0}))).topK(3)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(hits.getSearchResults().get(0)).hasSize(3);
        assertThat(root.listUsers()).contains("root");
        for (String path : List.of("/healthz", "/metrics")) {
            HttpURLConnection h = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.metricsPort() + path).toURL().openConnection();
            assertThat(h.getResponseCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void createdUserWorksThenPasswordUpdateAndDeleteTakeEffect() throws Exception {
        root.createUser(CreateUserReq.builder().userName("alice").password("alice-pw1").build());
        assertThat(root.listUsers()).contains("alice", "root");
        MilvusClientV2 alice = client("alice:alice-pw1");
        assertThat(alice.listCollections().getCollectionNames()).isNotNull();
        // without RBAC, only root manages other users
        assertThatThrownBy(() -> alice.createUser(CreateUserReq.builder().userName("mallory").password("mallory-pw").build()))
                .hasMessageContaining("PrivilegeCreateOwnership: permission deny to alice");
        assertThatThrownBy(() -> alice.updatePassword(UpdatePasswordReq.builder().userName("alice").password("wrong-pw")
                .newPassword("alice-pw2").build())).hasMessageContaining("old password not correct for alice");
        alice.updatePassword(UpdatePasswordReq.builder().userName("alice").password("alice-pw1").newPassword("alice-pw2").build());
        // the client still holding the old password is refused (the proxy's cache sees the change through its watch)
        awaitRefused(alice::listCollections);
        refusedAtConnect("alice:alice-pw1");
        alice.close();
        MilvusClientV2 alice2 = client("alice:alice-pw2");
        assertThat(alice2.listCollections().getCollectionNames()).isNotNull();
        assertThatThrownBy(() -> root.dropUser(DropUserReq.builder().userName("root").build()))
                .hasMessageContaining("root user cannot be deleted");
        root.dropUser(DropUserReq.builder().userName("alice").build());
        assertThat(root.listUsers()).doesNotContain("alice");
        awaitRefused(alice2::listCollections);
        alice2.close();
        refusedAtConnect("alice:alice-pw2");
    }
}
