package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.FloatArray;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.MilvusMetric;
import io.quiver.common.metrics.PrometheusText;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {
    private final MetricsRegistry registry = MetricsRegistry.create();
    private InProcessMilvus milvus;

    @BeforeEach
    void start() throws Exception {
        milvus = new InProcessMilvus(List.of(new RequestMetrics(registry, 3), ProxyInterceptors.database()));
    }

    @AfterEach
    void stop() {
        milvus.close();
    }

    private double count(MilvusMetric m, String... labels) {
        return registry.counter(m, labels).get();
    }

    @Test
    void searchesAreCountedWithTheirNqAndTimedInMilliseconds() {
        milvus.stub().search(search("c", 2));
        milvus.stub().search(search("c", 3));
        assertThat(count(MilvusMetric.PROXY_REQ_COUNT, "3", "Search", "total", "default", "c")).isEqualTo(2);
        assertThat(count(MilvusMetric.PROXY_REQ_COUNT, "3", "Search", "success", "default", "c")).isEqualTo(2);
        assertThat(count(MilvusMetric.PROXY_SEARCH_VECTORS_COUNT, "3", "default", "c")).isEqualTo(5);
        assertThat(count(MilvusMetric.PROXY_SEND_BYTES_COUNT, "3")).isPositive();
        String text = PrometheusText.write(registry.prometheus().scrape());
        assertThat(text).contains("milvus_proxy_sq_latency_count{collection_name=\"c\",db_name=\"default\",node_id=\"3\",query_type=\"search\"} 2\n",
                "milvus_proxy_req_latency_count{function_name=\"Search\",node_id=\"3\"} 2\n");
    }

    @Test
    void insertsCountRowsAndBytesAndAFailedStatusCountsAsFail() {
        InsertRequest insert = InsertRequest.newBuilder().setCollectionName("c").setNumRows(5).build();
        milvus.stub().insert(insert);
        milvus.stub().query(QueryRequest.newBuilder().setCollectionName("gone").build());
        assertThat(count(MilvusMetric.PROXY_INSERT_VECTORS_COUNT, "3", "default", "c")).isEqualTo(5);
        assertThat(count(MilvusMetric.PROXY_RECEIVE_BYTES_COUNT, "3", "insert", "c")).isEqualTo(insert.getSerializedSize());
        assertThat(count(MilvusMetric.PROXY_REQ_COUNT, "3", "Query", "fail", "default", "gone")).isEqualTo(1);
        assertThat(count(MilvusMetric.PROXY_REQ_COUNT, "3", "Query", "success", "default", "gone")).isZero();
        assertThat(PrometheusText.write(registry.prometheus().scrape())).as("a failed query is not in the query latency")
                .doesNotContain("query_type=\"query\"");
    }

    @Test
    void withoutTheNqFieldTheQueryVectorsAreCounted() {
        milvus.stub().search(search("c", 4).toBuilder().clearNq().build());
        assertThat(count(MilvusMetric.PROXY_SEARCH_VECTORS_COUNT, "3", "default", "c")).isEqualTo(4);
    }

    private static SearchRequest search(String coll, int nq) {
        PlaceholderValue.Builder v = PlaceholderValue.newBuilder().setTag("$0").setType(PlaceholderType.FloatVector);
        for (int i = 0; i < nq; i++) {
            v.addValues(FloatArray.newBuilder().addData(1).addData(2).build().toByteString());
        }
        return SearchRequest.newBuilder().setCollectionName(coll).setNq(nq)
                .setPlaceholderGroup(PlaceholderGroup.newBuilder().addPlaceholders(v).build().toByteString()).build();
    }
}
