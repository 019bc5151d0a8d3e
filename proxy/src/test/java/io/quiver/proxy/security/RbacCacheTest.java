package io.quiver.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.security.CredentialKeys;
import io.quiver.common.security.Grant;
import io.quiver.common.security.Privilege;
import io.quiver.common.security.RbacObject;
import io.quiver.common.security.RbacState;
import io.quiver.storage.LocalMetaKv;
import io.quiver.storage.MetaKv;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy's RBAC cache follows the document through a watch and fails closed without one. */
class RbacCacheTest {
    private static final String META = "c/meta";
    private static final Set<String> ROLES = Set.of("r", "public");

    @TempDir
    Path tmp;
    private LocalMetaKv kv;

    @BeforeEach
    void setUp() {
        kv = new LocalMetaKv(tmp.resolve("kv"));
    }

    @AfterEach
    void tearDown() {
        kv.close();
    }

    private void store(boolean canSearch) {
        RbacState s = RbacState.EMPTY.withRole("r", 0);
        if (canSearch) {
            s = s.withGrant(new Grant("r", RbacObject.Collection, "default", "c1", "Search", "root"));
        }
        kv.put(CredentialKeys.rbacDocument(META), s.toBytes());
    }

    private static boolean canSearch(RbacCache cache) {
        return cache.current().permits(ROLES, Privilege.Search, "default", "c1");
    }

    /** {@code kv} whose watches cannot start and whose reads fail while {@code readsFail} is set. */
    private MetaKv brokenWatch(AtomicBoolean readsFail) {
        return (MetaKv) Proxy.newProxyInstance(MetaKv.class.getClassLoader(), new Class<?>[] {MetaKv.class}, (p, m, args) -> {
            if (m.getName().equals("watch")) {
                throw new IllegalStateException("no watch");
            }
            if (readsFail.get() && (m.getName().equals("get") || m.getName().equals("scan"))) {
                throw new IllegalStateException("etcd is down");
            }
            try {
                return m.invoke(kv, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void followsTheDocument() throws InterruptedException {
        try (RbacCache cache = new RbacCache(kv, META, InstantSource.system())) {
            assertThat(canSearch(cache)).isFalse(); // no document yet: nothing granted
            store(true);
            for (int i = 0; i < 500 && !canSearch(cache); i++) {
                Thread.sleep(10);
            }
            assertThat(canSearch(cache)).isTrue();
            long v = cache.versions();
            store(false);
            for (int i = 0; i < 500 && cache.versions() == v; i++) {
                Thread.sleep(10);
            }
            assertThat(canSearch(cache)).isFalse();
        }
    }

    @Test
    void withoutAWatchEveryCheckReadsTheDocumentAndFailsClosed() {
        AtomicBoolean readsFail = new AtomicBoolean();
        store(true);
        try (RbacCache cache = new RbacCache(brokenWatch(readsFail), META, InstantSource.system())) {
            assertThat(canSearch(cache)).isTrue();
            store(false);
            assertThat(canSearch(cache)).as("a revoke is seen at once, with no watch").isFalse();
            readsFail.set(true);
            assertThatThrownBy(() -> cache.current()).isInstanceOf(QuiverException.class)
                    .satisfies(e -> assertThat(((QuiverException) e).errorCode()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE))
                    .hasMessageContaining("the RBAC metadata cannot be read");
        }
    }
}
