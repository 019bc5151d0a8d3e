package io.quiver.proxy;

import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.common.metrics.MetricsRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxy's cross-cutting concerns, as one interceptor chain (CONVENTIONS: not pasted into each handler). */
public final class ProxyInterceptors {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyInterceptors.class);
    public static final Context.Key<String> DB = Context.key("quiver-db");
    static final Metadata.Key<String> DBNAME = Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER);

    private ProxyInterceptors() {}

    /** The database of the call: the {@code dbname} header, {@code default} when absent (the Java SDK omits it). */
    public static String db() {
        String d = DB.get();
        return d == null || d.isEmpty() ? "default" : d;
    }

    public static ServerInterceptor database() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String db = headers.get(DBNAME);
                return Contexts.interceptCall(Context.current().withValue(DB, db == null ? "" : db), call, headers, next);
            }
        };
    }

    /** Milvus' proxy request families ({@link RequestMetrics}), so Milvus' dashboard charts the proxy. */
    public static ServerInterceptor metrics(MetricsRegistry registry, long nodeId) {
        return new RequestMetrics(registry, nodeId);
    }

    /**
     * Turns gRPC UNIMPLEMENTED into a normal response whose status says so (code 10). The Node SDK treats
     * UNIMPLEMENTED as an empty success and the Java SDK as a transport error; both read a status correctly.
     */
    public static ServerInterceptor unimplementedAsStatus() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                ServerCall<Q, R> wrapped = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    private boolean headersSent;
                    private boolean messageSent;

                    @Override
                    public void sendHeaders(Metadata h) {
                        headersSent = true;
                        super.sendHeaders(h);
                    }

                    @Override
                    public void sendMessage(R message) {
                        messageSent = true;
                        super.sendMessage(message);
                    }

                    @Override
                    public void close(Status status, Metadata trailers) {
                        if (!status.isOk() && !messageSent && isMessage(getMethodDescriptor())) {
                            ErrorCode code = status.getCode() == Status.Code.UNIMPLEMENTED ? ErrorCode.UNIMPLEMENTED : ErrorCode.UNEXPECTED;
                            String reason = code == ErrorCode.UNIMPLEMENTED
                                    ? getMethodDescriptor().getBareMethodName() + " is not supported by this Quiver version"
                                    : String.valueOf(status.getDescription());
                            if (code != ErrorCode.UNIMPLEMENTED) {
                                LOG.error("call failed outside a handler method={} status={}", getMethodDescriptor().getBareMethodName(), status, status.getCause());
                            }
                            R resp = statusResponse(getMethodDescriptor(), Statuses.of(code, reason));
                            if (resp == null) { // a response type without a status field (Dummy's): the gRPC status it is
                                super.close(status, trailers);
                                return;
                            }
                            if (!headersSent) {
                                super.sendHeaders(new Metadata());
                            }
                            super.sendMessage(resp);
                            super.close(Status.OK, trailers);
                            return;
                        }
                        super.close(status, trailers);
                    }
                };
                return next.startCall(wrapped, headers);
            }
        };
    }

    private static boolean isMessage(MethodDescriptor<?, ?> method) {
        return method.getResponseMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> pm && pm.getMessagePrototype() instanceof Message;
    }

    /**
     * A normal response of the method's type whose status is {@code status} (how the proxy answers a refused or
     * failed call: the SDKs read a body status, not a gRPC error); null when the response is not a protobuf message
     * or has no status field.
     */
    @SuppressWarnings("unchecked")
    public static <R> R statusResponse(MethodDescriptor<?, R> method, io.milvus.grpc.Status status) {
        if (method.getResponseMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<R> pm && pm.getMessagePrototype() instanceof Message proto
                && (proto instanceof io.milvus.grpc.Status || proto.getDescriptorForType().findFieldByName("status") != null)) {
            return (R) GrpcCalls.errorResponse(proto, status);
        }
        return null;
    }
}
