package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PacedInserterTest {
    /** A clock that moves only when the inserter sleeps or an insert takes {@code insertNanos}. */
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Long> sentAt = new ArrayList<>();

    private PacedInserter inserter(int batch, double rate, long insertNanos, boolean ok) {
        return new PacedInserter(n -> {
            sentAt.add(now.get());
            now.addAndGet(insertNanos);
            return ok;
        }, batch, rate, now::get, now::addAndGet);
    }

    @Test
    void batchesGoOutOnAFixedScheduleAtTheRateAskedFor() throws Exception {
        long start = now.get();
        PacedInserter.Result r = inserter(100, 1000, 2_000_000, true).run(start + 1_000_000_000L);
        assertThat(sentAt).hasSize(10);
        for (int k = 0; k < 10; k++) {
            assertThat(sentAt.get(k)).isEqualTo(start + k * 100_000_000L);
        }
        assertThat(r.rows()).isEqualTo(1000);
        assertThat(r.failedBatches()).isZero();
        assertThat(r.rowsPerSecond()).isEqualTo(1000.0);
    }

    @Test
    void aSlowServerIsNotWaitedForAndTheAchievedRateShowsIt() throws Exception {
        long start = now.get();
        PacedInserter.Result r = inserter(100, 1000, 250_000_000, true).run(start + 1_000_000_000L);
        // each insert takes 250 ms while one is due every 100 ms: sent back to back, never sleeping
        assertThat(sentAt).containsExactly(start, start + 250_000_000L, start + 500_000_000L, start + 750_000_000L,
                start + 1_000_000_000L, start + 1_250_000_000L, start + 1_500_000_000L, start + 1_750_000_000L,
                start + 2_000_000_000L, start + 2_250_000_000L);
        assertThat(r.rowsPerSecond()).isEqualTo(400.0);
    }

    @Test
    void failedBatchesAreCountedNotInserted() throws Exception {
        PacedInserter.Result r = inserter(50, 500, 0, false).run(now.get() + 1_000_000_000L);
        assertThat(r.rows()).isZero();
        assertThat(r.failedBatches()).isEqualTo(10);
    }

    @Test
    void dueTimesFollowTheRate() {
        assertThat(PacedInserter.dueNanos(0, 3, 100, 1000)).isEqualTo(300_000_000L);
        assertThat(PacedInserter.dueNanos(5, 0, 100, 1000)).isEqualTo(5);
        assertThatThrownBy(() -> inserter(0, 1000, 0, true)).isInstanceOf(IllegalArgumentException.class);
    }
}
