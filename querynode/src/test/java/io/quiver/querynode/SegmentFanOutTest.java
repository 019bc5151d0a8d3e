package io.quiver.querynode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Context;
import io.quiver.common.error.QuiverException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SegmentFanOutTest {
    @Test
    void resultsComeInOrderAndHelpersShareTheWork() {
        try (SegmentFanOut f = new SegmentFanOut(3)) {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            Integer[] out = f.map(40, Integer[]::new, i -> {
                threads.add(Thread.currentThread().getName());
                sleep(2);
                return i * i;
            }, true);
            for (int i = 0; i < 40; i++) {
                assertThat(out[i]).isEqualTo(i * i);
            }
            assertThat(threads).hasSizeGreaterThan(1);
        }
    }

    @Test
    void callerOnlyRunsOnTheCallingThread() {
        try (SegmentFanOut f = SegmentFanOut.callerOnly()) {
            String me = Thread.currentThread().getName();
            String[] out = f.map(5, String[]::new, i -> Thread.currentThread().getName(), true);
            assertThat(out).containsOnly(me);
        }
    }

    @Test
    void theFirstFailureIsRethrownAfterEveryClaimedSegmentEnded() {
        try (SegmentFanOut f = new SegmentFanOut(2)) {
            assertThatThrownBy(() -> f.map(10, Integer[]::new, i -> {
                if (i == 3) {
                    throw QuiverException.invalid("segment %d failed", i);
                }
                return i;
            }, true)).isInstanceOf(QuiverException.class).hasMessageContaining("segment 3 failed");
        }
    }

    @Test
    void aCancelledRequestStopsBetweenSegments() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (SegmentFanOut f = new SegmentFanOut(2)) {
            Context.CancellableContext ctx = Context.current().withDeadlineAfter(20, TimeUnit.MILLISECONDS, timer);
            assertThatThrownBy(() -> ctx.call(() -> f.map(1000, Integer[]::new, i -> {
                sleep(5);
                return i;
            }, true))).isInstanceOf(QuiverException.class).hasMessageContaining("deadline");
            ctx.cancel(null);
        } finally {
            timer.shutdownNow();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
