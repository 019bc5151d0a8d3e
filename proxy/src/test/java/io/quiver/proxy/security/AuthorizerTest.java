package io.quiver.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.FlushRequest;
import io.milvus.grpc.GetPersistentSegmentInfoRequest;
import io.milvus.grpc.ReplicateMessageRequest;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SelectUserRequest;
import io.milvus.grpc.UserEntity;
import io.quiver.common.security.CredentialKeys;
import io.quiver.common.security.Grant;
import io.quiver.common.security.RbacObject;
import io.quiver.common.security.RbacState;
import io.quiver.storage.LocalMetaKv;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the authorizer reads a request (object names, database) and decides the rules Milvus has no entry for. */
class AuthorizerTest {
    private static final Caller BOB = new Caller("bob");

    @TempDir
    Path tmp;
    private LocalMetaKv kv;
    private RbacCache cache;
    private Authorizer authorizer;

    @BeforeEach
    void setUp() {
        kv = new LocalMetaKv(tmp.resolve("kv"));
        RbacState s = RbacState.EMPTY.withRole("r", 0).withBinding("bob", "r")
                .withGrant(new Grant("r", RbacObject.Collection, "default", "c1", "Flush", "root"))
                .withGrant(new Grant("r", RbacObject.Collection, "default", "c2", "Flush", "root"));
        kv.put(CredentialKeys.rbacDocument("m"), s.toBytes());
        cache = new RbacCache(kv, "m", InstantSource.system());
        authorizer = new Authorizer(cache);
    }

    @AfterEach
    void tearDown() {
        cache.close();
        kv.close();
    }

    @Test
    void readsObjectNamesAndTheDatabase() {
        assertThat(Authorizer.name(SelectUserRequest.newBuilder().setUser(UserEntity.newBuilder().setName("bob")).build(), "user")).isEqualTo("bob");
        assertThat(Authorizer.name(SelectUserRequest.getDefaultInstance(), "user")).isEqualTo("*");
        assertThat(Authorizer.name(SearchRequest.newBuilder().setCollectionName("c1").build(), "collection_name")).isEqualTo("c1");
        assertThat(Authorizer.name(SearchRequest.getDefaultInstance(), null)).isEqualTo("*");
        assertThat(Authorizer.names(FlushRequest.newBuilder().addCollectionNames("a").addCollectionNames("b").build(), "collection_names"))
                .containsExactly("a", "b");
        assertThat(Authorizer.db(GetPersistentSegmentInfoRequest.newBuilder().setDbName("db9").build(), "hdr")).isEqualTo("db9");
        assertThat(Authorizer.db(SearchRequest.getDefaultInstance(), "hdr")).isEqualTo("hdr");
        assertThat(Authorizer.db(SearchRequest.getDefaultInstance(), "")).isEqualTo("default");
    }

    private Authorizer.Decision flush(String... names) {
        return authorizer.decide(BOB, "Flush", FlushRequest.newBuilder().addAllCollectionNames(List.of(names)).build(), null);
    }

    @Test
    void flushNeedsThePrivilegeOnEveryCollection() {
        assertThat(flush("c1", "c2")).isInstanceOf(Authorizer.Decision.Allowed.class);
        assertThat(flush("c1", "c3")).isEqualTo(new Authorizer.Decision.Denied("PrivilegeFlush: permission deny to bob in the `default` database"));
        assertThat(flush()).isInstanceOf(Authorizer.Decision.Denied.class);
    }

    @Test
    void adminOnlyAndUnknownMethods() {
        assertThat(authorizer.decide(BOB, "ReplicateMessage", ReplicateMessageRequest.getDefaultInstance(), "default"))
                .isEqualTo(new Authorizer.Decision.Denied("ReplicateMessage: permission deny to bob in the `default` database"));
        assertThat(authorizer.decide(BOB, "SomeFutureRpc", SearchRequest.getDefaultInstance(), "default"))
                .isInstanceOf(Authorizer.Decision.Denied.class);
        assertThat(authorizer.decide(new Caller("root"), "ReplicateMessage", ReplicateMessageRequest.getDefaultInstance(), "default"))
                .isInstanceOf(Authorizer.Decision.Allowed.class);
        assertThat(authorizer.decide(BOB, "GetVersion", SearchRequest.getDefaultInstance(), "default"))
                .isInstanceOf(Authorizer.Decision.Allowed.class);
    }
}
