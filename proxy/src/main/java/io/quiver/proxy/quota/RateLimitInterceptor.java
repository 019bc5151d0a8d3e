package io.quiver.proxy.quota;

import static io.grpc.Status.OK;
import static io.grpc.Status.RESOURCE_EXHAUSTED;
import static java.util.Objects.requireNonNull;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.MilvusMetric;
import io.milvus.grpc.Status;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.Statuses;
import io.quiver.proxy.ProxyInterceptors;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.ToLongBiFunction;

/**
 * Enforces quotas before the handler runs (Milvus' RateLimitInterceptor): DML and DQL requests are classified
 * ({@link LimitedRequest}) and checked with the proxy's {@link QuotaLimiter}. A refused request is answered with a
 * normal response whose status is Milvus' (code 8 RateLimit, retriable, which the Java SDK retries with backoff; or
 * code 9 ForceDeny with the quota reason) and never reaches the handler. Every check is counted in
 * {@code milvus_proxy_rate_limit_req_count{node_id,msg_type,status}} with status total, success or fail, as Milvus.
 */
public final class RateLimitInterceptor implements ServerInterceptor {
    private static final int TOTAL = 0;
    private static final int SUCCESS = 1;
    private static final int FAIL = 2;

    private final QuotaLimiter limiter;
    private final ToLongBiFunction<String, String> collectionIds;
    /** {@code milvus_proxy_rate_limit_req_count} by rate type, then total, success, fail. */
    private final Map<RateType, CounterDataPoint[]> counts = new EnumMap<>(RateType.class);

    /**
     * @param collectionIds the collection id of (database, name), used only when a collection-level rate is set;
     *                      an exception (an unknown collection) skips that level and the handler reports it
     */
    public RateLimitInterceptor(QuotaLimiter limiter, ToLongBiFunction<String, String> collectionIds, MetricsRegistry registry, long nodeId) {
        this.limiter = requireNonNull(limiter, "limiter is null");
        this.collectionIds = requireNonNull(collectionIds, "collectionIds is null");
        for (RateType t : RateType.values()) {
            CounterDataPoint[] c = new CounterDataPoint[3];
            String[] statuses = {"total", "success", "fail"};
            for (int i = 0; i < 3; i++) {
                c[i] = registry.counter(MilvusMetric.PROXY_RATE_LIMIT_REQ_COUNT, Long.toString(nodeId), t.milvusName(), statuses[i]);
            }
            counts.put(t, c);
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String headerDb = ProxyInterceptors.db();
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                Status refusal = check(message, headerDb);
                if (refusal == null) {
                    super.onMessage(message);
                    return;
                }
                refused = true;
                answer(call, refusal);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** The refusal status of a request, or null when it may run. */
    Status check(Object message, String headerDb) {
        LimitedRequest req = LimitedRequest.of(message, headerDb);
        if (req == null) {
            return null;
        }
        long collectionId = limiter.limitsCollections(req.type()) ? collectionId(req) : 0;
        QuotaLimiter.Decision d = limiter.check(req.type(), req.db(), collectionId, req::cost);
        CounterDataPoint[] c = counts.get(req.type());
        c[TOTAL].inc();
        return switch (d) {
            case QuotaLimiter.Allowed a -> {
                c[SUCCESS].inc();
                yield null;
            }
            case QuotaLimiter.Limited l -> {
                c[FAIL].inc();
                yield Statuses.of(ErrorCode.RATE_LIMIT, "request is rejected by grpc RateLimiter middleware, please retry later: "
                        + "rate limit exceeded[rate=" + formatRate(l.rate()) + "]");
            }
            case QuotaLimiter.Denied x -> {
                c[FAIL].inc();
                yield Statuses.of(ErrorCode.SERVICE_QUOTA_EXCEEDED, "quota exceeded[reason=" + x.reason() + "]");
            }
        };
    }

    private long collectionId(LimitedRequest req) {
        try {
            return collectionIds.applyAsLong(req.db(), req.collection());
        } catch (RuntimeException e) {
            return 0;
        }
    }

    static String formatRate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    private static <Q, R> void answer(ServerCall<Q, R> call, Status status) {
        R response = ProxyInterceptors.statusResponse(call.getMethodDescriptor(), status);
        if (response == null) {
            call.close(RESOURCE_EXHAUSTED.withDescription(status.getReason()), new Metadata());
            return;
        }
        call.sendHeaders(new Metadata());
        call.sendMessage(response);
        call.close(OK, new Metadata());
    }
}
