package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.common.util.HybridTs;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    private static final long START = HybridTs.compose(1_000_000, 0);

    /** A TSO handing out consecutive timestamps, counting its calls. */
    private static final class FakeTso implements IntToLongFunction {
        final AtomicLong next = new AtomicLong(START);
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger handedOut = new AtomicInteger();

        @Override
        public long applyAsLong(int count) {
            calls.incrementAndGet();
            handedOut.addAndGet(count);
            return next.getAndAdd(count);
        }
    }

    private final AtomicLong clockMs = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(clockMs.get());

    @Test
    void tickStaysBelowEveryTimestampInFlight() {
        FakeTso tso = new FakeTso();
        Timestamps t = new Timestamps(tso, clock);
        long a = t.begin();
        long b = t.begin();
        assertThat(b).isGreaterThan(a);
        assertThat(t.safeTick()).isEqualTo(a - 1);
        t.done(a);
        assertThat(t.safeTick()).isEqualTo(b - 1);
        t.done(b);
        long tick = t.safeTick();
        assertThat(tick).isGreaterThan(b);
        assertThat(t.begin()).isGreaterThan(tick);
        assertThat(t.inFlight()).isEqualTo(1);
    }

    @Test
    void everyTimestampIsNewerThanAllEarlierOnes() {
        FakeTso tso = new FakeTso();
        Timestamps t = new Timestamps(tso, clock);
        long w = t.begin();
        t.done(w);
        long r = t.now();
        assertThat(r).isGreaterThan(w);
        assertThat(t.begin()).isGreaterThan(r);
    }

    @Test
    void waitersQueuedDuringOneCallShareTheNextCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FakeTso counting = new FakeTso();
        AtomicInteger call = new AtomicInteger();
        IntToLongFunction tso = n -> {
            if (call.getAndIncrement() == 0) {
                await(release);
            }
            return counting.applyAsLong(n);
        };
        Timestamps t = new Timestamps(tso, clock);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            Future<Long> leader = pool.submit(t::begin);
            while (call.get() == 0) {
                Thread.onSpinWait();
            }
            List<Future<Long>> followers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                followers.add(pool.submit(t::begin));
            }
            while (t.waiting() < 4) {
                Thread.onSpinWait();
            }
            release.countDown();
            List<Long> all = new ArrayList<>(List.of(leader.get()));
            for (Future<Long> f : followers) {
                all.add(f.get());
            }
            assertThat(all).doesNotHaveDuplicates();
            assertThat(counting.calls.get()).isEqualTo(2);
            assertThat(counting.handedOut.get()).isEqualTo(5);
            assertThat(t.inFlight()).isEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedCallFailsItsWaitersAndTheNextCallWorks() {
        AtomicInteger call = new AtomicInteger();
        FakeTso ok = new FakeTso();
        Timestamps t = new Timestamps(n -> {
            if (call.getAndIncrement() == 0) {
                throw new IllegalStateException("rootcoord unavailable");
            }
            return ok.applyAsLong(n);
        }, clock);
        assertThatThrownBy(t::begin).hasMessageContaining("rootcoord unavailable");
        assertThat(t.inFlight()).isZero();
        assertThat(t.begin()).isEqualTo(START);
    }

    @Test
    void boundedReadsUseTheNewestTimestampWhileItIsYoungEnough() {
        FakeTso tso = new FakeTso();
        Timestamps t = new Timestamps(tso, clock);
        long tick = t.safeTick(); // the time tick refreshes the newest timestamp
        int calls = tso.calls.get();
        clockMs.addAndGet(1_200);
        long read = t.staleBy(5_000);
        assertThat(tso.calls.get()).isEqualTo(calls);
        assertThat(read).isEqualTo(HybridTs.compose(HybridTs.physical(tick + 1) - 3_800, 0));

        clockMs.addAndGet(5_000); // older than the staleness asked for: a fresh timestamp
        long fresh = t.staleBy(5_000);
        assertThat(tso.calls.get()).isEqualTo(calls + 1);
        assertThat(fresh).isEqualTo(HybridTs.minusMillis(tso.next.get() - 1, 5_000));
    }

    @Test
    void noDmlWritesAtOrBelowAReportedTick() throws Exception {
        long seed = new Random().nextLong();
        Random seeds = new Random(seed);
        FakeTso tso = new FakeTso();
        Timestamps t = new Timestamps(n -> {
            if ((tso.calls.get() & 3) == 0) {
                Thread.yield();
            }
            return tso.applyAsLong(n);
        }, clock);
        AtomicLong maxTick = new AtomicLong();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> jobs = new ArrayList<>();
        for (int w = 0; w < 5; w++) {
            Random r = new Random(seeds.nextLong());
            jobs.add(pool.submit(() -> {
                for (int i = 0; i < 2_000; i++) {
                    long ts = t.begin();
                    if (r.nextInt(4) == 0) {
                        Thread.yield();
                    }
                    long tick = maxTick.get(); // the "WAL write" of ts happens now
                    if (ts <= tick) {
                        violations.add("ts " + ts + " written after tick " + tick);
                    }
                    t.done(ts);
                }
            }));
        }
        jobs.add(pool.submit(() -> {
            long previous = 0;
            for (int i = 0; i < 2_000; i++) {
                long tick = t.safeTick();
                if (tick < previous) {
                    violations.add("tick went back from " + previous + " to " + tick);
                }
                previous = tick;
                maxTick.accumulateAndGet(tick, Math::max);
            }
        }));
        try {
            for (Future<?> j : jobs) {
                j.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(violations).as("seed %d", seed).isEmpty();
        assertThat(t.inFlight()).isZero();
        assertThat(tso.handedOut.get()).isEqualTo(5 * 2_000 + 2_000);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
