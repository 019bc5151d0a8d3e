package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.database.request.CreateDatabaseReq;
import io.milvus.v2.service.rbac.PrivilegeGroup;
import io.milvus.v2.service.rbac.request.AddPrivilegesToGroupReq;
import io.milvus.v2.service.rbac.request.CreatePrivilegeGroupReq;
import io.milvus.v2.service.rbac.request.CreateRoleReq;
import io.milvus.v2.service.rbac.request.CreateUserReq;
import io.milvus.v2.service.rbac.request.DescribeRoleReq;
import io.milvus.v2.service.rbac.request.DescribeUserReq;
import io.milvus.v2.service.rbac.request.DropPrivilegeGroupReq;
import io.milvus.v2.service.rbac.request.DropRoleReq;
import io.milvus.v2.service.rbac.request.DropUserReq;
import io.milvus.v2.service.rbac.request.GrantPrivilegeReq;
import io.milvus.v2.service.rbac.request.GrantPrivilegeReqV2;
import io.milvus.v2.service.rbac.request.GrantRoleReq;
import io.milvus.v2.service.rbac.request.ListPrivilegeGroupsReq;
import io.milvus.v2.service.rbac.request.RevokePrivilegeReq;
import io.milvus.v2.service.rbac.request.RevokePrivilegeReqV2;
import io.milvus.v2.service.rbac.request.UpdatePasswordReq;
import io.milvus.v2.service.rbac.response.DescribeRoleResp;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, authentication: a standalone server with {@code common.security.authorizationEnabled: true}, driven by the
 * Java SDK v2 with a token. Missing and wrong credentials are refused when the client connects (no retry loop: the
 * timeout below only guards against one), root works, a created user works, password changes and deletes take effect
 * on the next call, and the health and metrics endpoints stay open; then the same through the Node SDK. RBAC: a user
 * holding a read-only role on one collection searches and queries it and is refused everything else with nothing
 * changed; grants, revokes, privilege groups and database scope apply within a second, as in Milvus.
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

    // ---------------------------------------------------------------- RBAC

    private static final String DENIED = "permission deny to reader_u";

    private static void createLoaded(MilvusClientV2 client, String name, long firstId) {
        client.createCollection(CreateCollectionReq.builder().collectionName(name).dimension(4).build());
        client.insert(InsertReq.builder().collectionName(name).data(ConformanceBase.rows(firstId, ConformanceBase.randVecs(firstId, 10, 4))).build());
    }

    private static int searchHits(MilvusClientV2 client, String collection) {
        return client.search(SearchReq.builder().collectionName(collection).data(List.of(new FloatVec(new float[] {1, 0, 0, 0})))
                .topK(3).consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0).size();
    }

    private static long count(MilvusClientV2 client, String collection) {
        return ((Number) client.query(QueryReq.builder().collectionName(collection).filter("").outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults().get(0).getEntity().get("count(*)")).longValue();
    }

    private static void refused(Runnable call) {
        assertThatThrownBy(call::run).hasMessageContaining(DENIED);
    }

    /** A change made through the API reaches the proxy's policy through a MetaKv watch: retried for up to a second. */
    private static void within1s(Runnable check) throws InterruptedException {
        long t0 = System.nanoTime();
        for (int i = 0; ; i++) {
            try {
                check.run();
                System.out.printf("applied after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                return;
            } catch (RuntimeException | AssertionError e) {
                if (System.nanoTime() - t0 > 1_000_000_000L) {
                    throw e;
                }
            }
            Thread.sleep(10);
        }
    }

    @Test
    void readOnlyRoleOnOneCollection() throws Exception {
        createLoaded(root, "rbac_c1", 0);
        createLoaded(root, "rbac_c2", 100);
        root.createUser(CreateUserReq.builder().userName("reader_u").password("reader-pw").build());
        root.createRole(CreateRoleReq.builder().roleName("reader_r").build());
        root.grantPrivilegeV2(GrantPrivilegeReqV2.builder().roleName("reader_r").privilege("CollectionReadOnly")
                .dbName("default").collectionName("rbac_c1").build());
        root.grantRole(GrantRoleReq.builder().userName("reader_u").roleName("reader_r").build());
        assertThat(root.describeUser(DescribeUserReq.builder().userName("reader_u").build()).getRoles()).containsExactly("reader_r");
        MilvusClientV2 reader = client("reader_u:reader-pw");
        try {
            within1s(() -> assertThat(searchHits(reader, "rbac_c1")).isEqualTo(3));
            assertThat(count(reader, "rbac_c1")).isEqualTo(10);
            assertThat(reader.listCollections().getCollectionNames()).containsExactly("rbac_c1");
            refused(() -> reader.insert(InsertReq.builder().collectionName("rbac_c1")
                    .data(ConformanceBase.rows(50, ConformanceBase.randVecs(5, 2, 4))).build()));
            refused(() -> reader.delete(DeleteReq.builder().collectionName("rbac_c1").ids(new ArrayList<>(List.of(1L, 2L))).build()));
            refused(() -> reader.dropCollection(DropCollectionReq.builder().collectionName("rbac_c1").build()));
            refused(() -> reader.createCollection(CreateCollectionReq.builder().collectionName("rbac_new").dimension(4).build()));
            refused(() -> reader.createUser(CreateUserReq.builder().userName("mallory").password("mallory-pw").build()));
            refused(() -> reader.createRole(CreateRoleReq.builder().roleName("mine").build()));
            refused(() -> reader.grantRole(GrantRoleReq.builder().userName("reader_u").roleName("admin").build()));
            refused(() -> searchHits(reader, "rbac_c2"));
            refused(() -> count(reader, "rbac_c2"));
        } finally {
            reader.close();
        }
        // nothing changed
        assertThat(count(root, "rbac_c1")).isEqualTo(10);
        assertThat(root.hasCollection(HasCollectionReq.builder().collectionName("rbac_c1").build())).isTrue();
        assertThat(root.hasCollection(HasCollectionReq.builder().collectionName("rbac_new").build())).isFalse();
        assertThat(root.listUsers()).doesNotContain("mallory");
        assertThat(root.listRoles()).doesNotContain("mine");
        assertThat(root.describeUser(DescribeUserReq.builder().userName("reader_u").build()).getRoles()).containsExactly("reader_r");
    }

    @Test
    void grantsRevokesGroupsAndDatabaseScope() throws Exception {
        createLoaded(root, "rbac_g1", 0);
        root.createUser(CreateUserReq.builder().userName("reader_u2").password("reader-pw").build());
        root.createRole(CreateRoleReq.builder().roleName("rw_r").build());
        root.grantRole(GrantRoleReq.builder().userName("reader_u2").roleName("rw_r").build());
        MilvusClientV2 user = client("reader_u2:reader-pw");
        try {
            assertThatThrownBy(() -> searchHits(user, "rbac_g1")).hasMessageContaining("PrivilegeSearch: permission deny to reader_u2");
            // v1 grant of single privileges
            root.grantPrivilege(GrantPrivilegeReq.builder().roleName("rw_r").objectType("Collection").objectName("rbac_g1").privilege("Search").build());
            root.grantPrivilege(GrantPrivilegeReq.builder().roleName("rw_r").objectType("Collection").objectName("rbac_g1").privilege("Insert").build());
            within1s(() -> assertThat(searchHits(user, "rbac_g1")).isEqualTo(3));
            user.insert(InsertReq.builder().collectionName("rbac_g1").data(ConformanceBase.rows(500, ConformanceBase.randVecs(9, 2, 4))).build());
            assertThat(count(root, "rbac_g1")).isEqualTo(12);
            DescribeRoleResp grants = root.describeRole(DescribeRoleReq.builder().roleName("rw_r").build());
            assertThat(grants.getGrantInfos()).extracting(DescribeRoleResp.GrantInfo::getPrivilege).containsExactlyInAnyOrder("Search", "Insert");
            assertThat(grants.getGrantInfos()).allSatisfy(g -> {
                assertThat(g.getObjectType()).isEqualTo("Collection");
                assertThat(g.getObjectName()).isEqualTo("rbac_g1");
                assertThat(g.getDbName()).isEqualTo("default");
                assertThat(g.getGrantor()).isEqualTo("root");
            });
            assertThatThrownBy(() -> root.dropRole(DropRoleReq.builder().roleName("rw_r").build()))
                    .hasMessageContaining("fail to drop the role that it has privileges");
            assertThatThrownBy(() -> root.dropRole(DropRoleReq.builder().roleName("admin").build())).hasMessageContaining("default role");
            // revoke: refused again within a second
            root.revokePrivilege(RevokePrivilegeReq.builder().roleName("rw_r").objectType("Collection")
                    .objectName("rbac_g1").privilege("Search").build());
            within1s(() -> assertThatThrownBy(() -> searchHits(user, "rbac_g1")).hasMessageContaining("PrivilegeSearch"));

            // a custom privilege group
            root.createPrivilegeGroup(CreatePrivilegeGroupReq.builder().groupName("g_read").build());
            root.addPrivilegesToGroup(AddPrivilegesToGroupReq.builder().groupName("g_read").privileges(List.of("Search", "Query")).build());
            List<PrivilegeGroup> groups = root.listPrivilegeGroups(ListPrivilegeGroupsReq.builder().build()).getPrivilegeGroups();
            assertThat(groups).extracting(PrivilegeGroup::getGroupName).contains("g_read", "CollectionReadOnly", "ClusterAdmin");
            assertThat(groups.stream().filter(g -> g.getGroupName().equals("g_read")).findFirst().orElseThrow().getPrivileges())
                    .containsExactlyInAnyOrder("Search", "Query");
            root.grantPrivilegeV2(GrantPrivilegeReqV2.builder().roleName("rw_r").privilege("g_read").dbName("default").collectionName("rbac_g1").build());
            within1s(() -> assertThat(count(user, "rbac_g1")).isEqualTo(12));
            assertThatThrownBy(() -> root.dropPrivilegeGroup(DropPrivilegeGroupReq.builder().groupName("g_read").build()))
                    .hasMessageContaining("privilege group [g_read] is used by role [rw_r]");
            root.revokePrivilegeV2(RevokePrivilegeReqV2.builder().roleName("rw_r").privilege("g_read").dbName("default").collectionName("rbac_g1").build());
            root.dropPrivilegeGroup(DropPrivilegeGroupReq.builder().groupName("g_read").build());
            within1s(() -> assertThatThrownBy(() -> count(user, "rbac_g1")).hasMessageContaining("PrivilegeQuery"));

            // database scope: a grant in another database does not apply in default, and does there
            root.createDatabase(CreateDatabaseReq.builder().databaseName("rbac_db").build());
            MilvusClientV2 rootDb = new MilvusClientV2(ConnectConfig.builder().uri(server.uri()).token("root:Milvus").dbName("rbac_db").build());
            try {
                createLoaded(rootDb, "rbac_g1", 0);
            } finally {
                rootDb.close();
            }
            root.grantPrivilegeV2(GrantPrivilegeReqV2.builder().roleName("rw_r").privilege("CollectionReadOnly").dbName("rbac_db")
                    .collectionName("*").build());
            MilvusClientV2 userDb = new MilvusClientV2(ConnectConfig.builder().uri(server.uri()).token("reader_u2:reader-pw").dbName("rbac_db").build());
            try {
                within1s(() -> assertThat(searchHits(userDb, "rbac_g1")).isEqualTo(3));
            } finally {
                userDb.close();
            }
            assertThatThrownBy(() -> searchHits(user, "rbac_g1")).hasMessageContaining("PrivilegeSearch: permission deny to reader_u2 in the `default` database");
        } finally {
            user.close();
        }
    }
}
