package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quiver.common.error.ResponseStatus;
import io.quiver.common.error.Statuses;
import io.quiver.common.metrics.MetricLabels;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.MilvusMetric;
import io.quiver.proto.CollectionInfo;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Milvus' rootcoord families: DDL request counts and latencies by function (an interceptor on the rootcoord's
 * service; the timestamp/id allocations and time-tick reports proxies send many times a second are not DDL and
 * are not counted there), allocated ids, and the gauges read at scrape time (collections per database,
 * partitions, credentials, proxies, DML channels in use, the TSO's current and saved timestamps).
 */
final class RootCoordMetrics implements ServerInterceptor {
    private static final Set<String> NOT_DDL = Set.of("AllocTimestamp", "AllocID", "ReportTimeTick");

    private final MetricsRegistry metrics;

    RootCoordMetrics(MetricsRegistry metrics) {
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    /** Registers the gauges: this rootcoord's meta table, credentials, TSO and the number of live proxies. */
    void registerGauges(RootCoordinator rc, Tso tso, CredentialTable credentials, IntSupplier proxies) {
        metrics.gaugeSource(MilvusMetric.ROOTCOORD_COLLECTION_NUM, sink -> rc.meta().databases()
                .forEach(db -> sink.value(rc.meta().list(db.getName()).size(), db.getName())));
        metrics.gaugeSource(MilvusMetric.ROOTCOORD_PARTITION_NUM, sink -> sink.value(rc.meta().databases().stream()
                .flatMap(db -> rc.meta().list(db.getName()).stream()).mapToInt(CollectionInfo::getPartitionsCount).sum()));
        metrics.gaugeSource(MilvusMetric.ROOTCOORD_CREDENTIAL_NUM, sink -> sink.value(credentials.list().size()));
        metrics.gaugeSource(MilvusMetric.ROOTCOORD_PROXY_NUM, sink -> sink.value(proxies.getAsInt()));
        metrics.gaugeSource(MilvusMetric.ROOTCOORD_DML_CHANNEL_NUM, sink -> sink.value(rc.pchannelsInUse().size()));
        metrics.gaugeSource(MilvusMetric.ROOTCOORD_TIMESTAMP, sink -> sink.value(tso.current()));
        metrics.gaugeSource(MilvusMetric.ROOTCOORD_TIMESTAMP_SAVED, sink -> sink.value(tso.saved()));
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getBareMethodName();
        if (method.equals("AllocID")) {
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                @Override
                public void onMessage(Q message) {
                    metrics.counter(MilvusMetric.ROOTCOORD_ID_ALLOC_COUNT).inc(count(message));
                    super.onMessage(message);
                }
            };
        }
        if (NOT_DDL.contains(method)) {
            return next.startCall(call, headers);
        }
        long start = System.nanoTime();
        ServerCall<Q, R> wrapped = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private boolean failed;

            @Override
            public void sendMessage(R message) {
                failed |= !succeeded(message);
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                boolean ok = status.isOk() && !failed;
                metrics.counter(MilvusMetric.ROOTCOORD_DDL_REQ_COUNT, method, MetricLabels.Status.TOTAL.value()).inc();
                metrics.counter(MilvusMetric.ROOTCOORD_DDL_REQ_COUNT, method,
                        (ok ? MetricLabels.Status.SUCCESS : MetricLabels.Status.FAIL).value()).inc();
                metrics.histogram(MilvusMetric.ROOTCOORD_DDL_REQ_LATENCY, method).observe((System.nanoTime() - start) / 1e6);
                super.close(status, trailers);
            }
        };
        return next.startCall(wrapped, headers);
    }

    private static long count(Object message) {
        if (message instanceof Message m) {
            FieldDescriptor f = m.getDescriptorForType().findFieldByName("count");
            if (f != null && m.getField(f) instanceof Number n) {
                return n.longValue();
            }
        }
        return 0;
    }

    /** A response whose Milvus status (its own, or its {@code status} field) has a non-zero code failed. */
    private static boolean succeeded(Object response) {
        var st = ResponseStatus.of(response);
        return st == null || Statuses.isOk(st);
    }
}
