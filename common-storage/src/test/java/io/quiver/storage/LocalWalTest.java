package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.storage.Wal.Consumer;
import io.quiver.storage.Wal.StartPosition;
import io.quiver.storage.Wal.WalMessage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalWalTest extends WalConformanceTest {
    @TempDir
    Path dir;

    LocalWal.Options options = LocalWal.Options.defaults();
    final TestClock clock = new TestClock();

    /** Starts at the wall time (sealed segments found on reopen are dated by their file time); moved by tests. */
    static final class TestClock implements InstantSource {
        volatile long ms = System.currentTimeMillis();

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(ms);
        }

        void advance(Duration d) {
            ms += d.toMillis();
        }
    }

    @Override
    protected Wal createWal() {
        return new LocalWal(dir.resolve("wal"), options, clock);
    }

    private LocalWal local() {
        return (LocalWal) wal;
    }

    @Override
    protected Wal reopen(Wal old) {
        old.close();
        return createWal();
    }

    private void smallSegments() {
        smallSegments(Duration.ZERO);
    }

    /** 4 KiB segments (a few 1 KiB messages each) keeping sealed segments {@code retention}. */
    private void smallSegments(Duration retention) {
        wal.close();
        options = new LocalWal.Options(4096, 1 << 20).withRetention(retention);
        wal = createWal();
    }

    private long bytesOnDisk() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("wal").resolve(channel))) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("wal").resolve(channel))) {
            return s.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
    }

    private static byte[] kb(int n, int fill) {
        byte[] b = new byte[n * 1024];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    @Test
    void positionsAreBigEndianOffsetsFromZero() {
        List<WalPosition> ps = produce("m", 3);
        assertThat(ps).extracting(LocalWal::offset).containsExactly(0L, 1L, 2L);
        assertThat(ps.get(2).bytes()).containsExactly(0, 0, 0, 0, 0, 0, 0, 2);
        assertThat(LocalWal.position(258)).isEqualTo(new WalPosition(new byte[] {0, 0, 0, 0, 0, 0, 1, 2}));
    }

    @Test
    void tornTailIsTruncatedOnReopenAndWritesContinue() throws Exception {
        produce("m", 5);
        wal.close();
        Path seg = segmentFiles().getLast();
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(f.length() - 1);
        }
        wal = createWal();
        WalPosition p = wal.produce(channel, b("after"));
        assertThat(LocalWal.offset(p)).isEqualTo(4); // the torn m4 is gone, its offset reused (it was never acknowledged)
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest())) {
            assertThat(payloads(read(c, 5))).containsExactly("m0", "m1", "m2", "m3", "after");
        }
    }

    /** Chaos finding: a bit flip in a middle record of the active segment was cut off as a torn tail with every acknowledged message after it. */
    @Test
    void bitFlipInTheMiddleOfTheActiveSegmentIsRefusedNotTruncated() throws Exception {
        produce("message-", 5);
        wal.close();
        Path seg = segmentFiles().getLast();
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            long off = 16 + 8 + 3; // inside the first record's payload (after the file and record headers)
            f.seek(off);
            int b = f.read();
            f.seek(off);
            f.write(b ^ 0x10);
        }
        long before = Files.size(seg);
        assertThatThrownBy(this::createWal).isInstanceOf(StorageException.class).hasMessageContaining("corrupt")
                .hasMessageContaining("checksum");
        assertThat(Files.size(seg)).as("nothing cut off").isEqualTo(before);
    }

    /** Chaos finding: a flip inside a record larger than the byte probe was still cut off as a torn tail. */
    @Test
    void bitFlipInALargeRecordIsRefusedNotTruncated() throws Exception {
        wal.produce(channel, new byte[200_000]);
        wal.produce(channel, b("after"));
        wal.close();
        Path seg = segmentFiles().getLast();
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(16 + 8 + 1000);
            f.write(1);
        }
        assertThatThrownBy(this::createWal).isInstanceOf(StorageException.class).hasMessageContaining("corrupt");
    }

    @Test
    void corruptTailIsDetectedByCrc() throws Exception {
        produce("m", 3);
        wal.close();
        Path seg = segmentFiles().getLast();
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(f.length() - 1);
            f.write('X');
        }
        wal = createWal();
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest())) {
            assertThat(payloads(read(c, 2))).containsExactly("m0", "m1");
            assertThat(c.poll(Duration.ofMillis(20))).isNull();
            wal.produce(channel, b("n"));
            assertThat(payloads(read(c, 1))).containsExactly("n");
        }
    }

    @Test
    void segmentsRollAndAckedSegmentsAreDeleted() throws Exception {
        smallSegments();
        String sub = sub();
        Consumer c = wal.subscribe(channel, sub, StartPosition.earliest());
        for (int i = 0; i < 20; i++) {
            wal.produce(channel, kb(1, i));
        }
        int before = segmentFiles().size();
        assertThat(before).isGreaterThan(4);
        List<WalMessage> ms = read(c, 20);
        c.acknowledge(ms.get(9).position());
        List<Path> after = segmentFiles();
        assertThat(after.size()).isLessThan(before);
        // everything after the ack is still readable, from a fresh subscription at the ack
        long firstRetained = Long.parseLong(after.getFirst().getFileName().toString().replace(".log", ""));
        assertThat(firstRetained).isLessThanOrEqualTo(10);
        try (Consumer again = wal.subscribe(channel, sub, StartPosition.earliest())) {
            List<WalMessage> rest = read(again, 10);
            assertThat(rest.getFirst().payload()[0]).isEqualTo((byte) 10);
        }
        c.acknowledge(ms.get(19).position());
        assertThat(segmentFiles()).hasSize(1); // only the active segment is left
        wal = reopen(wal);
        WalPosition p = wal.produce(channel, b("x"));
        assertThat(LocalWal.offset(p)).isEqualTo(20);
    }

    @Test
    void minimumOverAllSubscriptionsPinsTheLog() throws Exception {
        smallSegments();
        Consumer slow = wal.subscribe(channel, "slow", StartPosition.earliest()); // never acknowledges
        Consumer fast = wal.subscribe(channel, "fast", StartPosition.earliest());
        for (int i = 0; i < 12; i++) {
            wal.produce(channel, kb(1, i));
        }
        int segments = segmentFiles().size();
        List<WalMessage> ms = read(fast, 12);
        fast.acknowledge(ms.getLast().position());
        assertThat(segmentFiles()).hasSize(segments); // "slow" pins everything
        assertThat(read(slow, 12).getFirst().payload()[0]).isEqualTo((byte) 0);
        wal.deleteSubscription(channel, "slow");
        assertThat(segmentFiles()).hasSize(1);
    }

    @Test
    void latestSubscriptionThatNeverAcksPinsNothingBefore() throws Exception {
        smallSegments();
        Consumer reader = wal.subscribe(channel, "reader", StartPosition.earliest());
        for (int i = 0; i < 12; i++) {
            wal.produce(channel, kb(1, i));
        }
        Consumer tail = wal.subscribe(channel, "tail", StartPosition.latest());
        List<WalMessage> ms = read(reader, 12);
        reader.acknowledge(ms.getLast().position());
        assertThat(segmentFiles()).hasSize(1);
        wal.produce(channel, b("new"));
        assertThat(payloads(read(tail, 1))).containsExactly("new");
    }

    @Test
    void channelWithoutSubscriptionsKeepsOnlyTheRetentionWindow() throws Exception {
        smallSegments(Duration.ofHours(1));
        for (int i = 0; i < 12; i++) {
            wal.produce(channel, kb(1, i));
        }
        int n = segmentFiles().size();
        assertThat(n).isGreaterThan(2);
        wal = reopen(wal); // sealed segments found on disk are dated by their file time
        String reader = sub();
        try (Consumer c = wal.subscribe(channel, reader, StartPosition.earliest())) {
            assertThat(read(c, 12)).hasSize(12); // within the window, everything is there
        }
        wal.deleteSubscription(channel, reader);
        assertThat(segmentFiles()).hasSize(n);
        clock.advance(Duration.ofHours(2));
        local().applyRetention();
        assertThat(segmentFiles()).hasSize(1);
    }

    @Test
    void channelWithoutSubscriptionsAndNoRetentionKeepsOnlyTheActiveSegment() throws Exception {
        smallSegments();
        for (int i = 0; i < 40; i++) {
            wal.produce(channel, kb(1, i));
        }
        assertThat(segmentFiles()).hasSize(1); // each roll dropped the sealed segment: nobody will read it
    }

    @Test
    void bytesOnDiskStayBoundedWhileTheSubscriberAcknowledges() throws Exception {
        smallSegments();
        Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest());
        long maxBytes = 0;
        int maxSegments = 0;
        for (int i = 0; i < 300; i++) {
            wal.produce(channel, kb(1, i));
            WalMessage m = read(c, 1).getFirst();
            if (i % 10 == 9) {
                c.acknowledge(m.position());
            }
            maxBytes = Math.max(maxBytes, bytesOnDisk());
            maxSegments = Math.max(maxSegments, segmentFiles().size());
        }
        // 300 KiB written; with 4 KiB segments and an ack every 10 KiB, at most ~4 segments are ever kept
        assertThat(maxSegments).isLessThanOrEqualTo(5);
        assertThat(maxBytes).isLessThan(6 * 4096);
    }

    @Test
    void aLaggingSubscriptionPinsTheLogUntilItAcknowledges() throws Exception {
        smallSegments();
        Consumer slow = wal.subscribe(channel, "slow", StartPosition.earliest());
        Consumer fast = wal.subscribe(channel, "fast", StartPosition.earliest());
        for (int i = 0; i < 24; i++) {
            wal.produce(channel, kb(1, i));
        }
        int all = segmentFiles().size();
        fast.acknowledge(read(fast, 24).getLast().position());
        assertThat(segmentFiles()).hasSize(all);
        List<WalMessage> ms = read(slow, 24);
        slow.acknowledge(ms.get(11).position());
        int half = segmentFiles().size();
        assertThat(half).isLessThan(all).isGreaterThan(1);
        slow.acknowledge(ms.getLast().position());
        assertThat(segmentFiles()).hasSize(1);
    }

    @Test
    void retentionKeepsTheWindowBehindTheSlowestSubscription() throws Exception {
        smallSegments(Duration.ofHours(1));
        Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest());
        for (int i = 0; i < 12; i++) {
            wal.produce(channel, kb(1, i));
        }
        int all = segmentFiles().size();
        List<WalMessage> ms = read(c, 12);
        c.acknowledge(ms.getLast().position());
        assertThat(segmentFiles()).hasSize(all); // acknowledged, but inside the window
        clock.advance(Duration.ofMinutes(59));
        local().applyRetention();
        assertThat(segmentFiles()).hasSize(all);
        clock.advance(Duration.ofMinutes(2));
        local().applyRetention();
        assertThat(segmentFiles()).hasSize(1);
    }

    @Test
    void anAcknowledgedActiveSegmentRollsByAgeSoItCanGo() throws Exception {
        // default 64 MiB segments: without the age roll, 2 MiB of acknowledged messages would stay for ever
        Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest());
        for (int i = 0; i < 2048; i++) {
            wal.produce(channel, kb(1, i));
        }
        c.acknowledge(read(c, 2048).getLast().position());
        assertThat(segmentFiles()).hasSize(1);
        long before = bytesOnDisk();
        clock.advance(Duration.ofMillis(LocalWal.ROLL_AGE_MS));
        wal.produce(channel, kb(1, 0)); // an old active segment over 1 MiB rolls on the next append
        c.acknowledge(read(c, 1).getLast().position());
        assertThat(segmentFiles()).hasSize(1);
        assertThat(bytesOnDisk()).isLessThan(before / 100);
    }

    @Test
    void aSubscriptionWithoutConsumerExpiresAndStopsPinning() throws Exception {
        smallSegments();
        Consumer dead = wal.subscribe(channel, "dead", StartPosition.earliest());
        Consumer stuck = wal.subscribe(channel, "stuck", StartPosition.earliest()); // open, never acknowledges
        Consumer live = wal.subscribe(channel, "live", StartPosition.earliest());
        for (int i = 0; i < 12; i++) {
            wal.produce(channel, kb(1, i));
        }
        dead.close(); // a consumer that went away without deleting its subscription
        int all = segmentFiles().size();
        Path cursors = dir.resolve("wal").resolve(channel).resolve("cursors");
        clock.advance(Duration.ofDays(10));
        live.acknowledge(read(live, 12).getLast().position());

        assertThat(cursors.resolve("dead.cursor")).doesNotExist(); // expired
        assertThat(cursors.resolve("stuck.cursor")).exists();      // an open consumer never expires
        assertThat(segmentFiles()).hasSize(all);                    // and it still pins the log

        stuck.close(); // now nobody reads "stuck" either: its expiry counts from here
        clock.advance(LocalWal.Options.DEFAULT_SUBSCRIPTION_EXPIRY.minusSeconds(1));
        local().applyRetention();
        assertThat(segmentFiles()).hasSize(all);
        clock.advance(Duration.ofSeconds(1));
        local().applyRetention();
        assertThat(segmentFiles()).hasSize(1);
    }

    @Test
    void staleSubscriptionsFoundOnOpenExpireCountingFromOpen() throws Exception {
        smallSegments();
        Consumer left = wal.subscribe(channel, "left-behind", StartPosition.earliest());
        Consumer live = wal.subscribe(channel, "live", StartPosition.earliest());
        for (int i = 0; i < 12; i++) {
            wal.produce(channel, kb(1, i));
        }
        int all = segmentFiles().size();
        wal = reopen(wal); // the process died: nobody closed "left-behind"
        clock.advance(LocalWal.Options.DEFAULT_SUBSCRIPTION_EXPIRY.minusMinutes(1));
        live = wal.subscribe(channel, "live", StartPosition.earliest());
        live.acknowledge(read(live, 12).getLast().position());
        assertThat(segmentFiles()).hasSize(all);
        clock.advance(Duration.ofMinutes(1));
        live.acknowledge(wal.produce(channel, kb(1, 99)));
        assertThat(segmentFiles()).hasSize(1);
    }

    @Test
    void readingBelowTruncationSkipsToFirstRetained() throws Exception {
        smallSegments();
        Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest());
        for (int i = 0; i < 12; i++) {
            wal.produce(channel, kb(1, i));
        }
        List<WalMessage> ms = read(c, 12);
        c.acknowledge(ms.get(10).position());
        c.seek(StartPosition.at(ms.get(0).position()));
        WalMessage m = c.poll(patience());
        assertThat(LocalWal.offset(m.position())).isGreaterThan(0);
        assertThat(m.payload()[0]).isEqualTo((byte) LocalWal.offset(m.position()));
    }

    @Test
    void concurrentProducersAcrossSegmentRolls() throws Exception {
        smallSegments(Duration.ofDays(1)); // read after writing, with no subscription: the window keeps it
        concurrentProducersAllDurableAndReadOnceInOrder();
        assertThat(segmentFiles().size()).isGreaterThan(1);
        wal = reopen(wal);
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest())) {
            assertThat(read(c, 400)).hasSize(400);
        }
    }

    @Test
    void ackIsMonotonicAndDurable() {
        String sub = sub();
        List<WalPosition> ps = produce("m", 5);
        try (Consumer c = wal.subscribe(channel, sub, StartPosition.earliest())) {
            c.acknowledge(ps.get(3));
            c.acknowledge(ps.get(1)); // ignored: acks only move forward
        }
        wal = reopen(wal);
        try (Consumer c = wal.subscribe(channel, sub, StartPosition.earliest())) {
            assertThat(payloads(read(c, 1))).containsExactly("m4");
        }
    }
}
