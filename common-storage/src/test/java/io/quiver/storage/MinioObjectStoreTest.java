package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The ObjectStore conformance suite against a real S3 server ({@code S3_ENDPOINT}, {@code S3_ACCESS_KEY},
 * {@code S3_SECRET_KEY}; deploy/local/s3-start.sh runs S3Proxy, which speaks S3 like MinIO).
 */
@RequiresEnv({"S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY"})
class MinioObjectStoreTest extends ObjectStoreConformanceTest {
    static final String BUCKET = "quiver-conformance";

    static MinioObjectStore open(String root, long partSize) {
        return new MinioObjectStore(RequiresEnv.Condition.env("S3_ENDPOINT"), RequiresEnv.Condition.env("S3_ACCESS_KEY"),
                RequiresEnv.Condition.env("S3_SECRET_KEY"), BUCKET, root, partSize, Retry.DEFAULT);
    }

    @Override
    protected ObjectStore createStore() {
        return open("files", MinioObjectStore.DEFAULT_PART_SIZE);
    }

    /** MinIO and S3Proxy's file-system backend, like local files, refuse "a" next to "a/b". */
    @Override
    protected boolean allowsObjectAndPrefixSameName() {
        return false;
    }

    @Test
    void largeStreamGoesUpAsMultipart() {
        // 5 MiB parts (the S3 minimum): 11 MiB + 3 bytes = 3 parts
        try (MinioObjectStore small = open("files", 5L << 20)) {
            int size = (11 << 20) + 3;
            byte[] data = randomBytes(size);
            small.put(prefix + "multi", new ByteArrayInputStream(data), size);
            assertThat(small.stat(prefix + "multi")).get().extracting(ObjectStore.ObjectInfo::size).isEqualTo((long) size);
            assertThat(small.getRange(prefix + "multi", (5 << 20) - 10, 20))
                    .isEqualTo(Arrays.copyOfRange(data, (5 << 20) - 10, (5 << 20) + 10));
            assertThat(small.get(prefix + "multi")).as("seed=%d", seed).isEqualTo(data);
        }
    }

    @Test
    void shortMultipartStreamLeavesNothing() {
        try (MinioObjectStore small = open("files", 5L << 20)) {
            assertThatThrownBy(() -> small.put(prefix + "short", new ByteArrayInputStream(new byte[6 << 20]), 12 << 20))
                    .isInstanceOf(StorageException.class);
            assertThat(small.stat(prefix + "short")).isEmpty();
            assertThat(small.list(prefix)).isEmpty();
        }
    }

    @Test
    void rootPrefixSeparatesStoresInOneBucket() {
        try (MinioObjectStore a = open("root-a/", MinioObjectStore.DEFAULT_PART_SIZE);
             MinioObjectStore b = open("/root-b", MinioObjectStore.DEFAULT_PART_SIZE)) {
            a.put(prefix + "k", new byte[] {1});
            try {
                assertThat(b.stat(prefix + "k")).isEmpty();
                assertThat(a.list(prefix)).extracting(ObjectStore.ObjectInfo::key).containsExactly(prefix + "k");
            } finally {
                a.delete(prefix + "k");
            }
        }
    }

    @Test
    void rangeStartingAtOrPastTheEndIsEmpty() {
        store.put(prefix + "r", new byte[10]);
        assertThat(store.getRange(prefix + "r", 10, 5)).isEmpty();
        assertThat(store.getRange(prefix + "r", 3, 0)).isEmpty();
    }

    @Test
    void unreachableServerFailsRetriably() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> new MinioObjectStore("http://127.0.0.1:1", "a", "b", BUCKET, "", MinioObjectStore.DEFAULT_PART_SIZE,
                new Retry(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(1))))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retriable()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    }
}
