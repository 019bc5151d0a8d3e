package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderValue;
import io.quiver.common.error.ResponseStatus;
import io.quiver.common.error.Statuses;
import io.quiver.common.metrics.MetricLabels.MsgType;
import io.quiver.common.metrics.MetricLabels.QueryType;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.MilvusMetric;
import java.util.Map;

/**
 * Milvus' proxy request families, fed from the interceptor chain for every public RPC: request counts (a
 * {@code total} and the outcome per function, database and collection), request latency, search/query and
 * mutation latencies per collection, searched and inserted vector counts, received and sent bytes. Latencies
 * in milliseconds, as Milvus.
 */
final class RequestMetrics implements ServerInterceptor {
    private static final Map<String, QueryType> QUERY_TYPES = Map.of("Search", QueryType.SEARCH, "HybridSearch", QueryType.SEARCH,
            "Query", QueryType.QUERY);
    private static final Map<String, MsgType> MSG_TYPES = Map.of("Insert", MsgType.INSERT, "Delete", MsgType.DELETE, "Upsert",
            MsgType.UPSERT);
    private static final String SUCCESS = "success";
    private static final String FAIL = "fail";

    private final MetricsRegistry metrics;
    private final String node;

    RequestMetrics(MetricsRegistry metrics, long nodeId) {
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.node = Long.toString(nodeId);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getBareMethodName();
        long start = System.nanoTime();
        Call<R> state = new Call<>(method);
        ServerCall<Q, R> wrapped = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
                state.response(message);
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                record(state, status.isOk() && !state.failed, System.nanoTime() - start);
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(wrapped, headers)) {
            @Override
            public void onMessage(Q message) {
                state.request(message, ProxyInterceptors.db());
                super.onMessage(message);
            }
        };
    }

    private void record(Call<?> c, boolean ok, long nanos) {
        double ms = nanos / 1e6;
        metrics.counter(MilvusMetric.PROXY_REQ_COUNT, node, c.method, "total", c.db, c.collection).inc();
        metrics.counter(MilvusMetric.PROXY_REQ_COUNT, node, c.method, ok ? SUCCESS : FAIL, c.db, c.collection).inc();
        metrics.histogram(MilvusMetric.PROXY_REQ_LATENCY, node, c.method).observe(ms);
        if (!ok) {
            return;
        }
        QueryType q = QUERY_TYPES.get(c.method);
        if (q != null) {
            metrics.histogram(MilvusMetric.PROXY_SQ_LATENCY, node, q.value(), c.db, c.collection).observe(ms);
            metrics.histogram(MilvusMetric.PROXY_COLLECTION_SQ_LATENCY, node, q.value(), c.collection).observe(ms);
            metrics.counter(MilvusMetric.PROXY_SEND_BYTES_COUNT, node).inc(c.responseBytes);
            if (q == QueryType.SEARCH) {
                metrics.counter(MilvusMetric.PROXY_SEARCH_VECTORS_COUNT, node, c.db, c.collection).inc(c.nq);
            }
        }
        MsgType m = MSG_TYPES.get(c.method);
        if (m != null) {
            metrics.histogram(MilvusMetric.PROXY_MUTATION_LATENCY, node, m.value(), c.db, c.collection).observe(ms);
            metrics.histogram(MilvusMetric.PROXY_COLLECTION_MUTATION_LATENCY, node, m.value(), c.collection).observe(ms);
            metrics.counter(MilvusMetric.PROXY_RECEIVE_BYTES_COUNT, node, m.value(), c.collection).inc(c.requestBytes);
            if (m != MsgType.DELETE) {
                metrics.counter(MilvusMetric.PROXY_INSERT_VECTORS_COUNT, node, c.db, c.collection).inc(c.rows);
            }
        }
    }

    /** What one call contributes, read from its request and response messages. */
    private static final class Call<R> {
        final String method;
        String db = "";
        String collection = "";
        long nq;
        long rows;
        long requestBytes;
        long responseBytes;
        boolean failed;

        Call(String method) {
            this.method = method;
        }

        void request(Object message, String database) {
            db = database;
            if (message instanceof Message m) {
                collection = string(m, "collection_name");
                nq = nq(m) + subRequestNq(m);
                rows = number(m, "num_rows");
                if (MSG_TYPES.containsKey(method)) {
                    requestBytes = m.getSerializedSize();
                }
            }
        }

        void response(R message) {
            var st = ResponseStatus.of(message);
            if (st != null && !Statuses.isOk(st)) {
                failed = true;
            }
            if (message instanceof Message m && QUERY_TYPES.containsKey(method)) {
                responseBytes = m.getSerializedSize();
            }
        }

        /** The request's nq field, or when a client leaves it 0 the number of query vectors in its placeholder group. */
        private static long nq(Message m) {
            long nq = number(m, "nq");
            FieldDescriptor f = m.getDescriptorForType().findFieldByName("placeholder_group");
            if (nq > 0 || f == null || f.getJavaType() != FieldDescriptor.JavaType.BYTE_STRING) {
                return nq;
            }
            try {
                return PlaceholderGroup.parseFrom((ByteString) m.getField(f)).getPlaceholdersList().stream()
                        .mapToLong(PlaceholderValue::getValuesCount).sum();
            } catch (InvalidProtocolBufferException e) {
                return 0; // the handler refuses the request; nothing was searched
            }
        }

        /** HybridSearch: the nq of its sub-searches. */
        private static long subRequestNq(Message m) {
            FieldDescriptor f = m.getDescriptorForType().findFieldByName("requests");
            if (f == null || !f.isRepeated() || f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                return 0;
            }
            long sum = 0;
            for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
                sum += nq((Message) m.getRepeatedField(f, i));
            }
            return sum;
        }

        private static String string(Message m, String field) {
            FieldDescriptor f = m.getDescriptorForType().findFieldByName(field);
            return f != null && f.getJavaType() == FieldDescriptor.JavaType.STRING && !f.isRepeated() ? (String) m.getField(f) : "";
        }

        private static long number(Message m, String field) {
            FieldDescriptor f = m.getDescriptorForType().findFieldByName(field);
            return f != null && !f.isRepeated() && m.getField(f) instanceof Number n ? n.longValue() : 0;
        }
    }
}
