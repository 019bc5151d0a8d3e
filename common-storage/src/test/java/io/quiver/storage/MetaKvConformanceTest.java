package io.quiver.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.storage.MetaKv.Compare;
import io.quiver.storage.MetaKv.EventType;
import io.quiver.storage.MetaKv.KeyValue;
import io.quiver.storage.MetaKv.Op;
import io.quiver.storage.MetaKv.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link MetaKv} must meet. A backend's test implements {@link #createKv()}
 * (and, for persistent backends, {@link #reopen}); it may run against a shared etcd: each test
 * works under its own random prefix ({@link #p}) and never assumes absolute revisions, only
 * their order. Lease expiry goes through {@link #elapse}, which a fake-clock backend overrides
 * and a real one implements by sleeping.
 */
public abstract class MetaKvConformanceTest {
    protected MetaKv kv;
    /** A unique key prefix per test, ending in '/'. */
    protected String p;

    /** A fresh store or a client of a shared one. Closed after each test. */
    protected abstract MetaKv createKv();

    /** Closes {@code old} and opens the same store again, or returns null if the backend cannot. */
    protected MetaKv reopen(MetaKv old) {
        return null;
    }

    /** Lets {@code d} pass on the store's lease clock (sleep for a real server). */
    protected void elapse(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    /** Shortest lease TTL the backend honours (etcd rounds small TTLs up to its minimum). */
    protected Duration shortLeaseTtl() {
        return Duration.ofSeconds(2);
    }

    /** How long to wait for asynchronous effects (watch events, lease reaping). */
    protected Duration patience() {
        return Duration.ofSeconds(10);
    }

    @BeforeEach
    void setUpKv() {
        kv = createKv();
        p = "conformance/" + UUID.randomUUID() + "/";
    }

    @AfterEach
    void tearDownKv() {
        if (kv != null) {
            try {
                kv.deletePrefix(p);
            } catch (RuntimeException ignored) {
                // the test may have closed it
            }
            kv.close();
        }
    }

    protected static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    protected static String s(byte[] b) {
        return new String(b, UTF_8);
    }

    protected void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + patience().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Collects watch events; fails if more than {@code n} events do not arrive within patience. */
    protected static final class Recorder implements MetaKv.WatchListener {
        final BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        final List<String> threads = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong compacted = new AtomicLong(-1);

        @Override
        public void onEvents(List<WatchEvent> batch) {
            threads.add(Thread.currentThread().getName());
            events.addAll(batch);
        }

        @Override
        public void onCompacted(long compactRevision) {
            compacted.set(compactRevision);
        }

        List<WatchEvent> take(int n, Duration patience) throws InterruptedException {
            List<WatchEvent> out = new ArrayList<>();
            long deadline = System.nanoTime() + patience.toNanos();
            while (out.size() < n) {
                WatchEvent e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("expected " + n + " events, got " + out.size() + ": " + out);
                }
                out.add(e);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ basic

    @Test
    void putGetWithRevisionsAndVersions() {
        long r1 = kv.put(p + "a", b("1"));
        KeyValue a1 = kv.get(p + "a").orElseThrow();
        assertThat(s(a1.value())).isEqualTo("1");
        assertThat(a1.createRevision()).isEqualTo(r1);
        assertThat(a1.modRevision()).isEqualTo(r1);
        assertThat(a1.version()).isEqualTo(1);
        assertThat(a1.leaseId()).isZero();

        long r2 = kv.put(p + "a", b("2"));
        assertThat(r2).isGreaterThan(r1);
        KeyValue a2 = kv.get(p + "a").orElseThrow();
        assertThat(s(a2.value())).isEqualTo("2");
        assertThat(a2.createRevision()).isEqualTo(r1);
        assertThat(a2.modRevision()).isEqualTo(r2);
        assertThat(a2.version()).isEqualTo(2);
        assertThat(kv.get(p + "missing")).isEmpty();
    }

    @Test
    void emptyValueAndUnicodeKeys() {
        kv.put(p + "ключ/🙂", new byte[0]);
        assertThat(kv.get(p + "ключ/🙂").orElseThrow().value()).isEmpty();
        assertThat(kv.scan(p + "ключ/").kvs()).hasSize(1);
    }

    @Test
    void returnedValuesAreCopies() {
        byte[] v = b("abc");
        kv.put(p + "k", v);
        v[0] = 'X';
        KeyValue got = kv.get(p + "k").orElseThrow();
        got.value()[1] = 'Y';
        assertThat(s(kv.get(p + "k").orElseThrow().value())).isEqualTo("abc");
    }

    @Test
    void scanIsPrefixInKeyOrderWithRevision() {
        kv.put(p + "b", b("b"));
        kv.put(p + "a/2", b("a2"));
        kv.put(p + "a/1", b("a1"));
        long last = kv.put(p + "a0", b("a0"));
        MetaKv.ScanResult all = kv.scan(p);
        assertThat(all.kvs()).extracting(KeyValue::key).containsExactly(p + "a/1", p + "a/2", p + "a0", p + "b");
        assertThat(all.revision()).isGreaterThanOrEqualTo(last);
        assertThat(kv.scan(p + "a/").kvs()).extracting(KeyValue::key).containsExactly(p + "a/1", p + "a/2");
        assertThat(kv.scan(p + "zzz").kvs()).isEmpty();
    }

    @Test
    void deleteAndDeletePrefix() {
        kv.put(p + "x/1", b("1"));
        kv.put(p + "x/2", b("2"));
        kv.put(p + "x2", b("3"));
        kv.put(p + "y", b("4"));
        assertThat(kv.delete(p + "y")).isTrue();
        assertThat(kv.delete(p + "y")).isFalse();
        assertThat(kv.deletePrefix(p + "x/")).isEqualTo(2);
        assertThat(kv.deletePrefix(p + "x/")).isZero();
        assertThat(kv.scan(p).kvs()).extracting(KeyValue::key).containsExactly(p + "x2");
    }

    @Test
    void recreatedKeyStartsNewLife() {
        kv.put(p + "k", b("1"));
        kv.put(p + "k", b("2"));
        kv.delete(p + "k");
        long r = kv.put(p + "k", b("3"));
        KeyValue k = kv.get(p + "k").orElseThrow();
        assertThat(k.version()).isEqualTo(1);
        assertThat(k.createRevision()).isEqualTo(r);
    }

    @Test
    void revisionsIncreaseAcrossMutations() {
        long r1 = kv.put(p + "a", b("1"));
        kv.delete(p + "a");
        long r3 = kv.put(p + "b", b("1"));
        assertThat(r3).isGreaterThan(r1 + 1);
        assertThat(kv.scan(p).revision()).isGreaterThanOrEqualTo(r3);
    }

    // ------------------------------------------------------------------ transactions

    @Test
    void txnCompareAndSwap() {
        kv.put(p + "cas", b("v1"));
        boolean ok = kv.txn(List.of(new Compare.ValueEquals(p + "cas", b("v1"))),
                List.of(new Op.Put(p + "cas", b("v2")), new Op.Put(p + "other", b("o"))),
                List.of(new Op.Put(p + "failed", b("f"))));
        assertThat(ok).isTrue();
        assertThat(s(kv.get(p + "cas").orElseThrow().value())).isEqualTo("v2");
        // ops of one txn share one revision
        assertThat(kv.get(p + "other").orElseThrow().modRevision()).isEqualTo(kv.get(p + "cas").orElseThrow().modRevision());

        ok = kv.txn(List.of(new Compare.ValueEquals(p + "cas", b("v1"))),
                List.of(new Op.Put(p + "cas", b("v3"))),
                List.of(new Op.Put(p + "failed", b("f"))));
        assertThat(ok).isFalse();
        assertThat(s(kv.get(p + "cas").orElseThrow().value())).isEqualTo("v2");
        assertThat(kv.get(p + "failed")).isPresent();
    }

    @Test
    void txnModRevisionAndAbsent() {
        assertThat(kv.txn(List.of(new Compare.Absent(p + "new")), List.of(new Op.Put(p + "new", b("1"))), List.of())).isTrue();
        assertThat(kv.txn(List.of(new Compare.Absent(p + "new")), List.of(new Op.Put(p + "new", b("2"))), List.of())).isFalse();
        long mod = kv.get(p + "new").orElseThrow().modRevision();
        assertThat(kv.txn(List.of(new Compare.ModRevisionEquals(p + "new", mod - 1)), List.of(new Op.Delete(p + "new")), List.of())).isFalse();
        assertThat(kv.txn(List.of(new Compare.ModRevisionEquals(p + "new", mod)), List.of(new Op.Delete(p + "new")), List.of())).isTrue();
        assertThat(kv.get(p + "new")).isEmpty();
        assertThat(kv.txn(List.of(new Compare.ModRevisionEquals(p + "new", 0)), List.of(new Op.Put(p + "new", b("3"))), List.of())).isTrue();
        assertThat(kv.txn(List.of(new Compare.ValueEquals(p + "absent", null)), List.of(), List.of())).isTrue();
        assertThat(kv.txn(List.of(), List.of(new Op.Put(p + "noCompare", b("x"))), List.of())).isTrue();
        assertThat(kv.get(p + "noCompare")).isPresent();
    }

    @Test
    void txnDeletePrefixAndMultipleCompares() {
        kv.put(p + "d/1", b("1"));
        kv.put(p + "d/2", b("2"));
        kv.put(p + "guard", b("g"));
        boolean ok = kv.txn(List.of(new Compare.ValueEquals(p + "guard", b("g")), new Compare.Absent(p + "d/3")),
                List.of(new Op.DeletePrefix(p + "d/"), new Op.Put(p + "done", b("y"))), List.of());
        assertThat(ok).isTrue();
        assertThat(kv.scan(p + "d/").kvs()).isEmpty();
        // one failing compare fails the whole txn
        ok = kv.txn(List.of(new Compare.ValueEquals(p + "guard", b("g")), new Compare.Absent(p + "done")),
                List.of(new Op.Delete(p + "guard")), List.of());
        assertThat(ok).isFalse();
        assertThat(kv.get(p + "guard")).isPresent();
    }

    @Test
    void concurrentCasIncrementsLoseNoUpdate() throws Exception {
        String key = p + "counter";
        kv.put(key, b("0"));
        int threads = 4;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        while (true) {
                            KeyValue cur = kv.get(key).orElseThrow();
                            long next = Long.parseLong(s(cur.value())) + 1;
                            if (kv.txn(List.of(new Compare.ModRevisionEquals(key, cur.modRevision())),
                                    List.of(new Op.Put(key, b(Long.toString(next)))), List.of())) {
                                break;
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(s(kv.get(key).orElseThrow().value())).isEqualTo(Integer.toString(threads * perThread));
    }

    // ------------------------------------------------------------------ watches

    @Test
    void watchDeliversPutsAndDeletesInOrder() throws Exception {
        Recorder r = new Recorder();
        try (MetaKv.Watch w = kv.watch(p + "w/", 0, r)) {
            long r1 = kv.put(p + "w/a", b("1"));
            kv.put(p + "other", b("x"));
            long r2 = kv.put(p + "w/b", b("2"));
            kv.delete(p + "w/a");
            List<WatchEvent> ev = r.take(3, patience());
            assertThat(ev).extracting(WatchEvent::type).containsExactly(EventType.PUT, EventType.PUT, EventType.DELETE);
            assertThat(ev).extracting(e -> e.kv().key()).containsExactly(p + "w/a", p + "w/b", p + "w/a");
            assertThat(ev.get(0).kv().modRevision()).isEqualTo(r1);
            assertThat(ev.get(1).kv().modRevision()).isEqualTo(r2);
            assertThat(ev.get(2).kv().modRevision()).isGreaterThan(r2);
            assertThat(s(ev.get(1).kv().value())).isEqualTo("2");
        }
    }

    @Test
    void watchFromPastRevisionReplaysHistoryThenLive() throws Exception {
        long start = kv.put(p + "h/0", b("0"));
        kv.put(p + "h/1", b("1"));
        kv.put(p + "h/2", b("2"));
        Recorder r = new Recorder();
        try (MetaKv.Watch w = kv.watch(p + "h/", start, r)) {
            kv.put(p + "h/3", b("3"));
            List<WatchEvent> ev = r.take(3, patience());
            assertThat(ev).extracting(e -> e.kv().key()).containsExactly(p + "h/1", p + "h/2", p + "h/3");
        }
    }

    @Test
    void scanThenWatchFromScanRevisionMissesNothing() throws Exception {
        kv.put(p + "s/0", b("0"));
        MetaKv.ScanResult snap = kv.scan(p + "s/");
        kv.put(p + "s/1", b("1")); // between scan and watch
        Recorder r = new Recorder();
        try (MetaKv.Watch w = kv.watch(p + "s/", snap.revision(), r)) {
            kv.put(p + "s/2", b("2"));
            assertThat(r.take(2, patience())).extracting(e -> e.kv().key()).containsExactly(p + "s/1", p + "s/2");
        }
    }

    @Test
    void manyWritesArriveInRevisionOrderAndClosedWatchStops() throws Exception {
        Recorder r = new Recorder();
        MetaKv.Watch w = kv.watch(p + "o/", 0, r);
        int n = 200;
        for (int i = 0; i < n; i++) {
            kv.put(p + "o/" + (i % 7), b(Integer.toString(i)));
        }
        List<WatchEvent> ev = r.take(n, patience());
        for (int i = 0; i < n; i++) {
            assertThat(s(ev.get(i).kv().value())).isEqualTo(Integer.toString(i));
            if (i > 0) {
                assertThat(ev.get(i).kv().modRevision()).isGreaterThan(ev.get(i - 1).kv().modRevision());
            }
        }
        w.close();
        kv.put(p + "o/after", b("x"));
        Thread.sleep(100);
        assertThat(r.events).isEmpty();
    }

    @Test
    void txnEventsShareRevisionAndArriveTogether() throws Exception {
        Recorder r = new Recorder();
        try (MetaKv.Watch w = kv.watch(p, 0, r)) {
            kv.txn(List.of(), List.of(new Op.Put(p + "t1", b("1")), new Op.Put(p + "t2", b("2"))), List.of());
            List<WatchEvent> ev = r.take(2, patience());
            assertThat(ev.get(0).kv().modRevision()).isEqualTo(ev.get(1).kv().modRevision());
        }
    }

    @Test
    void slowListenerDoesNotBlockWriters() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        try (MetaKv.Watch w = kv.watch(p, 0, events -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            kv.put(p + "a", b("1"));
            assertThat(entered.await(patience().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            // the listener is stuck: writes and reads still go through
            kv.put(p + "b", b("2"));
            assertThat(kv.get(p + "b")).isPresent();
            release.countDown();
        }
    }

    // ------------------------------------------------------------------ leases

    @Test
    void keysWithLeaseVanishWhenLeaseExpires() throws Exception {
        Duration ttl = shortLeaseTtl();
        long lease = kv.grantLease(ttl);
        kv.put(p + "session/1", b("addr"), lease);
        kv.put(p + "durable", b("x"));
        assertThat(kv.get(p + "session/1").orElseThrow().leaseId()).isEqualTo(lease);
        Recorder r = new Recorder();
        try (MetaKv.Watch w = kv.watch(p + "session/", 0, r)) {
            elapse(ttl.multipliedBy(3));
            eventually("leased key deleted", () -> kv.get(p + "session/1").isEmpty());
            WatchEvent e = r.take(1, patience()).get(0);
            assertThat(e.type()).isEqualTo(EventType.DELETE);
            assertThat(e.kv().key()).isEqualTo(p + "session/1");
        }
        assertThat(kv.get(p + "durable")).isPresent();
        assertThat(kv.keepAlive(lease)).isFalse();
    }

    @Test
    void keepAliveExtendsLease() throws Exception {
        Duration ttl = shortLeaseTtl();
        long lease = kv.grantLease(ttl);
        kv.put(p + "kept", b("x"), lease);
        for (int i = 0; i < 4; i++) {
            elapse(ttl.dividedBy(2));
            assertThat(kv.keepAlive(lease)).isTrue();
        }
        assertThat(kv.get(p + "kept")).isPresent();
        kv.revokeLease(lease);
    }

    @Test
    void revokeDeletesKeysAtOnce() {
        long lease = kv.grantLease(Duration.ofSeconds(60));
        kv.put(p + "r/1", b("1"), lease);
        kv.put(p + "r/2", b("2"), lease);
        kv.put(p + "r/3", b("3"));
        kv.revokeLease(lease);
        assertThat(kv.scan(p + "r/").kvs()).extracting(KeyValue::key).containsExactly(p + "r/3");
        assertThat(kv.keepAlive(lease)).isFalse();
    }

    @Test
    void putWithoutLeaseDetachesKey() {
        long lease = kv.grantLease(Duration.ofSeconds(60));
        kv.put(p + "k", b("1"), lease);
        kv.put(p + "k", b("2"));
        kv.revokeLease(lease);
        assertThat(kv.get(p + "k")).isPresent();
        assertThat(kv.get(p + "k").orElseThrow().leaseId()).isZero();
    }

    @Test
    void putWithUnknownLeaseFails() {
        assertThatThrownBy(() -> kv.put(p + "k", b("1"), 0x7fff_ffff_1234L)).isInstanceOf(StorageException.class);
        assertThat(kv.get(p + "k")).isEmpty();
    }

    @Test
    void txnPutWithLease() {
        long lease = kv.grantLease(Duration.ofSeconds(60));
        assertThat(kv.txn(List.of(new Compare.Absent(p + "leader")), List.of(new Op.Put(p + "leader", b("me"), lease)), List.of())).isTrue();
        assertThat(kv.get(p + "leader").orElseThrow().leaseId()).isEqualTo(lease);
        kv.revokeLease(lease);
        assertThat(kv.get(p + "leader")).isEmpty();
    }

    // ------------------------------------------------------------------ persistence

    @Test
    void dataSurvivesReopen() {
        kv.put(p + "a", b("1"));
        long r = kv.put(p + "a", b("2"));
        kv.put(p + "b", b("3"));
        kv.delete(p + "b");
        MetaKv again = reopen(kv);
        if (again == null) {
            return;
        }
        kv = again;
        KeyValue a = kv.get(p + "a").orElseThrow();
        assertThat(s(a.value())).isEqualTo("2");
        assertThat(a.modRevision()).isEqualTo(r);
        assertThat(a.version()).isEqualTo(2);
        assertThat(kv.get(p + "b")).isEmpty();
        assertThat(kv.put(p + "c", b("4"))).isGreaterThan(r);
    }

    @Test
    void leaseSurvivesReopen() {
        long lease = kv.grantLease(Duration.ofSeconds(60));
        kv.put(p + "l", b("1"), lease);
        MetaKv again = reopen(kv);
        if (again == null) {
            return;
        }
        kv = again;
        assertThat(kv.get(p + "l")).isPresent();
        assertThat(kv.keepAlive(lease)).isTrue();
        kv.revokeLease(lease);
        assertThat(kv.get(p + "l")).isEmpty();
    }
}
