package io.quiver.server.ctl;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.IntPredicate;

/**
 * Inserts rows at a fixed rate in batches until stopped (the streaming case). Batch {@code k} is due at
 * {@code start + k * batch / rate}: a late batch is sent at once and the schedule is kept, so the rate holds on average
 * as long as the server keeps up, and the achieved rate shows when it does not. The clock and the sleep are injected.
 */
final class PacedInserter {
    /** Sleeps the given nanoseconds (Thread.sleep in production, a clock advance in tests). */
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    /** What the inserter did: rows acknowledged, failed batches, its running time and the rate it achieved. */
    record Result(long rows, long failedBatches, double seconds, double rowsPerSecond) {}

    private final IntPredicate insert;
    private final int batch;
    private final double rowsPerSecond;
    private final LongSupplier nanos;
    private final Sleeper sleeper;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final OpStats stats = new OpStats();

    /**
     * @param insert inserts a batch of the given number of rows; true when the server acknowledged it
     */
    PacedInserter(IntPredicate insert, int batch, double rowsPerSecond, LongSupplier nanos, Sleeper sleeper) {
        if (batch <= 0 || !(rowsPerSecond > 0)) {
            throw new IllegalArgumentException("batch and rate must be > 0");
        }
        this.insert = requireNonNull(insert, "insert is null");
        this.batch = batch;
        this.rowsPerSecond = rowsPerSecond;
        this.nanos = requireNonNull(nanos, "nanos is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
    }

    /** When batch {@code k} (from 0) is due, {@code startNanos} being when batch 0 was. */
    static long dueNanos(long startNanos, long k, int batch, double rowsPerSecond) {
        return startNanos + Math.round(k * batch * 1e9 / rowsPerSecond);
    }

    /** Inserts on the calling thread until {@link #stop} or until {@code endNanos}; the rows and rate achieved. */
    Result run(long endNanos) throws InterruptedException {
        long start = nanos.getAsLong();
        long rows = 0;
        for (long k = 0; running.get(); k++) {
            long due = dueNanos(start, k, batch, rowsPerSecond);
            if (due >= endNanos) {
                break;
            }
            long now = nanos.getAsLong();
            if (due > now) {
                sleeper.sleepNanos(due - now);
            }
            long t0 = nanos.getAsLong();
            boolean ok = insert.test(batch);
            stats.record(nanos.getAsLong() - t0, ok, ok ? batch : 0);
            rows += ok ? batch : 0;
        }
        // the rate over the whole window asked for (or until stopped, or until the last late batch returned)
        long end = running.get() ? Math.max(nanos.getAsLong(), endNanos) : nanos.getAsLong();
        double seconds = (end - start) / 1e9;
        return new Result(rows, stats.errors.get(), seconds, seconds > 0 ? rows / seconds : 0);
    }

    void stop() {
        running.set(false);
    }

    /** Latency percentile of the acknowledged batches, milliseconds. */
    double percentileMs(double q) {
        return stats.percentile(q) / 1e6;
    }
}
