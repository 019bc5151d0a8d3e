package io.quiver.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.FlushRequest;
import io.milvus.grpc.FlushResponse;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.MutationResult;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.SelectGrantRequest;
import io.milvus.grpc.SelectGrantResponse;
import io.milvus.grpc.GrantEntity;
import io.milvus.grpc.RoleEntity;
import io.milvus.grpc.ShowCollectionsRequest;
import io.milvus.grpc.ShowCollectionsResponse;
import io.milvus.grpc.Status;
import io.milvus.grpc.UpdateCredentialRequest;
import io.quiver.common.security.CredentialKeys;
import io.quiver.common.security.Grant;
import io.quiver.common.security.PasswordHasher;
import io.quiver.common.security.RbacObject;
import io.quiver.common.security.RbacState;
import io.quiver.proxy.ProxyInterceptors;
import io.quiver.storage.LocalMetaKv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The privilege check over real in-process gRPC calls, in the proxy's order (authentication, database, privilege):
 * refused calls end with PERMISSION_DENIED and Milvus' reason and never reach the handler; listings are filtered;
 * a change of the RBAC document applies through the watch.
 */
class PrivilegeInterceptorTest {
    private static final String META = "c/meta";
    private final PasswordHasher hasher = new PasswordHasher(4, new SecureRandom());
    private final AtomicInteger handled = new AtomicInteger();

    @TempDir
    Path tmp;
    private LocalMetaKv kv;
    private CredentialCache credentials;
    private RbacCache rbac;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        kv = new LocalMetaKv(tmp.resolve("kv"));
        Map<String, String> hashes = Map.of("root", hasher.hash("Milvus"), "alice", hasher.hash("alice-pw"), "bob", hasher.hash("bob-pw"),
                "ada", hasher.hash("ada-pw"));
        credentials = new CredentialCache(kv, META, u -> Optional.ofNullable(hashes.get(u)), hasher, new SecureRandom(), InstantSource.system());
        store(base());
        rbac = new RbacCache(kv, META, InstantSource.system());
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(ServerInterceptors.intercept(new Handlers(),
                new PrivilegeInterceptor(new Authorizer(rbac)), ProxyInterceptors.database(),
                new AuthInterceptor(new Authenticator(credentials)))).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void tearDown() {
        channel.shutdownNow();
        server.shutdownNow();
        rbac.close();
        credentials.close();
        kv.close();
    }

    /** alice reads collection c1 of default; ada holds admin; bob holds nothing beyond public. */
    private static RbacState base() {
        return RbacState.EMPTY.withRole("admin", 0).withRole("public", 0).withRole("reader", 0)
                .withBinding("alice", "reader").withBinding("ada", "admin")
                .withGrant(new Grant("reader", RbacObject.Global, "default", "c1", "CollectionReadOnly", "root"));
    }

    private void store(RbacState s) {
        kv.put(CredentialKeys.rbacDocument(META), s.toBytes());
    }

    private final class Handlers extends MilvusServiceGrpc.MilvusServiceImplBase {
        @Override
        public void insert(InsertRequest req, StreamObserver<MutationResult> o) {
            handled.incrementAndGet();
            o.onNext(MutationResult.getDefaultInstance());
            o.onCompleted();
        }

        @Override
        public void search(SearchRequest req, StreamObserver<SearchResults> o) {
            handled.incrementAndGet();
            o.onNext(SearchResults.getDefaultInstance());
            o.onCompleted();
        }

        @Override
        public void flush(FlushRequest req, StreamObserver<FlushResponse> o) {
            handled.incrementAndGet();
            o.onNext(FlushResponse.getDefaultInstance());
            o.onCompleted();
        }

        @Override
        public void updateCredential(UpdateCredentialRequest req, StreamObserver<Status> o) {
            handled.incrementAndGet();
            o.onNext(Status.getDefaultInstance());
            o.onCompleted();
        }

        @Override
        public void selectGrant(SelectGrantRequest req, StreamObserver<SelectGrantResponse> o) {
            handled.incrementAndGet();
            o.onNext(SelectGrantResponse.getDefaultInstance());
            o.onCompleted();
        }

        @Override
        public void showCollections(ShowCollectionsRequest req, StreamObserver<ShowCollectionsResponse> o) {
            handled.incrementAndGet();
            o.onNext(ShowCollectionsResponse.newBuilder().addAllCollectionNames(List.of("c0", "c1", "c2"))
                    .addAllCollectionIds(List.of(10L, 11L, 12L)).build());
            o.onCompleted();
        }
    }

    private MilvusServiceGrpc.MilvusServiceBlockingStub as(String user, String password, String db) {
        Metadata m = new Metadata();
        m.put(AuthInterceptor.AUTHORIZATION, Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        if (db != null) {
            m.put(Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER), db);
        }
        return MilvusServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    private MilvusServiceGrpc.MilvusServiceBlockingStub alice() {
        return as("alice", "alice-pw", null);
    }

    private void denied(Runnable call, String reason) {
        int before = handled.get();
        assertThatThrownBy(call::run).isInstanceOf(StatusRuntimeException.class).hasMessageStartingWith("PERMISSION_DENIED: ")
                .hasMessageContaining(reason);
        assertThat(handled.get()).as("a refused call never reaches the handler").isEqualTo(before);
    }

    private static SearchRequest search(String collection) {
        return SearchRequest.newBuilder().setCollectionName(collection).build();
    }

    @Test
    void readOnlyUserReadsItsCollectionAndNothingElse() {
        alice().search(search("c1"));
        denied(() -> alice().insert(InsertRequest.newBuilder().setCollectionName("c1").build()),
                "PrivilegeInsert: permission deny to alice in the `default` database");
        denied(() -> alice().search(search("c2")), "PrivilegeSearch: permission deny to alice");
        denied(() -> as("alice", "alice-pw", "db2").search(search("c1")), "in the `db2` database");
        denied(() -> alice().search(search("c1").toBuilder().setDbName("db2").build()), "in the `db2` database"); // the body's database counts
        denied(() -> alice().flush(FlushRequest.newBuilder().addCollectionNames("c1").build()), "PrivilegeFlush");
        denied(() -> alice().updateCredential(UpdateCredentialRequest.newBuilder().setUsername("bob").build()), "PrivilegeUpdateUser");
        alice().updateCredential(UpdateCredentialRequest.newBuilder().setUsername("alice").build()); // oneself: always
        alice().selectGrant(SelectGrantRequest.newBuilder().setEntity(GrantEntity.newBuilder().setRole(RoleEntity.newBuilder().setName("reader"))).build());
        denied(() -> alice().selectGrant(SelectGrantRequest.newBuilder().setEntity(GrantEntity.newBuilder()
                .setRole(RoleEntity.newBuilder().setName("admin"))).build()), "PrivilegeSelectOwnership");
        denied(() -> as("bob", "bob-pw", null).search(search("c1")), "permission deny to bob");
    }

    @Test
    void rootAndAdminDoEverything() {
        as("root", "Milvus", null).insert(InsertRequest.newBuilder().setCollectionName("c9").build());
        as("ada", "ada-pw", "db7").insert(InsertRequest.newBuilder().setCollectionName("c9").build());
        assertThat(handled.get()).isEqualTo(2);
    }

    @Test
    void listingsShowOnlyGrantedCollections() {
        ShowCollectionsResponse r = alice().showCollections(ShowCollectionsRequest.getDefaultInstance());
        assertThat(r.getCollectionNamesList()).containsExactly("c1");
        assertThat(r.getCollectionIdsList()).containsExactly(11L);
        assertThat(as("bob", "bob-pw", null).showCollections(ShowCollectionsRequest.getDefaultInstance()).getCollectionNamesList()).isEmpty();
        assertThat(as("root", "Milvus", null).showCollections(ShowCollectionsRequest.getDefaultInstance()).getCollectionNamesList()).hasSize(3);
    }

    @Test
    void grantsAndRevokesApplyThroughTheWatch() throws InterruptedException {
        denied(() -> alice().insert(InsertRequest.newBuilder().setCollectionName("c1").build()), "PrivilegeInsert");
        long v = rbac.versions();
        store(base().withGrant(new Grant("reader", RbacObject.Collection, "default", "c1", "Insert", "root")));
        awaitVersion(v);
        alice().insert(InsertRequest.newBuilder().setCollectionName("c1").build());
        v = rbac.versions();
        store(base().withoutBinding("alice", "reader"));
        awaitVersion(v);
        denied(() -> alice().search(search("c1")), "PrivilegeSearch");
    }

    private void awaitVersion(long before) throws InterruptedException {
        for (int i = 0; i < 500 && rbac.versions() == before; i++) {
            Thread.sleep(10);
        }
        assertThat(rbac.versions()).as("the watch delivered the new document").isGreaterThan(before);
    }
}
