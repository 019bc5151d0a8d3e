package io.quiver.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.common.security.CredentialKeys;
import io.quiver.common.security.PasswordHasher;
import io.quiver.storage.LocalMetaKv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialCacheTest {
    private static final String ROOT = "c/meta";
    private final PasswordHasher hasher = new PasswordHasher(4, new SecureRandom());
    private final Map<String, String> hashes = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();

    @TempDir
    Path tmp;
    private LocalMetaKv kv;
    private CredentialCache cache;

    @BeforeEach
    void setUp() {
        kv = new LocalMetaKv(tmp.resolve("kv"));
        cache = new CredentialCache(kv, ROOT, user -> {
            reads.incrementAndGet();
            return Optional.ofNullable(hashes.get(user));
        }, hasher, new SecureRandom(), InstantSource.system());
    }

    @AfterEach
    void tearDown() {
        cache.close();
        kv.close();
    }

    /** What rootcoord does: the stored hash changes and the key is written (the watch sees the write). */
    private void store(String user, String password) {
        hashes.put(user, hasher.hash(password));
        long before = cache.epoch();
        kv.put(CredentialKeys.user(ROOT, user), "changed".getBytes(StandardCharsets.UTF_8));
        // the watch (started by the constructor) delivers the write asynchronously: wait for it, so that it cannot
        // drop an entry a test caches right after storing
        for (int i = 0; i < 500 && cache.epoch() == before; i++) {
            sleepMs(10);
        }
        assertThat(cache.epoch()).as("the watch delivered the write").isGreaterThan(before);
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitEmpty() throws InterruptedException {
        for (int i = 0; i < 500 && cache.size() > 0; i++) {
            Thread.sleep(10);
        }
        assertThat(cache.size()).as("the watch dropped the entry").isZero();
    }

    @Test
    void verifiedPasswordIsServedFromTheCache() {
        store("alice", "alice-pw");
        assertThat(cache.verify("alice", "alice-pw")).isTrue();
        assertThat(cache.verify("alice", "alice-pw")).isTrue();
        assertThat(reads).hasValue(1);
        assertThat(cache.verify("alice", "wrong-pw")).isFalse();
        assertThat(cache.verify("alice", "alice-pw")).isTrue();
    }

    @Test
    void unknownUserAndWrongPasswordAreRefusedAndNotCached() {
        store("alice", "alice-pw");
        assertThat(cache.verify("nobody", "alice-pw")).isFalse();
        assertThat(cache.verify("alice", "wrong-pw")).isFalse();
        assertThat(cache.size()).isZero();
    }

    @Test
    void aChangeThroughAnotherProxyInvalidatesTheEntry() throws Exception {
        store("alice", "old-password");
        assertThat(cache.verify("alice", "old-password")).isTrue();
        store("alice", "new-password");
        awaitEmpty();
        assertThat(cache.verify("alice", "old-password")).isFalse();
        assertThat(cache.verify("alice", "new-password")).isTrue();
    }

    @Test
    void aDeletedUserIsRefused() throws Exception {
        store("bob", "bob-password");
        assertThat(cache.verify("bob", "bob-password")).isTrue();
        hashes.remove("bob");
        kv.delete(CredentialKeys.user(ROOT, "bob"));
        awaitEmpty();
        assertThat(cache.verify("bob", "bob-password")).isFalse();
    }

    @Test
    void anInvalidationDuringAVerificationIsNotOverwritten() {
        store("alice", "alice-pw");
        CredentialCache[] self = new CredentialCache[1];
        self[0] = new CredentialCache(kv, ROOT, user -> {
            String h = hashes.get(user);
            self[0].invalidate(user);
            return Optional.ofNullable(h);
        }, hasher, new SecureRandom(), InstantSource.system());
        assertThat(self[0].verify("alice", "alice-pw")).isTrue();
        assertThat(self[0].size()).isZero();
        self[0].close();
    }
}
