package io.quiver.querynode;

import static java.util.Objects.requireNonNull;

import io.quiver.common.metrics.MetricLabels.QueryType;
import io.quiver.common.metrics.MetricLabels.SegmentLevel;
import io.quiver.common.metrics.MetricLabels.SegmentState;
import io.quiver.common.metrics.MetricLabels.Status;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.MilvusMetric;
import io.quiver.proto.ChannelDistribution;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.SegmentDistribution;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Milvus' querynode families: shard search/query request counts and latencies ({@code request_scope} {@code leader}
 * for a shard leader's own call, {@code from_leader} for a worker answering a leader), search nq and topk, and
 * segment and entity numbers per collection read from the node's distribution at scrape time (sealed segments;
 * a channel's growing rows as {@code Growing}).
 */
final class QueryNodeMetrics {
    private final MetricsRegistry metrics;
    private final String node;

    QueryNodeMetrics(MetricsRegistry metrics, String node) {
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.node = requireNonNull(node, "node is null");
    }

    static void registerGauges(MetricsRegistry metrics, QueryNodeCore core, String node) {
        Supplier<DistributionResponse> dist = core::distribution;
        metrics.gaugeSource(MilvusMetric.QUERYNODE_SEGMENT_NUM, sink -> {
            Map<Long, Integer> sealed = new TreeMap<>();
            dist.get().getSegmentsList().forEach(s -> sealed.merge(s.getCollectionId(), 1, Integer::sum));
            sealed.forEach((c, n) -> sink.value(n, node, Long.toString(c), SegmentState.SEALED.value(), SegmentLevel.L1.value()));
        });
        metrics.gaugeSource(MilvusMetric.QUERYNODE_ENTITY_NUM, sink -> {
            var d = dist.get();
            Map<Long, Long> sealed = new TreeMap<>();
            Map<Long, Long> growing = new TreeMap<>();
            d.getSegmentsList().forEach(s -> sealed.merge(s.getCollectionId(), s.getNumRows(), Long::sum));
            d.getChannelsList().forEach(c -> growing.merge(c.getCollectionId(), c.getGrowingRows(), Long::sum));
            sealed.forEach((c, n) -> sink.value(n, node, Long.toString(c), SegmentState.SEALED.value()));
            growing.forEach((c, n) -> sink.value(n, node, Long.toString(c), SegmentState.GROWING.value()));
        });
        metrics.gaugeSource(MilvusMetric.QUERYNODE_COLLECTION_NUM, sink -> sink.value(dist.get().getSegmentsList().stream()
                .mapToLong(SegmentDistribution::getCollectionId).distinct().count(), node));
        metrics.gaugeSource(MilvusMetric.QUERYNODE_DML_VCHANNEL_NUM, sink -> sink.value(dist.get().getChannelsList().stream()
                .map(ChannelDistribution::getVchannel).distinct().count(), node));
    }

    /** One shard search or query answered (or failed) after {@code nanos}. */
    void request(QueryType type, boolean fromLeader, long collectionId, boolean ok, long nanos) {
        String scope = fromLeader ? "from_leader" : "leader";
        String coll = Long.toString(collectionId);
        metrics.counter(MilvusMetric.QUERYNODE_SQ_REQ_COUNT, node, type.value(), Status.TOTAL.value(), scope, coll).inc();
        metrics.counter(MilvusMetric.QUERYNODE_SQ_REQ_COUNT, node, type.value(), (ok ? Status.SUCCESS : Status.FAIL).value(), scope, coll)
                .inc();
        if (ok) {
            metrics.histogram(MilvusMetric.QUERYNODE_SQ_REQ_LATENCY, node, type.value(), scope).observe(nanos / 1e6);
        }
    }

    /** The shape of one answered search. */
    void search(long nq, long topk) {
        metrics.histogram(MilvusMetric.QUERYNODE_SEARCH_NQ, node).observe(nq);
        metrics.histogram(MilvusMetric.QUERYNODE_SEARCH_TOPK, node).observe(topk);
    }
}
