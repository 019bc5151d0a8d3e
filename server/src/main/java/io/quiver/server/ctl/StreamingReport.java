package io.quiver.server.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The output of {@code --streaming}: the search phases, the ratio issue 13 asks for, and the insert side. Pure formatting. */
final class StreamingReport {
    /** Issue 13: search QPS while inserting must be at least this share of the idle QPS. */
    static final double REQUIRED_RATIO = 0.9;

    /** The insert side of the streaming phase: the rate asked for, what was achieved, batch latency. */
    record Inserts(int targetRate, PacedInserter.Result result, double p50Ms, double p99Ms) {}

    private StreamingReport() {}

    /** Streaming QPS / idle QPS; NaN when the idle phase had no successful search. */
    static double ratio(CompactionQpsReport.Phase idle, CompactionQpsReport.Phase streaming) {
        return idle.window().qps() <= 0 ? Double.NaN : streaming.window().qps() / idle.window().qps();
    }

    static List<String> lines(CompactionQpsReport.Phase idle, CompactionQpsReport.Phase streaming, Inserts inserts) {
        List<String> out = new ArrayList<>(CompactionQpsReport.table(List.of(idle, streaming)));
        double r = ratio(idle, streaming);
        out.add(Double.isNaN(r) ? "QPS while inserting / QPS idle: n/a (no successful idle search)"
                : String.format(Locale.ROOT, "QPS while inserting / QPS idle: %.1f / %.1f = %.3f (%s %.2f)", streaming.window().qps(),
                        idle.window().qps(), r, r >= REQUIRED_RATIO ? "meets" : "BELOW", REQUIRED_RATIO));
        PacedInserter.Result x = inserts.result();
        out.add(String.format(Locale.ROOT, "inserts: %d rows in %.1f s = %.0f rows/s (target %d), %d failed batches, batch p50 %.2f ms p99 %.2f ms",
                x.rows(), x.seconds(), x.rowsPerSecond(), inserts.targetRate(), x.failedBatches(), inserts.p50Ms(), inserts.p99Ms()));
        return out;
    }
}
