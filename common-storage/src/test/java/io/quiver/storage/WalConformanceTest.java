package io.quiver.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.storage.Wal.Consumer;
import io.quiver.storage.Wal.StartPosition;
import io.quiver.storage.Wal.WalMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Wal} must meet. A backend's test implements {@link #createWal()} and,
 * if it can, {@link #reopen}. Each test uses its own random channel and subscription names, so the
 * suite can run against a shared broker. Positions are compared only for equality (a Pulsar
 * MessageId's bytes are not ordered). A backend that may redeliver (at-least-once) overrides
 * {@link #exactlyOnceDelivery()} to false: the reads then drop repeated positions before asserting.
 */
public abstract class WalConformanceTest {
    protected Wal wal;
    protected String channel;
    protected final long seed = System.nanoTime();
    protected final Random random = new Random(seed);

    protected abstract Wal createWal();

    /** Closes {@code old} and opens the same log again, or returns null if the backend cannot. */
    protected Wal reopen(Wal old) {
        return null;
    }

    /** Capability: a subscription never sees a message twice (false for at-least-once brokers). */
    protected boolean exactlyOnceDelivery() {
        return true;
    }

    protected Duration patience() {
        return Duration.ofSeconds(10);
    }

    @BeforeEach
    void setUpWal() {
        wal = createWal();
        channel = "conf-" + UUID.randomUUID().toString().substring(0, 13);
    }

    @AfterEach
    void tearDownWal() {
        if (wal != null) {
            wal.close();
        }
    }

    protected static String sub() {
        return "sub-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    protected static String s(byte[] b) {
        return new String(b, UTF_8);
    }

    protected List<WalPosition> produce(String prefix, int n) {
        List<WalPosition> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(wal.produce(channel, b(prefix + i)));
        }
        return out;
    }

    /** Reads {@code n} distinct messages (dropping redeliveries if the backend may redeliver). */
    protected List<WalMessage> read(Consumer c, int n) {
        Map<WalPosition, WalMessage> seen = new LinkedHashMap<>();
        long deadline = System.nanoTime() + patience().toNanos();
        while (seen.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " messages, got " + seen.size());
            }
            for (WalMessage m : c.pollBatch(n - seen.size(), Duration.ofMillis(200))) {
                WalMessage before = seen.putIfAbsent(m.position(), m);
                if (before != null && exactlyOnceDelivery()) {
                    throw new AssertionError("message delivered twice: " + m.position());
                }
            }
        }
        return new ArrayList<>(seen.values());
    }

    protected static List<String> payloads(List<WalMessage> ms) {
        return ms.stream().map(m -> s(m.payload())).toList();
    }

    private static List<String> names(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Test
    void produceThenReadFromEarliest() {
        List<WalPosition> ps = produce("m", 10);
        assertThat(new HashSet<>(ps)).hasSize(10);
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest())) {
            List<WalMessage> ms = read(c, 10);
            assertThat(payloads(ms)).containsExactlyElementsOf(names("m", 0, 10));
            assertThat(ms).extracting(WalMessage::position).containsExactlyElementsOf(ps);
            assertThat(ms).allSatisfy(m -> assertThat(m.channel()).isEqualTo(channel));
        }
    }

    @Test
    void latestSeesOnlyNewMessages() {
        produce("old", 3);
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.latest())) {
            produce("new", 2);
            assertThat(payloads(read(c, 2))).containsExactly("new0", "new1");
        }
    }

    /** Strong reads: the last position covers every produced message, and positions order as the log does. */
    @Test
    void lastPositionIsTheNewestProducedMessageAndPositionsOrder() {
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest())) {
            assertThat(c.lastPosition()).isEmpty();
            List<WalPosition> ps = produce("m", 3);
            assertThat(wal.compare(c.lastPosition().orElseThrow(), ps.get(2))).isZero();
            assertThat(wal.compare(ps.get(0), ps.get(1))).isNegative();
            assertThat(wal.compare(ps.get(2), ps.get(1))).isPositive();
            assertThat(wal.compare(ps.get(1), ps.get(1))).isZero();
            List<WalMessage> ms = read(c, 3);
            assertThat(wal.compare(ms.get(2).position(), c.lastPosition().orElseThrow())).isZero(); // read through it
            WalPosition p3 = wal.produce(channel, b("m3"));
            assertThat(wal.compare(c.lastPosition().orElseThrow(), p3)).isZero();
        }
    }

    @Test
    void afterAndAtPositions() {
        List<WalPosition> ps = produce("m", 5);
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.after(ps.get(1)))) {
            assertThat(payloads(read(c, 3))).containsExactly("m2", "m3", "m4");
        }
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.at(ps.get(1)))) {
            assertThat(payloads(read(c, 4))).containsExactly("m1", "m2", "m3", "m4");
        }
    }

    @Test
    void seekMovesTheReadCursor() {
        List<WalPosition> ps = produce("m", 6);
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest())) {
            assertThat(payloads(read(c, 6))).hasSize(6);
            c.seek(StartPosition.after(ps.get(2)));
            assertThat(payloads(read(c, 3))).containsExactly("m3", "m4", "m5");
            c.seek(StartPosition.at(ps.get(0)));
            assertThat(payloads(read(c, 1))).containsExactly("m0");
            c.seek(StartPosition.latest());
            produce("x", 1);
            assertThat(payloads(read(c, 1))).containsExactly("x0");
        }
    }

    @Test
    void pollTimesOutWithNull() {
        produce("m", 1);
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.latest())) {
            assertThat(c.poll(Duration.ofMillis(50))).isNull();
            assertThat(c.pollBatch(10, Duration.ofMillis(50))).isEmpty();
        }
    }

    @Test
    void blockedPollWakesOnProduce() throws Exception {
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.latest())) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<WalMessage> f = pool.submit(() -> c.poll(patience()));
                Thread.sleep(50);
                wal.produce(channel, b("wake"));
                WalMessage m = f.get();
                assertThat(m).isNotNull();
                assertThat(s(m.payload())).isEqualTo("wake");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void pollBatchReturnsAtMostMax() {
        produce("m", 7);
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest())) {
            List<WalMessage> first = c.pollBatch(3, patience());
            assertThat(first).isNotEmpty().hasSizeLessThanOrEqualTo(3);
            List<WalMessage> rest = read(c, 7 - first.size());
            List<String> all = new ArrayList<>(payloads(first));
            all.addAll(payloads(rest));
            assertThat(all).containsExactlyElementsOf(names("m", 0, 7));
        }
    }

    @Test
    void subscriptionsReadIndependently() {
        produce("m", 4);
        try (Consumer a = wal.subscribe(channel, sub(), StartPosition.earliest());
             Consumer bb = wal.subscribe(channel, sub(), StartPosition.earliest())) {
            assertThat(payloads(read(a, 4))).containsExactlyElementsOf(names("m", 0, 4));
            a.acknowledge(wal.produce(channel, b("m4")));
            assertThat(payloads(read(bb, 5))).containsExactlyElementsOf(names("m", 0, 5));
        }
    }

    @Test
    void acknowledgedSubscriptionResumesAfterAck() {
        String sub = sub();
        List<WalPosition> ps = produce("m", 6);
        try (Consumer c = wal.subscribe(channel, sub, StartPosition.earliest())) {
            read(c, 3);
            c.acknowledge(ps.get(2));
        }
        try (Consumer c = wal.subscribe(channel, sub, StartPosition.earliest())) {
            assertThat(payloads(read(c, 3))).containsExactly("m3", "m4", "m5");
        }
    }

    @Test
    void resumeAfterAckAcrossReopen() {
        String sub = sub();
        List<WalPosition> ps = produce("m", 5);
        try (Consumer c = wal.subscribe(channel, sub, StartPosition.earliest())) {
            read(c, 2);
            c.acknowledge(ps.get(1));
        }
        Wal again = reopen(wal);
        if (again == null) {
            return;
        }
        wal = again;
        produce("n", 1);
        try (Consumer c = wal.subscribe(channel, sub, StartPosition.latest())) {
            assertThat(payloads(read(c, 4))).containsExactly("m2", "m3", "m4", "n0");
        }
        assertThat(wal.channels()).contains(channel);
    }

    @Test
    void deletedSubscriptionStartsOver() {
        String sub = sub();
        List<WalPosition> ps = produce("m", 3);
        try (Consumer c = wal.subscribe(channel, sub, StartPosition.earliest())) {
            read(c, 3);
            c.acknowledge(ps.get(2));
        }
        wal.deleteSubscription(channel, sub);
        try (Consumer c = wal.subscribe(channel, sub, StartPosition.earliest())) {
            assertThat(payloads(read(c, 3))).containsExactly("m0", "m1", "m2");
        }
        wal.deleteSubscription(channel, "never-existed");
    }

    @Test
    void channelsAreCreatedOnFirstUse() {
        String other = channel + "-b";
        wal.produce(channel, b("x"));
        wal.subscribe(other, sub(), StartPosition.earliest()).close();
        assertThat(wal.channels()).contains(channel, other);
    }

    @Test
    void emptyAndLargeMessages() {
        byte[] large = new byte[3 << 20];
        random.nextBytes(large);
        wal.produce(channel, new byte[0]);
        wal.produce(channel, large);
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest())) {
            List<WalMessage> ms = read(c, 2);
            assertThat(ms.get(0).payload()).isEmpty();
            assertThat(ms.get(1).payload()).as("seed=%d", seed).isEqualTo(large);
        }
    }

    @Test
    void concurrentProducersAllDurableAndReadOnceInOrder() throws Exception {
        int producers = 4;
        int per = 100;
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        Map<WalPosition, String> produced = new java.util.concurrent.ConcurrentHashMap<>();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < producers; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < per; i++) {
                        String payload = tt + ":" + i;
                        assertThat(produced.put(wal.produce(channel, b(payload)), payload)).isNull();
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(produced).hasSize(producers * per);
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest())) {
            List<WalMessage> ms = read(c, producers * per);
            Map<Integer, Integer> lastSeq = new HashMap<>();
            Set<String> payloads = new HashSet<>();
            for (WalMessage m : ms) {
                String p = s(m.payload());
                assertThat(produced.get(m.position())).isEqualTo(p);
                assertThat(payloads.add(p)).isTrue();
                String[] parts = p.split(":");
                int prev = lastSeq.getOrDefault(Integer.parseInt(parts[0]), -1);
                assertThat(Integer.parseInt(parts[1])).as("per-producer order").isEqualTo(prev + 1);
                lastSeq.put(Integer.parseInt(parts[0]), prev + 1);
            }
        }
    }

    @Test
    void invalidNamesAreRejected() {
        assertThatThrownBy(() -> wal.produce("../evil", b("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> wal.subscribe(channel, "a/b", StartPosition.earliest())).isInstanceOf(IllegalArgumentException.class);
    }
}
