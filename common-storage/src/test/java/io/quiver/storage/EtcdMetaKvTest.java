package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The MetaKv conformance suite against a real etcd ({@code ETCD_ENDPOINTS}, e.g. from deploy/local/etcd-start.sh). */
@RequiresEnv("ETCD_ENDPOINTS")
class EtcdMetaKvTest extends MetaKvConformanceTest {
    static String endpoints() {
        return RequiresEnv.Condition.env("ETCD_ENDPOINTS");
    }

    @Override
    protected MetaKv createKv() {
        return new EtcdMetaKv(endpoints());
    }

    /** etcd is a server: a new client sees the same data, revisions and leases. */
    @Override
    protected MetaKv reopen(MetaKv old) {
        old.close();
        return createKv();
    }

    @Test
    void unreachableServerFailsRetriablyWithinTheTimeout() {
        long t0 = System.nanoTime();
        try (MetaKv dead = new EtcdMetaKv("http://127.0.0.1:1", Duration.ofSeconds(2), Retry.NONE)) {
            assertThatThrownBy(() -> dead.put(p + "x", b("1")))
                    .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retriable()).isTrue());
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void watchFromCompactedRevisionReportsCompaction() throws Exception {
        long old = kv.put(p + "c/1", b("1"));
        kv.put(p + "c/1", b("2"));
        long now = kv.put(p + "c/2", b("3"));
        try (io.etcd.jetcd.Client c = io.etcd.jetcd.Client.builder().endpoints(endpoints().split(",")).build()) {
            c.getKVClient().compact(now).get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        Recorder r = new Recorder();
        try (MetaKv.Watch w = kv.watch(p + "c/", old, r)) {
            eventually("onCompacted", () -> r.compacted.get() >= now);
        }
        assertThat(r.events).isEmpty();
        // the documented recovery: re-list, then watch from the scan's revision
        MetaKv.ScanResult snap = kv.scan(p + "c/");
        assertThat(snap.kvs()).hasSize(2);
        Recorder again = new Recorder();
        try (MetaKv.Watch w = kv.watch(p + "c/", snap.revision(), again)) {
            kv.put(p + "c/3", b("4"));
            assertThat(again.take(1, patience())).extracting(e -> e.kv().key()).containsExactly(p + "c/3");
        }
    }

    @Test
    void closedStoreRefusesCalls() {
        MetaKv other = createKv();
        other.close();
        assertThatThrownBy(() -> other.get(p + "x")).isInstanceOf(StorageException.class);
    }

    @Test
    void emptyPrefixScanSeesEverything() {
        kv.put(p + "a", b("1"));
        assertThat(kv.scan("").kvs()).extracting(MetaKv.KeyValue::key).contains(p + "a");
    }
}
