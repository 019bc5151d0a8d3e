package io.quiver.common.metrics;

import java.util.stream.DoubleStream;

/** Histogram bucket upper bounds as Milvus 2.5 declares them ({@code pkg/metrics/metrics.go}); +Inf is implicit. */
public enum MetricBuckets {
    /** Milliseconds 1, 2, 4 .. 131072: Milvus' default {@code buckets}. */
    MILLIS(DoubleStream.iterate(1, b -> b * 2).limit(18).toArray()),
    /**
     * Seconds, the indexnode's latencies (Milvus measures them in seconds; the reference records the unit, not the
     * bounds): powers of two from 1/1024 s to 4096 s.
     */
    SECONDS(DoubleStream.iterate(1.0 / 1024, b -> b * 2).limit(23).toArray()),
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
