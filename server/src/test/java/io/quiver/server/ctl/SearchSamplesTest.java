package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SearchSamplesTest {
    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void windowCountsOnlyTheSearchesThatEndedInIt() {
        SearchSamples s = new SearchSamples();
        for (int i = 1; i <= 100; i++) {
            s.ok(10 * S + i * 10 * MS, i * MS); // 100 searches ending in [10 s, 11 s], latencies 1..100 ms
        }
        s.ok(5 * S, 999 * MS); // before the window
        s.failed(10 * S + 500 * MS);
        s.failed(20 * S);
        s.violation(10 * S + 1);
        SearchSamples.Window w = s.window(10 * S, 12 * S);
        assertThat(w.seconds()).isCloseTo(2.0, within(1e-9));
        assertThat(w.ok()).isEqualTo(100);
        assertThat(w.qps()).isCloseTo(50.0, within(1e-9));
        assertThat(w.p50Ms()).isCloseTo(50.0, within(1e-9));
        assertThat(w.p99Ms()).isCloseTo(99.0, within(1e-9));
        assertThat(w.failed()).isEqualTo(1);
        assertThat(w.violations()).isEqualTo(1);
        assertThat(s.failedTotal()).isEqualTo(2);
        assertThat(s.violationsTotal()).isEqualTo(1);
    }

    @Test
    void emptyWindowIsZeros() {
        SearchSamples.Window w = new SearchSamples().window(S, S);
        assertThat(w.qps()).isZero();
        assertThat(w.p99Ms()).isZero();
        assertThat(w.ok()).isZero();
    }

    @Test
    void quantileIsNearestRank() {
        long[] v = {1, 2, 3, 4};
        assertThat(SearchSamples.quantile(v, 4, 0.5)).isEqualTo(2);
        assertThat(SearchSamples.quantile(v, 4, 0.99)).isEqualTo(4);
        assertThat(SearchSamples.quantile(v, 1, 0.99)).isEqualTo(1);
        assertThat(SearchSamples.quantile(v, 0, 0.5)).isZero();
    }

    @Test
    void cpuMeanCoversTheWindowOnly() {
        long[] at = {1, 2, 3, 4};
        double[] v = {0.1, 0.2, 0.4, 0.9};
        assertThat(CpuSampler.mean(at, v, 4, 2, 4)).isCloseTo(0.3, within(1e-9));
        assertThat(CpuSampler.mean(at, v, 4, 5, 9)).isNaN();
    }

    @Test
    void prometheusGaugeIsFractional() {
        String text = "# TYPE process_cpu_usage gauge\nprocess_cpu_usage 0.4375\nprocess_cpu_usage_other 3\n";
        assertThat(ServerFigures.prometheusValue(text, "process_cpu_usage")).isCloseTo(0.4375, within(1e-12));
        assertThat(ServerFigures.prometheusValue(text, "absent")).isNaN();
    }
}
