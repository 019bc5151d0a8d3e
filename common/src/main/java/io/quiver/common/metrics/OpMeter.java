package io.quiver.common.metrics;

import static java.util.Objects.requireNonNull;

import io.quiver.common.metrics.MetricLabels.OpType;
import io.quiver.common.metrics.MetricLabels.Status;
import java.util.function.Supplier;

/** Counts (total, success, fail) and times (milliseconds) the operations of one dependency family pair. */
final class OpMeter {
    private final MetricsRegistry metrics;
    private final MilvusMetric count;
    private final MilvusMetric latency;

    OpMeter(MetricsRegistry metrics, MilvusMetric count, MilvusMetric latency) {
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.count = requireNonNull(count, "count is null");
        this.latency = requireNonNull(latency, "latency is null");
    }

    <T> T call(OpType op, Supplier<T> call) {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            T v = call.get();
            ok = true;
            return v;
        } finally {
            metrics.counter(count, op.value(), Status.TOTAL.value()).inc();
            metrics.counter(count, op.value(), (ok ? Status.SUCCESS : Status.FAIL).value()).inc();
            if (ok) {
                metrics.histogram(latency, op.value()).observe((System.nanoTime() - start) / 1e6);
            }
        }
    }

    void run(OpType op, Runnable call) {
        call(op, () -> {
            call.run();
            return null;
        });
    }

    /** Counts an operation without timing it (a consume that waited for a message measures the wait, not the call). */
    void counted(OpType op, boolean ok) {
        metrics.counter(count, op.value(), Status.TOTAL.value()).inc();
        metrics.counter(count, op.value(), (ok ? Status.SUCCESS : Status.FAIL).value()).inc();
    }
}
