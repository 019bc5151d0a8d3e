package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingReportTest {
    private static CompactionQpsReport.Phase phase(String label, double qps) {
        return new CompactionQpsReport.Phase(label, new SearchSamples.Window(30, (long) (qps * 30), 0, 0, qps, 2.5, 9.75), Double.NaN);
    }

    private static final StreamingReport.Inserts INSERTS =
            new StreamingReport.Inserts(1000, new PacedInserter.Result(29_900, 0, 30.0, 996.7), 3.25, 12.5);

    @Test
    void ratioIsStreamingOverIdle() {
        assertThat(StreamingReport.ratio(phase("idle", 400), phase("streaming", 380))).isCloseTo(0.95, within(1e-9));
        assertThat(StreamingReport.ratio(phase("idle", 0), phase("streaming", 380))).isNaN();
    }

    @Test
    void linesHoldBothPhasesTheRatioAndTheInsertRate() {
        List<String> l = StreamingReport.lines(phase("1 idle", 400), phase("2 streaming inserts", 340), INSERTS);
        assertThat(l).hasSize(5);
        assertThat(l.get(0)).startsWith("phase");
        assertThat(l.get(1)).startsWith("1 idle");
        assertThat(l.get(2)).startsWith("2 streaming inserts");
        assertThat(l.get(3)).isEqualTo("QPS while inserting / QPS idle: 340.0 / 400.0 = 0.850 (BELOW 0.90)");
        assertThat(l.get(4)).isEqualTo("inserts: 29900 rows in 30.0 s = 997 rows/s (target 1000), 0 failed batches, batch p50 3.25 ms p99 12.50 ms");
        assertThat(StreamingReport.lines(phase("1 idle", 400), phase("2", 380), INSERTS).get(3)).endsWith("(meets 0.90)");
    }
}
