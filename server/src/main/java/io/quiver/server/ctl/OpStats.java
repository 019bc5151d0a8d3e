package io.quiver.server.ctl;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Latencies (a bounded sample: the first {@code capacity} successes) and counts of one operation type. Thread-safe:
 * counters are atomic and every recorder writes its own sample slot.
 */
final class OpStats {
    final AtomicLong ok = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    /** Requests refused with Milvus' rate-limit status (code 8): the server's quota holding, not a failure. */
    final AtomicLong limited = new AtomicLong();
    final AtomicLong items = new AtomicLong();
    private final long[] sample;
    private final AtomicLong n = new AtomicLong();

    OpStats() {
        this(200_000);
    }

    OpStats(int capacity) {
        this.sample = new long[capacity];
    }

    void record(long nanos, boolean success, int count) {
        if (success) {
            ok.incrementAndGet();
            items.addAndGet(count);
            long i = n.getAndIncrement();
            if (i < sample.length) {
                sample[(int) i] = nanos;
            }
        } else {
            errors.incrementAndGet();
        }
    }

    /** The p-quantile (0..1) of the recorded successes in nanoseconds, 0 when there are none. */
    double percentile(double p) {
        int size = (int) Math.min(n.get(), sample.length);
        if (size == 0) {
            return 0;
        }
        long[] copy = Arrays.copyOf(sample, size);
        Arrays.sort(copy);
        return copy[Math.min(size - 1, (int) (p * size))];
    }
}
