package io.quiver.server.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The churn benchmark's output: one fixed-width line per measurement, the final table and the ratios. Pure formatting. */
final class ChurnReport {
    /** A named ratio; NaN when a figure is unknown or the denominator is zero. */
    record Ratio(String name, double value) {
        String format() {
            return String.format(Locale.ROOT, "  %-42s %s", name, Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.3f", value));
        }
    }

    /** A labelled measurement (a table row). */
    record Row(String label, ChurnFigures figures) {}

    static final String HEADER = String.format(Locale.ROOT, "%-10s %12s %10s %12s %8s %10s %11s %8s %9s %10s %9s %5s", "at", "written",
            "live", "qn entities", "ent/live", "qn mem MiB", "stored MiB", "flushed", "count ms", "search p99", "srch qps", "bad");

    private ChurnReport() {}

    static String line(String label, ChurnFigures f) {
        return String.format(Locale.ROOT, "%-10s %12d %10d %12s %8s %10s %11s %8s %9s %10s %9s %5d", label, f.rowsWritten(), f.liveRows(),
                known(f.qnEntities()), ratio(f.qnEntities(), f.liveRows()), mib(f.qnMemoryBytes()), mib(f.bytesStored()),
                known(f.flushedSegments()), ms(f.countMs()), ms(f.searchP99Ms()), f.searchQps() < 0 ? "-" : String.format(Locale.ROOT, "%.0f", f.searchQps()),
                f.badRounds());
    }

    static List<String> table(List<Row> rows) {
        List<String> out = new ArrayList<>();
        out.add(HEADER);
        rows.forEach(r -> out.add(line(r.label(), r.figures())));
        return out;
    }

    /**
     * The ratios issue 10 asks for. {@code fresh} and {@code freshBytes} may be null / -1 (no --fresh-compare).
     *
     * @param start the measurement before churn
     * @param end the final measurement of the churned collection
     * @param freshBytes bytes the fresh collection added to the measured directories
     */
    static List<Ratio> ratios(ChurnFigures start, ChurnFigures end, ChurnFigures fresh, long freshBytes) {
        List<Ratio> out = new ArrayList<>();
        // at the start the measured directories hold a fresh load of the live rows (when they held nothing else):
        // unlike the fresh collection's added bytes, not reduced by garbage collection running while it loads
        out.add(new Ratio("storage (end / start)", div(end.bytesStored(), start.bytesStored())));
        if (fresh != null) {
            out.add(new Ratio("storage (churned / fresh)", div(end.bytesStored(), freshBytes)));
        }
        out.add(new Ratio("querynode entities / live rows (churned)", div(end.qnEntities(), end.liveRows())));
        if (fresh != null) {
            out.add(new Ratio("querynode entities / live rows (fresh)", div(fresh.qnEntities(), fresh.liveRows())));
            out.add(new Ratio("querynode memory (churned / fresh)", div(end.qnMemoryBytes(), fresh.qnMemoryBytes())));
        }
        out.add(new Ratio("count(*) latency (end / start)", div(end.countMs(), start.countMs())));
        out.add(new Ratio("search p99 latency (end / start)", div(end.searchP99Ms(), start.searchP99Ms())));
        out.add(new Ratio("search QPS (end / start)", div(end.searchQps(), start.searchQps())));
        return out;
    }

    static double div(double a, double b) {
        return a < 0 || b <= 0 ? Double.NaN : a / b;
    }

    private static String ratio(long a, long b) {
        double r = div(a, b);
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r);
    }

    private static String known(long v) {
        return v < 0 ? "-" : Long.toString(v);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    private static String ms(double v) {
        return v <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
