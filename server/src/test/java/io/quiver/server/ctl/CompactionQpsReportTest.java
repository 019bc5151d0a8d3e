package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompactionQpsReportTest {
    private static CompactionQpsReport.Phase phase(String label, double qps, double cpu) {
        return new CompactionQpsReport.Phase(label, new SearchSamples.Window(30, (long) (qps * 30), 0, 0, qps, 4.25, 12.5), cpu);
    }

    @Test
    void ratioIsDuringOverIdle() {
        assertThat(CompactionQpsReport.ratio(phase("idle", 200, 0.5), phase("during", 170, 0.9))).isCloseTo(0.85, within(1e-9));
        assertThat(CompactionQpsReport.ratio(phase("idle", 0, 0.5), phase("during", 170, 0.9))).isNaN();
    }

    @Test
    void ratioLineSaysWhetherItMeetsTheIssuesBar() {
        assertThat(CompactionQpsReport.ratioLine(phase("idle", 200, 0.5), phase("during", 170, 0.9)))
                .isEqualTo("QPS during compaction / QPS idle: 170.0 / 200.0 = 0.850 (meets 0.80)");
        assertThat(CompactionQpsReport.ratioLine(phase("idle", 200, 0.5), phase("during", 150, 0.9)))
                .isEqualTo("QPS during compaction / QPS idle: 150.0 / 200.0 = 0.750 (BELOW 0.80)");
        assertThat(CompactionQpsReport.ratioLine(phase("idle", 0, 0.5), phase("during", 1, 0.9))).contains("n/a");
    }

    @Test
    void tableHasAHeaderAndOneAlignedLinePerPhase() {
        List<String> t = CompactionQpsReport.table(List.of(phase("1 idle", 200, 0.456), phase("2 during compaction", 170, Double.NaN)));
        assertThat(t).hasSize(3);
        assertThat(t.get(0)).startsWith("phase").contains("seconds", "QPS", "p50 ms", "p99 ms", "failed", "deleted", "srv CPU");
        assertThat(t.get(1)).isEqualTo(String.format("%-26s %8s %9s %9s %9s %7s %9s %8s", "1 idle", "30.0", "200.0", "4.25", "12.50", "0", "0",
                "46 %"));
        assertThat(t.get(2)).startsWith("2 during compaction").endsWith(" -");
        assertThat(t.get(1)).hasSameSizeAs(t.get(0));
        assertThat(t.get(2)).hasSameSizeAs(t.get(0));
    }
}
