package io.quiver.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Counter;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private final MetricsRegistry registry = MetricsRegistry.create();

    private String scrape() {
        return PrometheusText.write(registry.prometheus().scrape());
    }

    @Test
    void milvusCountersKeepTheirNameOtherCountersGetTotal() {
        registry.counter(MilvusMetric.PROXY_SEND_BYTES_COUNT, "7").inc(42);
        Counter.builder().name("quiver_thing").help("h").withoutExemplars().register(registry.prometheus()).inc();
        String text = scrape();
        assertThat(text).contains("# TYPE milvus_proxy_send_bytes_count counter\n", "milvus_proxy_send_bytes_count{node_id=\"7\"} 42\n")
                .doesNotContain("milvus_proxy_send_bytes_count_total")
                .contains("# TYPE quiver_thing_total counter\n", "quiver_thing_total 1\n");
    }

    @Test
    void histogramsAreCumulativeInMillisecondBucketsUpToInf() {
        var h = registry.histogram(MilvusMetric.PROXY_REQ_LATENCY, "1", "Search");
        h.observe(3);
        h.observe(0.5);
        h.observe(500_000);
        String text = scrape();
        assertThat(text).contains("milvus_proxy_req_latency_bucket{function_name=\"Search\",node_id=\"1\",le=\"1\"} 1\n",
                "milvus_proxy_req_latency_bucket{function_name=\"Search\",node_id=\"1\",le=\"2\"} 1\n",
                "milvus_proxy_req_latency_bucket{function_name=\"Search\",node_id=\"1\",le=\"4\"} 2\n",
                "milvus_proxy_req_latency_bucket{function_name=\"Search\",node_id=\"1\",le=\"131072\"} 2\n",
                "milvus_proxy_req_latency_bucket{function_name=\"Search\",node_id=\"1\",le=\"+Inf\"} 3\n",
                "milvus_proxy_req_latency_count{function_name=\"Search\",node_id=\"1\"} 3\n",
                "milvus_proxy_req_latency_sum{function_name=\"Search\",node_id=\"1\"} 500003.5\n");
    }

    @Test
    void gaugeSourcesOfSeveralRolesShareOneFamilyAndLabelValuesAreEscaped() {
        registry.gaugeSource(MilvusMetric.ROOTCOORD_COLLECTION_NUM, sink -> sink.value(2, "default"));
        registry.gaugeSource(MilvusMetric.ROOTCOORD_COLLECTION_NUM, sink -> sink.value(1, "a\"b\\c"));
        assertThat(scrape()).contains("milvus_rootcoord_collection_num{db_name=\"default\"} 2\n",
                "milvus_rootcoord_collection_num{db_name=\"a\\\"b\\\\c\"} 1\n");
    }

    @Test
    void aFamilyWithoutSamplesIsLeftOut() {
        registry.counter(MilvusMetric.PROXY_REQ_COUNT, "1", "Search", "total", "default", "c");
        assertThat(scrape()).doesNotContain("milvus_proxy_send_bytes_count");
    }
}
