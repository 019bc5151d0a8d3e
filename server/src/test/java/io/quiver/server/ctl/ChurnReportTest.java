package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ChurnReportTest {
    private static final ChurnFigures START = new ChurnFigures(100_000, 100_000, 100_000, 200 << 20, 300 << 20, 2, 4.0, 10.0, 800, 0);
    private static final ChurnFigures END = new ChurnFigures(900_000, 100_000, 150_000, 300 << 20, 900 << 20, 5, 6.0, 25.0, 400, 1);
    private static final ChurnFigures FRESH = new ChurnFigures(100_000, 100_000, 100_000, 150 << 20, -1, 2, 3.0, 8.0, 900, 0);

    private static Map<String, Double> byName(List<ChurnReport.Ratio> rs) {
        return rs.stream().collect(Collectors.toMap(ChurnReport.Ratio::name, ChurnReport.Ratio::value));
    }

    @Test
    void ratiosWithFreshCompare() {
        Map<String, Double> r = byName(ChurnReport.ratios(START, END, FRESH, 300L << 20));
        assertThat(r.get("storage (churned / fresh)")).isCloseTo(3.0, within(1e-9));
        assertThat(r.get("storage (end / start)")).isCloseTo(3.0, within(1e-9));
        assertThat(r.get("querynode entities / live rows (churned)")).isCloseTo(1.5, within(1e-9));
        assertThat(r.get("querynode entities / live rows (fresh)")).isCloseTo(1.0, within(1e-9));
        assertThat(r.get("querynode memory (churned / fresh)")).isCloseTo(2.0, within(1e-9));
        assertThat(r.get("count(*) latency (end / start)")).isCloseTo(1.5, within(1e-9));
        assertThat(r.get("search p99 latency (end / start)")).isCloseTo(2.5, within(1e-9));
        assertThat(r.get("search QPS (end / start)")).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void withoutFreshCompareOnlyTheChurnedRatios() {
        Map<String, Double> r = byName(ChurnReport.ratios(START, END, null, -1));
        assertThat(r).doesNotContainKeys("storage (churned / fresh)", "querynode memory (churned / fresh)");
        assertThat(r).containsKey("storage (end / start)");
        assertThat(r).containsKeys("querynode entities / live rows (churned)", "count(*) latency (end / start)");
    }

    @Test
    void unknownFiguresGiveNotAvailable() {
        assertThat(ChurnReport.div(-1, 5)).isNaN();
        assertThat(ChurnReport.div(5, 0)).isNaN();
        assertThat(ChurnReport.div(5, -1)).isNaN();
        ChurnReport.Ratio storage = byName(ChurnReport.ratios(START, END, FRESH, -1)).entrySet().stream()
                .filter(e -> e.getKey().equals("storage (churned / fresh)")).map(e -> new ChurnReport.Ratio(e.getKey(), e.getValue()))
                .findFirst().orElseThrow();
        assertThat(storage.format()).endsWith("n/a");
        assertThat(new ChurnReport.Ratio("x", 1.23456).format()).endsWith("1.235");
    }

    @Test
    void lineAlignsWithHeaderAndShowsUnknownsAsDash() {
        String line = ChurnReport.line("round 10", END);
        assertThat(line).hasSameSizeAs(ChurnReport.HEADER);
        assertThat(line.split("\\s+")).containsExactly("round", "10", "900000", "100000", "150000", "1.500", "300.0", "900.0", "5", "6.00",
                "25.00", "400", "1");
        String fresh = ChurnReport.line("fresh", FRESH);
        assertThat(fresh.split("\\s+")[6]).isEqualTo("-");
        assertThat(ChurnReport.line("x", new ChurnFigures(0, 0, -1, -1, -1, -1, 0, 0, -1, 0)).split("\\s+"))
                .containsExactly("x", "0", "0", "-", "-", "-", "-", "-", "-", "-", "-", "0");
    }

    @Test
    void tableIsHeaderThenOneLinePerRow() {
        List<String> t = ChurnReport.table(List.of(new ChurnReport.Row("start", START), new ChurnReport.Row("end", END)));
        assertThat(t).hasSize(3);
        assertThat(t.get(0)).isEqualTo(ChurnReport.HEADER);
        assertThat(t.get(2)).startsWith("end ");
    }
}
