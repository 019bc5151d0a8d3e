package io.quiver.indexnode;

import static java.util.Objects.requireNonNull;

import io.quiver.common.metrics.MetricLabels.Status;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.MilvusMetric;

/**
 * Milvus' indexnode families: build tasks by outcome, and in seconds (as Milvus) the time to read the field's
 * binlogs and build the index ({@code build_index_latency}; Quiver reads the binlogs inside the build, so there
 * is no separate load figure) and to serialize and save it ({@code save_index_latency}).
 */
public final class IndexTaskMetrics {
    private final MetricsRegistry metrics;
    private final String node;

    public IndexTaskMetrics(MetricsRegistry metrics, String node) {
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.node = requireNonNull(node, "node is null");
    }

    void task(boolean ok) {
        metrics.counter(MilvusMetric.INDEXNODE_INDEX_TASK_COUNT, node, Status.TOTAL.value()).inc();
        metrics.counter(MilvusMetric.INDEXNODE_INDEX_TASK_COUNT, node, (ok ? Status.SUCCESS : Status.FAIL).value()).inc();
    }

    void buildSeconds(double seconds) {
        metrics.histogram(MilvusMetric.INDEXNODE_BUILD_INDEX_LATENCY, node).observe(seconds);
    }

    void saveSeconds(double seconds) {
        metrics.histogram(MilvusMetric.INDEXNODE_SAVE_INDEX_LATENCY, node).observe(seconds);
    }
}
