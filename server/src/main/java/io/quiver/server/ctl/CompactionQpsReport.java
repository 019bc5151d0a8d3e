package io.quiver.server.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The output of {@code --compaction-qps}: one table of the search phases and the ratio issue 10 asks for. Pure formatting. */
final class CompactionQpsReport {
    /** Issue 10: QPS during compaction must be at least this share of the idle QPS. */
    static final double REQUIRED_RATIO = 0.8;

    /** One table row: a labelled window of searches and the server's mean CPU share (0..1, NaN when unknown). */
    record Phase(String label, SearchSamples.Window window, double cpu) {}

    static final String HEADER = String.format(Locale.ROOT, "%-26s %8s %9s %9s %9s %7s %9s %8s", "phase", "seconds", "QPS", "p50 ms",
            "p99 ms", "failed", "deleted", "srv CPU");

    private CompactionQpsReport() {}

    static String line(Phase p) {
        SearchSamples.Window w = p.window();
        return String.format(Locale.ROOT, "%-26s %8.1f %9.1f %9.2f %9.2f %7d %9d %8s", p.label(), w.seconds(), w.qps(), w.p50Ms(), w.p99Ms(),
                w.failed(), w.violations(), Double.isNaN(p.cpu()) ? "-" : String.format(Locale.ROOT, "%.0f %%", p.cpu() * 100));
    }

    static List<String> table(List<Phase> phases) {
        List<String> out = new ArrayList<>();
        out.add(HEADER);
        phases.forEach(p -> out.add(line(p)));
        return out;
    }

    /** QPS during / QPS idle; NaN when the idle phase had no successful search. */
    static double ratio(Phase idle, Phase during) {
        return idle.window().qps() <= 0 ? Double.NaN : during.window().qps() / idle.window().qps();
    }

    static String ratioLine(Phase idle, Phase during) {
        double r = ratio(idle, during);
        if (Double.isNaN(r)) {
            return "QPS during compaction / QPS " + idle.label() + ": n/a (no successful idle search)";
        }
        return String.format(Locale.ROOT, "QPS during compaction / QPS %s: %.1f / %.1f = %.3f (%s %.2f)", idle.label(), during.window().qps(),
                idle.window().qps(), r, r >= REQUIRED_RATIO ? "meets" : "BELOW", REQUIRED_RATIO);
    }
}
