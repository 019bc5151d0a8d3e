package io.quiver.proxy;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes request bodies inside the service instead of inside gRPC, so that a body that does not decode is answered
 * once, cleanly: gRPC {@code INTERNAL} "grpc: error unmarshalling request: ..." (what grpc-go, hence Milvus, answers).
 *
 * <p>Why: when grpc-java itself fails to parse a request it closes the stream with UNKNOWN "Application error
 * processing RPC" behind the interceptors' back; the unary handler then sees a half-close without a request and
 * closes the call again through the interceptor chain, whose second set of headers breaks HTTP/2 ("sent too many
 * headers"), and the GOAWAY that follows fails every other call on the client's connection. Here each method takes
 * the raw stream and parses it in its listener; a failure closes the call through {@link DecodedCall} (which closes
 * at most once) and the inner listener never hears of the request.
 */
public final class RequestDecoding {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDecoding.class);
    private static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            return stream;
        }
    };

    private RequestDecoding() {}

    /** The same service whose methods receive raw bytes and decode them as described above. */
    public static ServerServiceDefinition guard(ServerServiceDefinition service) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            b.addMethod(guard(m));
        }
        return b.build();
    }

    private static <Q, R> ServerMethodDefinition<InputStream, R> guard(ServerMethodDefinition<Q, R> def) {
        MethodDescriptor<Q, R> method = def.getMethodDescriptor();
        MethodDescriptor<InputStream, R> raw = method.toBuilder(RAW, method.getResponseMarshaller()).build();
        ServerCallHandler<InputStream, R> handler = (call, headers) -> {
            DecodedCall<Q, R> decoded = new DecodedCall<>(call, method);
            return new DecodingListener<>(def.getServerCallHandler().startCall(decoded, headers), decoded);
        };
        return ServerMethodDefinition.create(raw, handler);
    }

    /** Parses each message; after a failure the inner listener hears nothing more of the request. */
    static final class DecodingListener<Q, R> extends ServerCall.Listener<InputStream> {
        private final ServerCall.Listener<Q> delegate;
        private final DecodedCall<Q, R> call;
        private boolean failed; // listener callbacks are serialized by gRPC

        DecodingListener(ServerCall.Listener<Q> delegate, DecodedCall<Q, R> call) {
            this.delegate = delegate;
            this.call = call;
        }

        @Override
        public void onMessage(InputStream message) {
            if (failed || call.isClosed()) {
                return;
            }
            Q request;
            try {
                request = call.getMethodDescriptor().parseRequest(message);
            } catch (RuntimeException e) {
                failed = true;
                LOG.debug("undecodable request method={} error={}", call.getMethodDescriptor().getBareMethodName(), e.toString());
                call.close(Status.INTERNAL.withDescription("grpc: error unmarshalling request: " + e.getMessage()), new Metadata());
                return;
            }
            delegate.onMessage(request);
        }

        @Override
        public void onHalfClose() {
            if (!failed) {
                delegate.onHalfClose();
            }
        }

        @Override
        public void onCancel() {
            delegate.onCancel();
        }

        @Override
        public void onComplete() {
            delegate.onComplete();
        }

        @Override
        public void onReady() {
            delegate.onReady();
        }
    }

    /** The raw call seen as the original method's call; closes at most once (a second close is dropped and logged). */
    static final class DecodedCall<Q, R> extends ServerCall<Q, R> {
        private final ServerCall<InputStream, R> raw;
        private final MethodDescriptor<Q, R> method;
        private final AtomicBoolean closed = new AtomicBoolean();

        DecodedCall(ServerCall<InputStream, R> raw, MethodDescriptor<Q, R> method) {
            this.raw = raw;
            this.method = method;
        }

        boolean isClosed() {
            return closed.get();
        }

        @Override
        public void request(int numMessages) {
            raw.request(numMessages);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            raw.sendHeaders(headers);
        }

        @Override
        public void sendMessage(R message) {
            raw.sendMessage(message);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            if (closed.compareAndSet(false, true)) {
                raw.close(status, trailers);
            } else {
                LOG.warn("call closed twice method={} status={}", method.getBareMethodName(), status);
            }
        }

        @Override
        public boolean isReady() {
            return raw.isReady();
        }

        @Override
        public boolean isCancelled() {
            return raw.isCancelled();
        }

        @Override
        public void setMessageCompression(boolean enabled) {
            raw.setMessageCompression(enabled);
        }

        @Override
        public void setCompression(String compressor) {
            raw.setCompression(compressor);
        }

        @Override
        public SecurityLevel getSecurityLevel() {
            return raw.getSecurityLevel();
        }

        @Override
        public Attributes getAttributes() {
            return raw.getAttributes();
        }

        @Override
        public String getAuthority() {
            return raw.getAuthority();
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return method;
        }
    }
}
