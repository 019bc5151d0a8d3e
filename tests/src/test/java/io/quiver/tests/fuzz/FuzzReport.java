package io.quiver.tests.fuzz;

import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** What a fuzz run saw: calls per kind and method, answers by code, the slowest call, and every finding. */
final class FuzzReport {
    /** One call the oracle rejected, with what reproduces it. */
    record Finding(long seed, long index, String call, String problem) {
        @Override
        public String toString() {
            return "seed=" + seed + " index=" + index + " " + call + ": " + problem;
        }
    }

    private static final int KEEP_FINDINGS = 200;
    private final long seed;
    private final Map<FuzzCase.Kind, Long> kinds = new EnumMap<>(FuzzCase.Kind.class);
    private final Map<String, Long> methods = new TreeMap<>();
    private final Map<Code, Long> grpcErrors = new EnumMap<>(Code.class);
    private final Map<Integer, Long> milvusCodes = new TreeMap<>();
    private final List<Finding> findings = new ArrayList<>();
    private long calls;
    private long findingCount;
    private long slowestNanos;
    private String slowest = "";

    FuzzReport(long seed) {
        this.seed = seed;
    }

    synchronized void record(long index, FuzzCase c, long nanos, String problem) {
        calls++;
        kinds.merge(c.kind(), 1L, Long::sum);
        methods.merge(c.method().substring(c.method().indexOf('/') + 1), 1L, Long::sum);
        if (nanos > slowestNanos) {
            slowestNanos = nanos;
            slowest = "index=" + index + " " + c.describe();
        }
        if (problem != null) {
            findingCount++;
            if (findings.size() < KEEP_FINDINGS) {
                findings.add(new Finding(seed, index, c.describe(), problem));
            }
        }
    }

    synchronized void grpcError(Code code) {
        grpcErrors.merge(code, 1L, Long::sum);
    }

    synchronized void milvusCode(int code) {
        milvusCodes.merge(code, 1L, Long::sum);
    }

    synchronized long calls() {
        return calls;
    }

    synchronized long findingCount() {
        return findingCount;
    }

    synchronized List<Finding> findings() {
        return List.copyOf(findings);
    }

    synchronized Map<String, Long> methods() {
        return Map.copyOf(methods);
    }

    synchronized String summary() {
        return "seed=" + seed + " calls=" + calls + " findings=" + findingCount + " kinds=" + kinds + " methods=" + methods.size()
                + " grpcErrors=" + grpcErrors + " milvusCodes=" + milvusCodes
                + " slowest=" + TimeUnit.NANOSECONDS.toMillis(slowestNanos) + "ms (" + slowest + ")";
    }
}
