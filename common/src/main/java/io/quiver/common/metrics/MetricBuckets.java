package io.quiver.common.metrics;

import java.util.stream.DoubleStream;

/** Histogram bucket upper bounds as Milvus 2.5 declares them ({@code pkg/metrics/metrics.go}); +Inf is implicit. */
public enum MetricBuckets {
    /** Milliseconds 1, 2, 4 .. 131072: Milvus' default {@code buckets}. */
    MILLIS(DoubleStream.iterate(1, b -> b * 2).limit(18).toArray()),
    /** Milliseconds 1 .. 1e7 for long tasks (mutation send, segment load, compaction): Milvus' {@code longTaskBuckets}. */
    LONG_TASK_MILLIS(new double[] {1, 100, 500, 1000, 5000, 10000, 20000, 50000, 100000, 250000, 500000, 1000000, 3600000, 5000000,
            10000000}),
    /** Milliseconds 0 .. 10000, the datanode's save latency. */
    SAVE_MILLIS(DoubleStream.iterate(0, b -> b + 500).limit(21).toArray()),
    /** Seconds, the indexnode's latencies (Milvus measures them in seconds): the long-task bounds in seconds. */
    SECONDS(new double[] {0.001, 0.1, 0.5, 1, 5, 10, 20, 50, 100, 250, 500, 1000, 3600, 5000, 10000}),
    /** Counts (nq, topk, group size): powers of two 1 .. 131072. */
    COUNTS(DoubleStream.iterate(1, b -> b * 2).limit(18).toArray()),
    /** Not a histogram. */
    NONE(new double[0]);

    private final double[] bounds;

    MetricBuckets(double[] bounds) {
        this.bounds = bounds;
    }

    public double[] bounds() {
        return bounds.clone();
    }
}
