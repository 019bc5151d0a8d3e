package io.quiver.tests.fuzz;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.milvus.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends the calls of a {@link CaseGenerator} as raw bytes (so garbage reaches the server as is) from several
 * threads over one channel, and judges every answer:
 * <ul>
 *   <li>a gRPC OK whose body decodes as the method's response type; for a request marked {@code mustRefuse}, its
 *       Milvus status must not be Success;</li>
 *   <li>a gRPC error only where one is the protocol's answer: INVALID_ARGUMENT or INTERNAL for bytes that do not
 *       decode, UNIMPLEMENTED for a method the server does not serve, RESOURCE_EXHAUSTED for a message over the
 *       size limit;</li>
 *   <li>everything else (a hang past the deadline, UNAVAILABLE, UNKNOWN, a body that does not decode) is a finding.</li>
 * </ul>
 * Several threads share the channel on purpose: a call that breaks the HTTP/2 connection shows up as failures of
 * the other threads' calls.
 */
final class ApiFuzzer {
    private static final Metadata.Key<String> DBNAME = Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER);
    private static final Set<Code> UNDECODABLE = Set.of(Code.INVALID_ARGUMENT, Code.INTERNAL);

    private final CaseGenerator generator;
    private final Map<String, MethodDescriptor<?, ?>> served = new HashMap<>();
    private final long deadlineMillis;

    ApiFuzzer(CaseGenerator generator, long deadlineMillis) {
        this.generator = generator;
        this.deadlineMillis = deadlineMillis;
        for (MethodDescriptor<?, ?> m : generator.methods()) {
            served.put(m.getFullMethodName(), m);
        }
    }

    /** Runs calls {@code from .. to-1} on {@code threads} threads; {@code report} collects the outcome. */
    void run(Channel channel, long from, long to, int threads, FuzzReport report) throws Exception {
        AtomicLong next = new AtomicLong(from);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (long i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                        call(channel, i, report);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    void call(Channel channel, long index, FuzzReport report) {
        FuzzCase c = generator.next(index);
        MethodDescriptor<byte[], byte[]> md = ByteArrayMarshaller.unary(c.method());
        Channel ch = channel;
        if (c.dbHeader() != null) {
            Metadata h = new Metadata();
            h.put(DBNAME, c.dbHeader());
            ch = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(h));
        }
        long t0 = System.nanoTime();
        String problem;
        try {
            byte[] resp = ClientCalls.blockingUnaryCall(ch, md, CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS), c.body());
            problem = judgeResponse(c, resp, report);
        } catch (StatusRuntimeException e) {
            report.grpcError(e.getStatus().getCode());
            problem = judgeError(c, e.getStatus().getCode(), e.getMessage());
        }
        report.record(index, c, System.nanoTime() - t0, problem);
    }

    private String judgeResponse(FuzzCase c, byte[] body, FuzzReport report) {
        MethodDescriptor<?, ?> m = served.get(c.method());
        if (m == null) {
            return "an unknown method answered OK";
        }
        Message resp;
        try {
            resp = CaseGenerator.responsePrototype(m).getParserForType().parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            return "response does not decode: " + e.getMessage();
        }
        Status st = status(resp);
        if (st == null) {
            report.milvusCode(0);
            return null;
        }
        int code = st.getCode() != 0 ? st.getCode() : st.getErrorCodeValue();
        report.milvusCode(code);
        if (c.mustRefuse() && code == 0) {
            return "accepted an invalid request";
        }
        if (c.kind() == FuzzCase.Kind.OVERSIZED) {
            return "an oversized request was answered (code " + code + ") instead of refused by the size limit";
        }
        return null;
    }

    /** The response's Milvus status: the message itself or its {@code status} field; null for a response without one. */
    static Status status(Message resp) {
        if (resp instanceof Status s) {
            return s;
        }
        FieldDescriptor f = resp.getDescriptorForType().findFieldByName("status");
        return f == null ? null : (Status) resp.getField(f);
    }

    private String judgeError(FuzzCase c, Code code, String message) {
        boolean expected = switch (c.kind()) {
            case GARBAGE -> UNDECODABLE.contains(code);
            case UNKNOWN_METHOD -> code == Code.UNIMPLEMENTED;
            case OVERSIZED -> code == Code.RESOURCE_EXHAUSTED;
            default -> false;
        };
        if (expected) {
            return null;
        }
        return code == Code.DEADLINE_EXCEEDED ? "no answer within " + deadlineMillis + " ms" : "gRPC error " + message;
    }
}
