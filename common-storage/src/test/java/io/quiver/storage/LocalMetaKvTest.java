package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.storage.MetaKv.EventType;
import io.quiver.storage.MetaKv.KeyValue;
import io.quiver.storage.MetaKv.WatchEvent;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMetaKvTest extends MetaKvConformanceTest {
    @TempDir
    Path dir;

    /** A settable clock for lease tests. */
    static final class FakeClock implements InstantSource {
        final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }
    }

    final FakeClock clock = new FakeClock();
    LocalMetaKv.Options options = new LocalMetaKv.Options(10_000, 10_000, Duration.ofMillis(20));

    @Override
    protected MetaKv createKv() {
        return new LocalMetaKv(dir.resolve("meta"), clock, options);
    }

    @Override
    protected MetaKv reopen(MetaKv old) {
        old.close();
        return createKv();
    }

    @Override
    protected void elapse(Duration d) {
        clock.advance(d);
    }

    private Path journal() {
        return dir.resolve("meta").resolve(LocalMetaKv.JOURNAL);
    }

    @Test
    void tornJournalTailIsTruncatedAndWritesContinue() throws Exception {
        kv.put(p + "a", b("1"));
        long r2 = kv.put(p + "b", b("2"));
        kv.put(p + "c", b("3"));
        kv.close();
        long size = Files.size(journal());
        try (RandomAccessFile f = new RandomAccessFile(journal().toFile(), "rw")) {
            f.setLength(size - 3); // torn last record
        }
        kv = createKv();
        assertThat(kv.get(p + "a")).isPresent();
        assertThat(kv.get(p + "b").orElseThrow().modRevision()).isEqualTo(r2);
        assertThat(kv.get(p + "c")).isEmpty();
        long r = kv.put(p + "d", b("4"));
        assertThat(r).isEqualTo(r2 + 1);
        kv = reopen(kv);
        assertThat(kv.scan(p).kvs()).extracting(KeyValue::key).containsExactly(p + "a", p + "b", p + "d");
    }

    /** Chaos finding: a bit flip in a middle journal record truncated the journal there, dropping later acknowledged puts. */
    @Test
    void bitFlipInTheMiddleOfTheJournalIsRefusedNotTruncated() throws Exception {
        kv.put(p + "a", b("first-value"));
        kv.put(p + "b", b("second-value"));
        kv.put(p + "c", b("third-value"));
        kv.close();
        long size = Files.size(journal());
        flipJournalByte(16 + 8 + 2, 0x01); // inside the first record's payload
        assertThatThrownBy(this::createKv).isInstanceOf(StorageException.class).hasMessageContaining("corrupt")
                .hasMessageContaining("checksum");
        assertThat(Files.size(journal())).as("nothing cut off").isEqualTo(size);
    }

    private void flipJournalByte(long offset, int mask) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(journal().toFile(), "rw")) {
            f.seek(offset);
            int v = f.read();
            f.seek(offset);
            f.write(v ^ mask);
        }
    }

    /** Chaos finding: a flipped high bit of a middle record's length read as a torn tail ("partial record payload"). */
    @Test
    void flippedLengthBitInTheMiddleIsRefusedNotTruncated() throws Exception {
        kv.put(p + "a", b("first-value"));
        kv.put(p + "b", b("second-value"));
        kv.close();
        long size = Files.size(journal());
        flipJournalByte(16 + 1, 0x01); // the second-highest byte of the first record's length: it now runs past the end
        assertThatThrownBy(this::createKv).isInstanceOf(StorageException.class).hasMessageContaining("corrupt");
        assertThat(Files.size(journal())).isEqualTo(size);
    }

    @Test
    void corruptJournalTailIsDetectedByCrc() throws Exception {
        kv.put(p + "a", b("1"));
        kv.put(p + "b", b("payload-to-corrupt"));
        kv.close();
        long size = Files.size(journal());
        try (RandomAccessFile f = new RandomAccessFile(journal().toFile(), "rw")) {
            f.seek(size - 2);
            f.write(new byte[] {(byte) 0xAB, (byte) 0xCD}); // same length, bad bytes
        }
        kv = createKv();
        assertThat(kv.get(p + "a")).isPresent();
        assertThat(kv.get(p + "b")).isEmpty();
        kv.put(p + "e", b("5"));
        kv = reopen(kv);
        assertThat(kv.scan(p).kvs()).extracting(KeyValue::key).containsExactly(p + "a", p + "e");
    }

    @Test
    void garbageLengthTailIsTruncated() throws Exception {
        kv.put(p + "a", b("1"));
        kv.close();
        Files.write(journal(), new byte[] {0x7f, 0x7f, 0x7f, 0x7f, 1, 2, 3, 4, 5}, java.nio.file.StandardOpenOption.APPEND);
        kv = createKv();
        assertThat(kv.get(p + "a")).isPresent();
        kv.put(p + "b", b("2"));
        kv = reopen(kv);
        assertThat(kv.scan(p).kvs()).hasSize(2);
    }

    @Test
    void snapshotBoundsJournalAndRestoresEverything() throws Exception {
        kv.close();
        options = new LocalMetaKv.Options(50, 10_000, Duration.ofMillis(20));
        kv = createKv();
        long lease = kv.grantLease(Duration.ofSeconds(30));
        for (int i = 0; i < 237; i++) {
            kv.put(p + "k/" + (i % 40), b(Integer.toString(i)), i % 3 == 0 ? lease : 0);
        }
        kv.delete(p + "k/5");
        MetaKv.ScanResult before = kv.scan(p);
        assertThat(Files.exists(dir.resolve("meta").resolve(LocalMetaKv.SNAPSHOT))).isTrue();
        assertThat(Files.size(journal())).isLessThan(50L * 200);
        kv = reopen(kv);
        MetaKv.ScanResult after = kv.scan(p);
        assertThat(after.revision()).isEqualTo(before.revision());
        assertThat(after.kvs()).hasSameSizeAs(before.kvs());
        for (int i = 0; i < before.kvs().size(); i++) {
            KeyValue x = before.kvs().get(i);
            KeyValue y = after.kvs().get(i);
            assertThat(y.key()).isEqualTo(x.key());
            assertThat(y.value()).isEqualTo(x.value());
            assertThat(List.of(y.createRevision(), y.modRevision(), y.version(), y.leaseId()))
                    .isEqualTo(List.of(x.createRevision(), x.modRevision(), x.version(), x.leaseId()));
        }
        long leased = after.kvs().stream().filter(k -> k.leaseId() == lease).count();
        assertThat(leased).isPositive();
        kv.revokeLease(lease);
        assertThat(kv.scan(p).kvs()).hasSize((int) (after.kvs().size() - leased));
    }

    @Test
    void crashBetweenSnapshotAndNewJournalReplaysNothingTwice() throws Exception {
        // Simulate: snapshot written, old journal still in place (crash before the journal swap).
        kv.put(p + "a", b("1"));
        kv.put(p + "a", b("2"));
        kv.close();
        byte[] oldJournal = Files.readAllBytes(journal());
        options = new LocalMetaKv.Options(1, 10_000, Duration.ofMillis(20)); // snapshot after every record
        kv = createKv();
        kv.put(p + "b", b("3"));
        kv.close();
        Files.write(journal(), oldJournal); // stale journal whose records are all in the snapshot
        kv = createKv();
        KeyValue a = kv.get(p + "a").orElseThrow();
        assertThat(a.version()).isEqualTo(2);
        assertThat(kv.get(p + "b")).isPresent();
    }

    @Test
    void leaseExpiresOnFakeClockAndReaperEmitsDelete() throws Exception {
        long lease = kv.grantLease(Duration.ofSeconds(10));
        kv.put(p + "s", b("x"), lease);
        clock.advance(Duration.ofSeconds(9));
        assertThat(kv.get(p + "s")).isPresent();
        Recorder r = new Recorder();
        try (MetaKv.Watch w = kv.watch(p, 0, r)) {
            clock.advance(Duration.ofSeconds(2));
            // no read: the reaper thread must do it
            WatchEvent e = r.take(1, patience()).get(0);
            assertThat(e.type()).isEqualTo(EventType.DELETE);
        }
        assertThat(kv.keepAlive(lease)).isFalse();
    }

    @Test
    void survivingLeaseGetsFreshTtlAfterRestart() throws Exception {
        long lease = kv.grantLease(Duration.ofSeconds(10));
        kv.put(p + "s", b("x"), lease);
        clock.advance(Duration.ofSeconds(8));
        kv = reopen(kv);
        clock.advance(Duration.ofSeconds(8)); // 16 s since grant, 8 s since restart
        assertThat(kv.get(p + "s")).isPresent();
        assertThat(((LocalMetaKv) kv).leaseTimeToLive(lease)).contains(Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(3));
        assertThat(kv.get(p + "s")).isEmpty();
        kv = reopen(kv);
        assertThat(kv.get(p + "s")).isEmpty();
        assertThat(kv.keepAlive(lease)).isFalse();
    }

    @Test
    void watchFromCompactedRevisionGetsOnCompacted() throws Exception {
        kv.close();
        options = new LocalMetaKv.Options(10_000, 5, Duration.ofMillis(20));
        kv = createKv();
        long first = kv.put(p + "a", b("0"));
        for (int i = 1; i < 20; i++) {
            kv.put(p + "a", b(Integer.toString(i)));
        }
        Recorder r = new Recorder();
        kv.watch(p, first, r);
        eventually("onCompacted", () -> r.compacted.get() > first);
        // a recent revision is still retained
        Recorder r2 = new Recorder();
        long rev = kv.scan(p).revision();
        try (MetaKv.Watch w = kv.watch(p, rev - 2, r2)) {
            assertThat(r2.take(2, patience())).extracting(e -> s(e.kv().value())).containsExactly("18", "19");
        }
    }

    @Test
    void historySurvivesRestartForWatchResume() throws Exception {
        long r0 = kv.put(p + "x", b("0"));
        kv.put(p + "x", b("1"));
        kv = reopen(kv);
        Recorder r = new Recorder();
        try (MetaKv.Watch w = kv.watch(p, r0, r)) {
            assertThat(r.take(1, patience())).extracting(e -> s(e.kv().value())).containsExactly("1");
        }
    }

    @Test
    void eachWatchHasItsOwnDeliveryThread() throws Exception {
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        try (MetaKv.Watch w1 = kv.watch(p, 0, r1); MetaKv.Watch w2 = kv.watch(p, 0, r2)) {
            for (int i = 0; i < 5; i++) {
                kv.put(p + i, b("v"));
            }
            r1.take(5, patience());
            r2.take(5, patience());
            assertThat(r1.threads).doesNotContain(Thread.currentThread().getName());
            assertThat(r1.threads.stream().distinct().count()).isEqualTo(1);
            assertThat(r2.threads.stream().distinct().count()).isEqualTo(1);
            assertThat(r1.threads.get(0)).isNotEqualTo(r2.threads.get(0));
        }
    }

    @Test
    void concurrentWritersAllDurable() throws Exception {
        int threads = 4;
        int per = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < per; i++) {
                        kv.put(p + tt + "/" + i, b("v"));
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        kv = reopen(kv);
        assertThat(kv.scan(p).kvs()).hasSize(threads * per);
    }
}
