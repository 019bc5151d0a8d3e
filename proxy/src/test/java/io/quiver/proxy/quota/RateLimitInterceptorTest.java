package io.quiver.proxy.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.milvus.grpc.ErrorCode;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.Status;
import io.quiver.common.config.QuiverConfig;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.MilvusMetric;
import io.quiver.proxy.InProcessMilvus;
import io.quiver.proxy.ProxyInterceptors;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The enforcement point over a real in-process gRPC call: refused requests get Milvus' status and never reach a handler. */
class RateLimitInterceptorTest {
    private final ManualClock clock = new ManualClock();
    private final MetricsRegistry registry = MetricsRegistry.create();
    private final Map<String, String> dbOfCall = new HashMap<>();
    private InProcessMilvus milvus;
    private QuotaLimiter limiter;

    private void start(String... kv) throws Exception {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        limiter = new QuotaLimiter(QuiverConfig.fromMap(m).quota(), clock);
        RateLimitInterceptor interceptor = new RateLimitInterceptor(limiter, (db, name) -> {
            dbOfCall.put(name, db);
            if (name.equals("missing")) {
                throw new IllegalStateException("collection not found");
            }
            return name.hashCode() & 0xffff;
        }, registry, 7);
        milvus = new InProcessMilvus(List.of(interceptor, ProxyInterceptors.database()));
    }

    @AfterEach
    void stop() {
        if (milvus != null) {
            milvus.close();
        }
    }

    static SearchRequest search(String coll, int nq) {
        PlaceholderValue.Builder v = PlaceholderValue.newBuilder().setTag("$0").setType(PlaceholderType.FloatVector);
        for (int i = 0; i < nq; i++) {
            v.addValues(FloatArray.newBuilder().addData(1).addData(2).build().toByteString());
        }
        return SearchRequest.newBuilder().setCollectionName(coll)
                .setPlaceholderGroup(PlaceholderGroup.newBuilder().addPlaceholders(v).build().toByteString()).build();
    }

    private double count(String status) {
        return registry.counter(MilvusMetric.PROXY_RATE_LIMIT_REQ_COUNT, "7", "DQLSearch", status).get();
    }

    @Test
    void aSearchOverTheRateGetsMilvusRateLimitStatusAndNeverReachesTheHandler() throws Exception {
        start("quotaAndLimits.dql.enabled", "true", "quotaAndLimits.dql.searchRate.max", "10");
        assertThat(milvus.stub().search(search("c", 11)).getStatus().getCode()).as("11 vectors, bucket of 10 not in debt").isZero();
        Status s = milvus.stub().search(search("c", 1)).getStatus();
        assertThat(s.getCode()).isEqualTo(8);
        assertThat(s.getErrorCode()).isEqualTo(ErrorCode.RateLimit);
        assertThat(s.getRetriable()).isTrue();
        assertThat(s.getReason()).isEqualTo("request is rejected by grpc RateLimiter middleware, please retry later: rate limit exceeded[rate=10]");
        assertThat(milvus.handled).hasValue(1);
        assertThat(count("total")).isEqualTo(2);
        assertThat(count("success")).isEqualTo(1);
        assertThat(count("fail")).isEqualTo(1);

        clock.advance(Duration.ofMillis(100)); // debt of 1 vector paid
        assertThat(milvus.stub().search(search("c", 1)).getStatus().getCode()).isZero();
        assertThat(milvus.handled).hasValue(2);
    }

    @Test
    void aCollectionLevelRateUsesTheDatabaseOfTheHeaderAndSkipsUnknownCollections() throws Exception {
        start("quotaAndLimits.dql.enabled", "true", "quotaAndLimits.dql.queryRate.collection.max", "1");
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER), "sales");
        var stub = milvus.stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
        assertThat(stub.query(QueryRequest.newBuilder().setCollectionName("orders").build()).getStatus().getCode())
                .as("admitted; the handler's own answer").isEqualTo(100);
        assertThat(stub.query(QueryRequest.newBuilder().setCollectionName("orders").build()).getStatus().getCode()).isEqualTo(100);
        assertThat(stub.query(QueryRequest.newBuilder().setCollectionName("orders").build()).getStatus().getCode()).isEqualTo(8);
        assertThat(dbOfCall).containsEntry("orders", "sales");
        assertThat(stub.query(QueryRequest.newBuilder().setDbName("other").setCollectionName("x").build()).getStatus().getCode()).isEqualTo(100);
        assertThat(dbOfCall).as("the body's database wins").containsEntry("x", "other");
        for (int i = 0; i < 5; i++) {
            assertThat(stub.query(QueryRequest.newBuilder().setCollectionName("missing").build()).getStatus().getCode())
                    .as("unknown collection: the handler reports it").isEqualTo(100);
        }
    }

    @Test
    void writesDeniedForMemoryGetQuotaExceeded() throws Exception {
        start();
        limiter.update(new QuotaLimiter.State(1, 0.0));
        var r = milvus.stub().insert(InsertRequest.newBuilder().setCollectionName("c").setNumRows(1).build());
        assertThat(r.getStatus().getCode()).isEqualTo(9);
        assertThat(r.getStatus().getErrorCode()).isEqualTo(ErrorCode.ForceDeny);
        assertThat(r.getStatus().getRetriable()).isFalse();
        assertThat(r.getStatus().getReason()).isEqualTo("quota exceeded[reason=memory quota exceeded, please allocate more resources]");
        assertThat(milvus.stub().search(search("c", 1)).getStatus().getCode()).as("reads go on").isZero();
        assertThat(milvus.handled).hasValue(1);
    }
}
