package io.quiver.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MilvusMetricTest {
    @Test
    void namesAreMilvusNamesUniqueAndWithoutPrometheusSuffixes() {
        assertThat(Arrays.stream(MilvusMetric.values()).map(MilvusMetric::metricName)).doesNotHaveDuplicates()
                .allMatch(n -> n.startsWith("milvus_")).noneMatch(n -> n.endsWith("_total") || n.endsWith("_seconds"));
    }

    @Test
    void histogramsHaveBucketsAndOthersHaveNone() {
        for (MilvusMetric m : MilvusMetric.values()) {
            assertThat(m.buckets() == MetricBuckets.NONE).as(m.name()).isEqualTo(m.kind() != MilvusMetric.Kind.HISTOGRAM);
        }
        assertThat(MetricBuckets.MILLIS.bounds()).startsWith(1, 2, 4, 8).endsWith(65536, 131072).hasSize(18);
    }

    @Test
    void aFamilyIsUsedAsTheKindItIs() {
        MetricsRegistry registry = MetricsRegistry.create();
        assertThatThrownBy(() -> registry.gauge(MilvusMetric.PROXY_REQ_COUNT, "1", "f", "total", "d", "c"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.gaugeSource(MilvusMetric.PROXY_REQ_COUNT, sink -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void labelValuesAreMilvusSpellings() {
        assertThat(MetricLabels.SegmentState.FLUSHED.value()).isEqualTo("Flushed");
        assertThat(MetricLabels.Status.SUCCESS.value()).isEqualTo("success");
        assertThat(MetricLabels.QueryType.SEARCH.value()).isEqualTo("search");
        assertThat(MetricLabels.MsgType.UPSERT.value()).isEqualTo("upsert");
    }
}
