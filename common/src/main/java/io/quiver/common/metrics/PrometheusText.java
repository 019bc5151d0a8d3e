package io.quiver.common.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

/**
 * Prometheus text exposition 0.0.4 written the way Milvus' Go client writes it: a counter named {@code milvus_*}
 * keeps its name (Milvus' counters have no {@code _total}); every other counter ({@code quiver_*},
 * {@code process_cpu_seconds}) gets the conventional {@code _total}. The Java client's own writer always appends
 * {@code _total}, which is why this one exists.
 */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String MILVUS_PREFIX = "milvus_";

    private PrometheusText() {
    }

    public static String write(MetricSnapshots snapshots) {
        StringBuilder out = new StringBuilder(64 * 1024);
        for (MetricSnapshot s : snapshots) {
            if (!s.getDataPoints().isEmpty()) {
                write(out, s);
            }
        }
        return out.toString();
    }

    private static void write(StringBuilder out, MetricSnapshot s) {
        String name = s.getMetadata().getPrometheusName();
        switch (s) {
            case CounterSnapshot c -> {
                String sample = name.startsWith(MILVUS_PREFIX) ? name : name + "_total";
                header(out, sample, s, "counter");
                c.getDataPoints().forEach(d -> sample(out, sample, d.getLabels(), null, null, d.getValue()));
            }
            case GaugeSnapshot g -> {
                header(out, name, s, "gauge");
                g.getDataPoints().forEach(d -> sample(out, name, d.getLabels(), null, null, d.getValue()));
            }
            case HistogramSnapshot h -> {
                header(out, name, s, "histogram");
                for (var d : h.getDataPoints()) {
                    ClassicHistogramBuckets b = d.getClassicBuckets();
                    long cumulative = 0;
                    for (int i = 0; i < b.size(); i++) {
                        cumulative += b.getCount(i);
                        sample(out, name + "_bucket", d.getLabels(), "le", number(b.getUpperBound(i)), cumulative);
                    }
                    sample(out, name + "_sum", d.getLabels(), null, null, d.hasSum() ? d.getSum() : 0);
                    sample(out, name + "_count", d.getLabels(), null, null, d.hasCount() ? d.getCount() : cumulative);
                }
            }
            case SummarySnapshot sm -> {
                header(out, name, s, "summary");
                for (var d : sm.getDataPoints()) {
                    for (Quantile q : d.getQuantiles()) {
                        sample(out, name, d.getLabels(), "quantile", number(q.getQuantile()), q.getValue());
                    }
                    sample(out, name + "_sum", d.getLabels(), null, null, d.hasSum() ? d.getSum() : 0);
                    sample(out, name + "_count", d.getLabels(), null, null, d.hasCount() ? d.getCount() : 0);
                }
            }
            case InfoSnapshot i -> {
                header(out, name + "_info", s, "gauge");
                i.getDataPoints().forEach(d -> sample(out, name + "_info", d.getLabels(), null, null, 1));
            }
            case StateSetSnapshot st -> {
                header(out, name, s, "gauge");
                for (var d : st.getDataPoints()) {
                    for (int k = 0; k < d.size(); k++) {
                        sample(out, name, d.getLabels(), name, d.getName(k), d.isTrue(k) ? 1 : 0);
                    }
                }
            }
            case UnknownSnapshot u -> {
                header(out, name, s, "untyped");
                u.getDataPoints().forEach(d -> sample(out, name, d.getLabels(), null, null, d.getValue()));
            }
            default -> throw new IllegalStateException("unexpected snapshot type " + s.getClass().getName());
        }
    }

    private static void header(StringBuilder out, String name, MetricSnapshot s, String type) {
        String help = s.getMetadata().getHelp();
        if (help != null && !help.isEmpty()) {
            out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        }
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, Labels labels, String extraName, String extraValue, double value) {
        out.append(name);
        if (!labels.isEmpty() || extraName != null) {
            out.append('{');
            String sep = "";
            for (int i = 0; i < labels.size(); i++) {
                out.append(sep).append(labels.getPrometheusName(i)).append("=\"");
                escape(out, labels.getValue(i));
                out.append('"');
                sep = ",";
            }
            if (extraName != null) {
                out.append(sep).append(extraName).append("=\"").append(extraValue).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    private static void escape(StringBuilder out, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** Integral values without a fraction (as Go writes bucket bounds: {@code le="1024"}), infinities as {@code +Inf}. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
