package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quiver.common.metrics.MetricLabels;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.MilvusMetric;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.SegmentInfo;
import io.quiver.common.meta.SegmentStats;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * What each collection keeps (issue 10 "Visible"): Milvus' {@code milvus_datacoord_stored_binlog_size} and
 * {@code milvus_datacoord_stored_rows_num} ({@link #registerMilvusGauges}) plus {@code quiver_datacoord_l0_rows},
 * {@code quiver_datacoord_l0_segments}, {@code quiver_datacoord_deleted_rows} and
 * {@code quiver_datacoord_compaction_backlog}, all tagged {@code collection_id}. {@link #refresh} recomputes them
 * from segment meta (datacoord's compaction loop calls it every second); a dropped collection reads 0.
 */
final class StorageMetrics {
    /** One collection's figures. */
    record Stats(long bytes, long rows, long l0Rows, long l0Segments, long deletedRows, long backlog) {
        static final Stats NONE = new Stats(0, 0, 0, 0, 0, 0);
    }

    private final MeterRegistry registry;
    private final SegmentManager segments;
    private final CompactionManager compactions;
    private final Set<Long> registered = new HashSet<>();
    private volatile Map<Long, Stats> current = Map.of();
    private volatile Map<Long, CollectionInfo> names = Map.of();

    StorageMetrics(MeterRegistry registry, SegmentManager segments, CompactionManager compactions) {
        this.registry = requireNonNull(registry, "registry is null");
        this.segments = requireNonNull(segments, "segments is null");
        this.compactions = requireNonNull(compactions, "compactions is null");
    }

    static Stats of(List<SegmentInfo> segs, int backlog) {
        SegmentStats st = SegmentStats.of(segs);
        return new Stats(st.bytes(), st.rows(), st.l0Rows(), st.l0Segments(), st.deletedRows(), backlog);
    }

    synchronized void refresh(List<CollectionInfo> collections) {
        Map<Long, Stats> next = new HashMap<>();
        for (CollectionInfo c : collections) {
            long id = c.getCollectionId();
            next.put(id, of(segments.segments(id), compactions.backlog(id)));
            if (registered.add(id)) {
                gauge("quiver_datacoord_l0_rows", id, Stats::l0Rows);
                gauge("quiver_datacoord_l0_segments", id, Stats::l0Segments);
                gauge("quiver_datacoord_deleted_rows", id, Stats::deletedRows);
                gauge("quiver_datacoord_compaction_backlog", id, Stats::backlog);
            }
        }
        current = next;
        names = collections.stream().collect(Collectors.toMap(CollectionInfo::getCollectionId, c -> c, (a, b) -> b));
    }

    /** Milvus' per-collection families, read at scrape time from the last refresh (flushed data: {@code Flushed}). */
    void registerMilvusGauges(MetricsRegistry metrics) {
        String flushed = MetricLabels.SegmentState.FLUSHED.value();
        metrics.gaugeSource(MilvusMetric.DATACOORD_STORED_ROWS_NUM, sink -> current.forEach((id, st) -> {
            CollectionInfo c = names.get(id);
            if (c != null) {
                sink.value(st.rows(), c.getDbName(), Long.toString(id), c.getName(), flushed);
            }
        }));
        metrics.gaugeSource(MilvusMetric.DATACOORD_STORED_BINLOG_SIZE, sink -> current.forEach((id, st) -> {
            CollectionInfo c = names.get(id);
            if (c != null) {
                sink.value(st.bytes(), c.getDbName(), Long.toString(id), flushed);
            }
        }));
    }

    private void gauge(String name, long collectionId, ToLongFunction<Stats> f) {
        Gauge.builder(name, this, m -> f.applyAsLong(m.current.getOrDefault(collectionId, Stats.NONE)))
                .tag("collection_id", Long.toString(collectionId)).register(registry);
    }
}
