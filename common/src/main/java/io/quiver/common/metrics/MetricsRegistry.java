package io.quiver.common.metrics;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.MetricWithFixedMetadata;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one metrics registry of a process (created by the launcher, handed to every role through its context).
 * Milvus' families ({@link MilvusMetric}) are created on first use with their exact name, labels and buckets;
 * Micrometer's meters (the {@code quiver_*} families) are registered into the same {@link PrometheusRegistry}, so
 * one scrape serves both. Thread-safe.
 */
public final class MetricsRegistry {
    private final PrometheusRegistry registry;
    private final Map<MilvusMetric, MetricWithFixedMetadata> families = new ConcurrentHashMap<>();
    private final Map<MilvusMetric, List<GaugeSource>> sources = new ConcurrentHashMap<>();

    public MetricsRegistry(PrometheusRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** A registry of its own (tests, tools). */
    public static MetricsRegistry create() {
        return new MetricsRegistry(new PrometheusRegistry());
    }

    public PrometheusRegistry prometheus() {
        return registry;
    }

    /** The counter of these label values (in the family's label order). */
    public CounterDataPoint counter(MilvusMetric metric, String... labelValues) {
        return ((Counter) family(metric, MilvusMetric.Kind.COUNTER)).labelValues(labelValues);
    }

    /** The histogram of these label values; observe milliseconds (seconds for the indexnode's families). */
    public DistributionDataPoint histogram(MilvusMetric metric, String... labelValues) {
        return ((Histogram) family(metric, MilvusMetric.Kind.HISTOGRAM)).labelValues(labelValues);
    }

    /** The settable gauge of these label values. */
    public GaugeDataPoint gauge(MilvusMetric metric, String... labelValues) {
        return ((Gauge) family(metric, MilvusMetric.Kind.GAUGE)).labelValues(labelValues);
    }

    /**
     * Adds a source of values read at every scrape to a gauge family (several roles of one process may each add
     * one). A family fed by sources must not also be set through {@link #gauge}.
     */
    public void gaugeSource(MilvusMetric metric, GaugeSource source) {
        requireNonNull(source, "source is null");
        if (metric.kind() != MilvusMetric.Kind.GAUGE) {
            throw new IllegalArgumentException(metric + " is not a gauge");
        }
        sources.computeIfAbsent(metric, m -> {
            List<GaugeSource> list = new CopyOnWriteArrayList<>();
            GaugeWithCallback.builder().name(m.metricName()).help(m.metricName()).labelNames(m.labels().toArray(String[]::new))
                    .callback(cb -> list.forEach(s -> s.report(cb::call))).register(registry);
            return list;
        }).add(source);
    }

    private MetricWithFixedMetadata family(MilvusMetric metric, MilvusMetric.Kind expected) {
        if (metric.kind() != expected) {
            throw new IllegalArgumentException(metric + " is a " + metric.kind() + ", not a " + expected);
        }
        return families.computeIfAbsent(metric, this::register);
    }

    private MetricWithFixedMetadata register(MilvusMetric m) {
        if (sources.containsKey(m)) {
            throw new IllegalStateException(m + " is fed by gauge sources");
        }
        String[] labels = m.labels().toArray(String[]::new);
        return switch (m.kind()) {
            case COUNTER -> Counter.builder().name(m.metricName()).help(m.metricName()).labelNames(labels).withoutExemplars()
                    .register(registry);
            case GAUGE -> Gauge.builder().name(m.metricName()).help(m.metricName()).labelNames(labels).withoutExemplars().register(registry);
            case HISTOGRAM -> Histogram.builder().name(m.metricName()).help(m.metricName()).labelNames(labels).withoutExemplars()
                    .classicOnly().classicUpperBounds(m.buckets().bounds()).register(registry);
        };
    }

    /** Reports the current values of a gauge family at scrape time. */
    @FunctionalInterface
    public interface GaugeSource {
        void report(Sink sink);

        /** Receives one value with its label values. */
        @FunctionalInterface
        interface Sink {
            void value(double value, String... labelValues);
        }
    }
}
