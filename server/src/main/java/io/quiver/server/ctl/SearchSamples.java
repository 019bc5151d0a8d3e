package io.quiver.server.ctl;

import java.util.Arrays;

/**
 * Every search of a load phase: when it ended and how long it took, failed searches, and deleted ids seen in hits,
 * each with its end time, so the figures of any time window can be computed afterwards ({@link #window}).
 * Thread-safe (appends are synchronized; a few hundred per second do not contend).
 */
final class SearchSamples {
    /** The figures of one window: QPS over its length, latency percentiles of its successes. */
    record Window(double seconds, long ok, long failed, long violations, double qps, double p50Ms, double p99Ms) {}

    private long[] okEnd = new long[1024];
    private long[] okNanos = new long[1024];
    private int okCount;
    private long[] failEnd = new long[16];
    private int failCount;
    private long[] violationEnd = new long[16];
    private int violationCount;

    synchronized void ok(long endNanos, long latencyNanos) {
        if (okCount == okEnd.length) {
            okEnd = Arrays.copyOf(okEnd, okCount * 2);
            okNanos = Arrays.copyOf(okNanos, okCount * 2);
        }
        okEnd[okCount] = endNanos;
        okNanos[okCount++] = latencyNanos;
    }

    synchronized void failed(long endNanos) {
        if (failCount == failEnd.length) {
            failEnd = Arrays.copyOf(failEnd, failCount * 2);
        }
        failEnd[failCount++] = endNanos;
    }

    /** One deleted id returned as a hit by a search that ended at {@code endNanos}. */
    synchronized void violation(long endNanos) {
        if (violationCount == violationEnd.length) {
            violationEnd = Arrays.copyOf(violationEnd, violationCount * 2);
        }
        violationEnd[violationCount++] = endNanos;
    }

    synchronized long failedTotal() {
        return failCount;
    }

    synchronized long violationsTotal() {
        return violationCount;
    }

    /** The searches that ended in [{@code fromNanos}, {@code toNanos}) (times on the same clock as the records). */
    synchronized Window window(long fromNanos, long toNanos) {
        double seconds = Math.max(0, toNanos - fromNanos) / 1e9;
        long[] lat = new long[okCount];
        int n = 0;
        for (int i = 0; i < okCount; i++) {
            if (okEnd[i] >= fromNanos && okEnd[i] < toNanos) {
                lat[n++] = okNanos[i];
            }
        }
        Arrays.sort(lat, 0, n);
        return new Window(seconds, n, count(failEnd, failCount, fromNanos, toNanos), count(violationEnd, violationCount, fromNanos, toNanos),
                seconds > 0 ? n / seconds : 0, quantile(lat, n, 0.5) / 1e6, quantile(lat, n, 0.99) / 1e6);
    }

    private static long count(long[] ends, int size, long from, long to) {
        long c = 0;
        for (int i = 0; i < size; i++) {
            if (ends[i] >= from && ends[i] < to) {
                c++;
            }
        }
        return c;
    }

    /** The nearest-rank q-quantile of the first {@code n} (sorted) values; 0 when there are none. */
    static double quantile(long[] sorted, int n, double q) {
        if (n == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * n);
        return sorted[Math.max(0, Math.min(n, rank) - 1)];
    }
}
