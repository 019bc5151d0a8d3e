package io.quiver.tests.fuzz;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.milvus.grpc.MilvusServiceGrpc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Makes the {@code index}-th call of a run from the run's seed alone: request {@code i} of seed {@code s} is the
 * same bytes on every machine and in every thread order, so a finding is reproduced by its (seed, index).
 * The mix: 10% empty requests, 35% random ones, 40% mutated valid ones, 12% garbage bytes, 3% unknown methods;
 * one call in ten carries a random {@code dbname} header; every {@link #OVERSIZED_EVERY}-th call is larger than
 * the server's maximum message size.
 */
final class CaseGenerator {
    static final int OVERSIZED_EVERY = 1000;
    private static final String SERVICE = MilvusServiceGrpc.SERVICE_NAME;
    private static final List<String> UNKNOWN = List.of(SERVICE + "/NoSuchMethod", SERVICE + "/insert", SERVICE + "/",
            "milvus.proto.milvus.NoSuchService/Connect", "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            "milvus.proto.query.QueryNode/Search");

    private final List<MethodDescriptor<?, ?>> methods;
    private final RandomMessages random;
    private final Mutations mutations;
    private final long seed;
    private final int oversizedBytes;

    /** {@code oversizedBytes}: the size of the oversized requests (more than the server's maximum message size). */
    CaseGenerator(long seed, int oversizedBytes) {
        this.seed = seed;
        this.oversizedBytes = oversizedBytes;
        this.random = new RandomMessages(Sandbox.NAMES);
        this.mutations = new Mutations(random);
        this.methods = servedMethods();
    }

    /** Every unary MilvusService RPC in the proto this test is compiled with, in name order. */
    static List<MethodDescriptor<?, ?>> servedMethods() {
        List<MethodDescriptor<?, ?>> out = new ArrayList<>();
        for (MethodDescriptor<?, ?> m : MilvusServiceGrpc.getServiceDescriptor().getMethods()) {
            if (m.getType() == MethodDescriptor.MethodType.UNARY) {
                out.add(m);
            }
        }
        out.sort(Comparator.comparing(MethodDescriptor::getFullMethodName));
        return out;
    }

    List<MethodDescriptor<?, ?>> methods() {
        return methods;
    }

    FuzzCase next(long index) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L ^ (index + 1) * 0xBF58476D1CE4E5B9L);
        if (index % OVERSIZED_EVERY == OVERSIZED_EVERY / 2) {
            return oversized(r);
        }
        int k = r.nextInt(100);
        FuzzCase c;
        if (k < 10) {
            MethodDescriptor<?, ?> m = method(r);
            c = new FuzzCase(m.getFullMethodName(), new byte[0], FuzzCase.Kind.EMPTY, "", false, null);
        } else if (k < 45) {
            MethodDescriptor<?, ?> m = method(r);
            c = new FuzzCase(m.getFullMethodName(), random.fill(prototype(m), r).toByteArray(), FuzzCase.Kind.RANDOM, "", false, null);
        } else if (k < 85) {
            c = mutations.next(r);
        } else if (k < 97) {
            c = garbage(r);
        } else {
            c = new FuzzCase(UNKNOWN.get(r.nextInt(UNKNOWN.size())), RandomMessages.bytes(r, 32), FuzzCase.Kind.UNKNOWN_METHOD, "", false, null);
        }
        return r.nextInt(10) == 0 ? c.withDbHeader(dbHeader(r)) : c;
    }

    private MethodDescriptor<?, ?> method(Random r) {
        return methods.get(r.nextInt(methods.size()));
    }

    static Message prototype(MethodDescriptor<?, ?> m) {
        return (Message) ((MethodDescriptor.PrototypeMarshaller<?>) m.getRequestMarshaller()).getMessagePrototype();
    }

    static Message responsePrototype(MethodDescriptor<?, ?> m) {
        return (Message) ((MethodDescriptor.PrototypeMarshaller<?>) m.getResponseMarshaller()).getMessagePrototype();
    }

    /** Bytes that need not decode: random, a valid request cut short, one with a flipped byte, or a lying length. */
    private FuzzCase garbage(Random r) {
        MethodDescriptor<?, ?> m = method(r);
        byte[] valid = random.fill(prototype(m), r).toByteArray();
        byte[] body;
        String how;
        switch (r.nextInt(4)) {
            case 0 -> {
                body = RandomMessages.bytes(r, 512);
                how = "random bytes";
            }
            case 1 -> {
                body = valid.length < 2 ? new byte[] {(byte) 0x80} : Arrays.copyOf(valid, 1 + r.nextInt(valid.length - 1));
                how = "truncated";
            }
            case 2 -> {
                body = valid.length == 0 ? new byte[] {0x0f} : valid.clone();
                body[r.nextInt(body.length)] ^= (byte) (1 << r.nextInt(8));
                how = "bit flip";
            }
            default -> {
                body = new byte[] {0x12, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 'x'};
                how = "length beyond the end";
            }
        }
        return new FuzzCase(m.getFullMethodName(), body, FuzzCase.Kind.GARBAGE, how, false, null);
    }

    private FuzzCase oversized(Random r) {
        // a valid insert whose partition name alone is larger than the limit
        String filler = String.valueOf((char) ('a' + r.nextInt(26))).repeat(oversizedBytes);
        byte[] body = Sandbox.insert(Sandbox.SANDBOX, 9_000, 1).setPartitionName(filler).build().toByteArray();
        return new FuzzCase(MilvusServiceGrpc.getInsertMethod().getFullMethodName(), body, FuzzCase.Kind.OVERSIZED, "", true, null);
    }

    private static String dbHeader(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> "";
            case 1 -> "default";
            case 2 -> Sandbox.DATABASE;
            case 3 -> "x".repeat(1 + r.nextInt(1000));
            default -> printable(r, 1 + r.nextInt(40));
        };
    }

    private static String printable(Random r, int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append((char) (0x20 + r.nextInt(0x5f)));
        }
        return s.toString();
    }
}
