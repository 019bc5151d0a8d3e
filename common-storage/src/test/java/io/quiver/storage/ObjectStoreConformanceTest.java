package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.storage.ObjectStore.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ObjectStore} must meet. A backend's test extends this class and
 * implements {@link #createStore()}; it may run against a shared bucket, since every test works
 * under its own random key prefix ({@link #prefix}) and never lists outside it.
 */
public abstract class ObjectStoreConformanceTest {
    protected ObjectStore store;
    /** A unique prefix per test, ending in '/'. */
    protected String prefix;
    protected final long seed = System.nanoTime();
    protected final Random random = new Random(seed);

    /** A fresh store (or a client of a shared bucket). Closed after each test. */
    protected abstract ObjectStore createStore();

    /** Capability: invalid keys (leading '/', "..", empty segments) are rejected with IllegalArgumentException. */
    protected boolean validatesKeys() {
        return true;
    }

    /** Capability: a key may be both an object and a prefix of other objects (true for S3, false for files). */
    protected boolean allowsObjectAndPrefixSameName() {
        return false;
    }

    @BeforeEach
    void setUpStore() {
        store = createStore();
        prefix = "conformance-" + UUID.randomUUID() + "/";
    }

    @AfterEach
    void tearDownStore() {
        if (store != null) {
            for (ObjectInfo o : store.list(prefix)) {
                store.delete(o.key());
            }
            store.close();
        }
    }

    protected byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void putThenGet() {
        byte[] data = randomBytes(1000);
        store.put(prefix + "a/b/c.bin", data);
        assertThat(store.get(prefix + "a/b/c.bin")).as("seed=%d", seed).isEqualTo(data);
    }

    @Test
    void emptyObject() {
        store.put(prefix + "empty", new byte[0]);
        assertThat(store.get(prefix + "empty")).isEmpty();
        assertThat(store.stat(prefix + "empty")).get().extracting(ObjectInfo::size).isEqualTo(0L);
    }

    @Test
    void putOverwrites() {
        store.put(prefix + "k", new byte[] {1, 2, 3});
        store.put(prefix + "k", new byte[] {4});
        assertThat(store.get(prefix + "k")).containsExactly(4);
        assertThat(store.stat(prefix + "k")).get().extracting(ObjectInfo::size).isEqualTo(1L);
    }

    @Test
    void getMissingThrowsNotFound() {
        assertThatThrownBy(() -> store.get(prefix + "missing")).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> store.getRange(prefix + "missing", 0, 1)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void getRange() {
        byte[] data = randomBytes(4096);
        store.put(prefix + "r", data);
        assertThat(store.getRange(prefix + "r", 0, 10)).isEqualTo(java.util.Arrays.copyOfRange(data, 0, 10));
        assertThat(store.getRange(prefix + "r", 100, 1000)).isEqualTo(java.util.Arrays.copyOfRange(data, 100, 1100));
        assertThat(store.getRange(prefix + "r", 4000, 96)).isEqualTo(java.util.Arrays.copyOfRange(data, 4000, 4096));
        // a range running past the end is clipped to the end
        assertThat(store.getRange(prefix + "r", 4090, 100)).isEqualTo(java.util.Arrays.copyOfRange(data, 4090, 4096));
    }

    @Test
    void streamingPut() {
        int size = 3 * 1024 * 1024 + 17;
        byte[] data = randomBytes(size);
        store.put(prefix + "big", new ByteArrayInputStream(data), size);
        assertThat(store.stat(prefix + "big")).get().extracting(ObjectInfo::size).isEqualTo((long) size);
        assertThat(store.get(prefix + "big")).isEqualTo(data);
        assertThat(store.getRange(prefix + "big", size - 5, 5)).isEqualTo(java.util.Arrays.copyOfRange(data, size - 5, size));
    }

    @Test
    void streamingPutOfShortStreamFailsAndLeavesNothing() {
        InputStream in = new ByteArrayInputStream(new byte[10]);
        assertThatThrownBy(() -> store.put(prefix + "short", in, 100)).isInstanceOf(RuntimeException.class);
        assertThat(store.stat(prefix + "short")).isEmpty();
        assertThat(store.list(prefix)).isEmpty();
    }

    @Test
    void statReportsSizeAndTime() {
        long before = System.currentTimeMillis();
        store.put(prefix + "s", new byte[123]);
        ObjectInfo info = store.stat(prefix + "s").orElseThrow();
        assertThat(info.key()).isEqualTo(prefix + "s");
        assertThat(info.size()).isEqualTo(123);
        assertThat(info.lastModifiedMillis()).isGreaterThan(before - 60_000);
        assertThat(store.stat(prefix + "nope")).isEmpty();
    }

    @Test
    void listIsRecursiveInKeyOrderAndFiltersByStringPrefix() {
        List<String> keys = List.of("x/1", "x/2/a", "x/2/b", "x/10", "xy", "y/1");
        for (String k : keys) {
            store.put(prefix + k, k.getBytes());
        }
        assertThat(store.list(prefix + "x/")).extracting(ObjectInfo::key)
                .containsExactly(prefix + "x/1", prefix + "x/10", prefix + "x/2/a", prefix + "x/2/b");
        assertThat(store.list(prefix + "x")).extracting(ObjectInfo::key)
                .containsExactly(prefix + "x/1", prefix + "x/10", prefix + "x/2/a", prefix + "x/2/b", prefix + "xy");
        assertThat(store.list(prefix + "x/1")).extracting(ObjectInfo::key).containsExactly(prefix + "x/1", prefix + "x/10");
        assertThat(store.list(prefix)).hasSize(keys.size());
        assertThat(store.list(prefix + "nothing/")).isEmpty();
        assertThat(store.list(prefix + "x/", false)).extracting(ObjectInfo::key).containsExactly(prefix + "x/1", prefix + "x/10");
        assertThat(store.list(prefix + "x/2/")).extracting(ObjectInfo::size).containsExactly(5L, 5L);
    }

    @Test
    void deleteIsIdempotent() {
        store.put(prefix + "d/1", new byte[] {1});
        store.put(prefix + "d/2", new byte[] {2});
        store.delete(prefix + "d/1");
        store.delete(prefix + "d/1");
        store.delete(prefix + "never/existed");
        assertThat(store.stat(prefix + "d/1")).isEmpty();
        assertThat(store.list(prefix)).extracting(ObjectInfo::key).containsExactly(prefix + "d/2");
        store.delete(prefix + "d/2");
        assertThat(store.list(prefix)).isEmpty();
        // the emptied "directory" can be used again
        store.put(prefix + "d/3", new byte[] {3});
        assertThat(store.get(prefix + "d/3")).containsExactly(3);
    }

    @Test
    void invalidKeysAreRejected() {
        if (!validatesKeys()) {
            return;
        }
        for (String bad : List.of("", "/abs", prefix + "a//b", prefix + "../escape", prefix + "a/../b", prefix + "trailing/")) {
            assertThatThrownBy(() -> store.put(bad, new byte[1])).as("key '%s'", bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.get(bad)).as("key '%s'", bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void objectAndPrefixOfSameName() {
        store.put(prefix + "p/q", new byte[] {1});
        if (allowsObjectAndPrefixSameName()) {
            store.put(prefix + "p", new byte[] {2});
            assertThat(store.get(prefix + "p")).containsExactly(2);
        } else {
            assertThatThrownBy(() -> store.put(prefix + "p", new byte[] {2})).isInstanceOf(StorageException.class);
            assertThatThrownBy(() -> store.put(prefix + "p/q/r", new byte[] {2})).isInstanceOf(StorageException.class);
            assertThat(store.stat(prefix + "p")).isEmpty();
        }
        assertThat(store.get(prefix + "p/q")).containsExactly(1);
    }

    @Test
    void concurrentPutsOfOneKeyLeaveOneWholeValue() throws Exception {
        int writers = 4;
        int size = 64 * 1024;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                byte fill = (byte) w;
                futures.add(pool.submit(() -> {
                    byte[] data = new byte[size];
                    java.util.Arrays.fill(data, fill);
                    for (int i = 0; i < 10; i++) {
                        store.put(prefix + "contended", data);
                        byte[] read = store.get(prefix + "contended");
                        assertThat(read).hasSize(size);
                        for (byte b : read) {
                            if (b != read[0]) {
                                throw new AssertionError("torn object read");
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.list(prefix)).extracting(ObjectInfo::key).containsExactly(prefix + "contended");
    }
}
