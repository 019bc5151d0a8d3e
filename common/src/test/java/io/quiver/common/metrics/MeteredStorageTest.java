package io.quiver.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.storage.LocalObjectStore;
import io.quiver.storage.LocalWal;
import io.quiver.storage.ObjectStore;
import io.quiver.storage.StorageException;
import io.quiver.storage.Wal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeteredStorageTest {
    private final MetricsRegistry metrics = MetricsRegistry.create();

    @TempDir
    Path dir;

    private double count(MilvusMetric family, String op, String status) {
        return metrics.counter(family, op, status).get();
    }

    private String scrape() {
        return PrometheusText.write(metrics.prometheus().scrape());
    }

    @Test
    void objectStoreOperationsAreCountedByTypeAndOutcomeAndTimed() {
        ObjectStore store = MeteredStorage.objectStore(new LocalObjectStore(dir.resolve("objects")), metrics);
        store.put("a/b", new byte[] {1, 2});
        assertThat(store.get("a/b")).containsExactly(1, 2);
        assertThat(store.list("a/")).hasSize(1);
        assertThatThrownBy(() -> store.get("missing")).isInstanceOf(StorageException.class);
        store.delete("a/b");
        assertThat(count(MilvusMetric.STORAGE_OP_COUNT, "put", "success")).isEqualTo(1);
        assertThat(count(MilvusMetric.STORAGE_OP_COUNT, "get", "total")).isEqualTo(2);
        assertThat(count(MilvusMetric.STORAGE_OP_COUNT, "get", "success")).isEqualTo(1);
        assertThat(count(MilvusMetric.STORAGE_OP_COUNT, "get", "fail")).isEqualTo(1);
        assertThat(count(MilvusMetric.STORAGE_OP_COUNT, "list", "success")).isEqualTo(1);
        assertThat(count(MilvusMetric.STORAGE_OP_COUNT, "remove", "success")).isEqualTo(1);
        assertThat(scrape()).as("failures are not timed")
                .contains("milvus_storage_request_latency_count{persistent_data_op_type=\"get\"} 1\n");
    }

    @Test
    void walProducesAreTimedAndPollsThatReturnMessagesCounted() {
        try (Wal wal = MeteredStorage.wal(new LocalWal(dir.resolve("wal")), metrics)) {
            wal.produce("ch", "x".getBytes(StandardCharsets.UTF_8));
            wal.produce("ch", "y".getBytes(StandardCharsets.UTF_8));
            try (Wal.Consumer c = wal.subscribe("ch", "s", Wal.StartPosition.Earliest.INSTANCE)) {
                assertThat(c.pollBatch(10, Duration.ofSeconds(5))).hasSize(2);
                assertThat(c.poll(Duration.ofMillis(10))).isNull();
            }
        }
        assertThat(count(MilvusMetric.MSGSTREAM_OP_COUNT, "produce", "success")).isEqualTo(2);
        assertThat(scrape()).contains("milvus_msgstream_request_latency_count{message_op_type=\"produce\"} 2\n")
                .doesNotContain("milvus_msgstream_request_latency_count{message_op_type=\"consume\"}");
        assertThat(count(MilvusMetric.MSGSTREAM_OP_COUNT, "consume", "total")).isEqualTo(1);
    }
}
