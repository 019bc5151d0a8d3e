package io.quiver.datanode;

import static java.util.Objects.requireNonNull;

import io.quiver.common.metrics.MetricLabels.MsgType;
import io.quiver.common.metrics.MetricLabels.Status;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.MilvusMetric;

/**
 * Milvus' datanode families: WAL messages of its channels consumed (per type and collection), their rows, and
 * flush requests. A flush request is accepted by recording it, so it counts as {@code total} and {@code success}.
 */
public final class DataNodeMetrics {
    private final MetricsRegistry metrics;
    private final String node;

    public DataNodeMetrics(MetricsRegistry metrics, String node) {
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.node = requireNonNull(node, "node is null");
    }

    void consumed(MsgType type, long collectionId, long rows) {
        metrics.counter(MilvusMetric.DATANODE_CONSUME_MSG_COUNT, node, type.value(), Long.toString(collectionId)).inc();
        metrics.counter(MilvusMetric.DATANODE_MSG_ROWS_COUNT, node, type.value()).inc(rows);
    }

    void flushRequested() {
        metrics.counter(MilvusMetric.DATANODE_FLUSH_REQ_COUNT, node, Status.TOTAL.value()).inc();
        metrics.counter(MilvusMetric.DATANODE_FLUSH_REQ_COUNT, node, Status.SUCCESS.value()).inc();
    }
}
