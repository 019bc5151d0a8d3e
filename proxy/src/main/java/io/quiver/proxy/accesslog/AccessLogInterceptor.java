package io.quiver.proxy.accesslog;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quiver.common.error.ErrorCode;
import io.quiver.proxy.ProxyInterceptors;
import io.quiver.common.error.ResponseStatus;
import io.quiver.proxy.security.AuthInterceptor;
import io.quiver.proxy.security.Caller;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Milvus' proxy access log: one record per call of the public service (user, client address, method, database,
 * collection, partitions, Milvus status code and reason, latency), handed to the {@link AccessLogWriter} when the
 * call closes. Sits inside authentication (it reads the {@link Caller}) and outside the rate limiter, so refused
 * requests are logged with their status. Installed only when {@code proxy.accessLog.enable} is true.
 */
public final class AccessLogInterceptor implements ServerInterceptor {
    private final AccessLogWriter writer;
    private final InstantSource clock;
    private final LongSupplier nanoTime;

    public AccessLogInterceptor(AccessLogWriter writer, InstantSource clock, LongSupplier nanoTime) {
        this.writer = requireNonNull(writer, "writer is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
    }

    /** What the request names, read from its first message. */
    private static final class Target {
        String database = "";
        String collection = "";
        String partitions = "";
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        long t0 = nanoTime.getAsLong();
        Instant start = clock.instant();
        String user = AuthInterceptor.caller().map(Caller::username).orElse("");
        String headerDb = ProxyInterceptors.db();
        String address = address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        String method = call.getMethodDescriptor().getBareMethodName();
        Target target = new Target();
        ServerCall<Q, R> wrapped = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private int bodyCode;
            private String bodyReason = "";

            @Override
            public void sendMessage(R message) {
                var st = ResponseStatus.of(message);
                if (st != null) {
                    bodyCode = st.getCode();
                    bodyReason = st.getReason();
                }
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                int code;
                String reason;
                if (!status.isOk()) {
                    code = ErrorCode.UNEXPECTED.code();
                    reason = status.getCode() + ": " + status.getDescription();
                } else {
                    code = bodyCode;
                    reason = bodyReason;
                }
                String db = target.database.isEmpty() ? headerDb : target.database;
                writer.log(new AccessRecord(start, clock.instant(), user, address, method, code, reason, nanoTime.getAsLong() - t0, db,
                        target.collection, target.partitions));
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(wrapped, headers)) {
            @Override
            public void onMessage(Q message) {
                if (message instanceof Message m) {
                    target.database = text(m, "db_name");
                    target.collection = text(m, "collection_name");
                    target.partitions = partitions(m);
                }
                super.onMessage(message);
            }
        };
    }

    private static String text(Message m, String field) {
        FieldDescriptor f = m.getDescriptorForType().findFieldByName(field);
        return f != null && !f.isRepeated() && m.getField(f) instanceof String s ? s : "";
    }

    private static String partitions(Message m) {
        String one = text(m, "partition_name");
        if (!one.isEmpty()) {
            return one;
        }
        FieldDescriptor f = m.getDescriptorForType().findFieldByName("partition_names");
        return f != null && f.isRepeated() && m.getField(f) instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList()) : "";
    }

    private static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return (i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString()) + ":" + i.getPort();
        }
        return a == null ? "" : a.toString();
    }
}
