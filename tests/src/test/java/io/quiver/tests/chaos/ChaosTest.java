package io.quiver.tests.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The chaos run: a local cluster (two proxies, three querynodes with two replicas, two datanodes) under checker
 * clients while a seeded schedule kills, pauses and cuts off its processes and dependencies (see {@link ChaosRun}).
 * In the normal suite a short run ({@code -Dchaos.minutes}, default 4); long runs with the {@code chaos} profile
 * (docs/benchmarks.md). {@code -Dchaos.seed} replays a schedule. The report table is printed and written to
 * {@code target/chaos/<seed>/report.md}.
 *
 * <p>Asserted: no acknowledged row lost, no duplicate, no stale version, no deleted row visible, no row never
 * written, count(*) equal to the rows read, no acknowledged DDL lost, read-your-writes under Strong, every call
 * succeeding from {@value ChaosRun#QUIET_MS} ms after the last fault, and, unless {@code -Dchaos.assertAvailability=false}
 * (the short run of the normal suite: issue 14 tracks the availability goals, not met yet), the success-rate thresholds
 * during faults (searches with two replicas 0.99, writes 0.95) for every fault kind that does not stop writes by design;
 * the report table always shows the rates.
 */
class ChaosTest {
    @Test
    void acknowledgedWritesSurviveFaults() throws Exception {
        long seed = Long.getLong("chaos.seed", 14L);
        double minutes = Double.parseDouble(System.getProperty("chaos.minutes", "4"));
        int basePort = Integer.getInteger("chaos.basePort", 32000);
        Path dir = Path.of("target", "chaos", seed + "-" + System.currentTimeMillis()).toAbsolutePath();
        System.err.println("chaos: seed=" + seed + " minutes=" + minutes + " dir=" + dir);
        ChaosRun.Result r;
        try (ChaosCluster cluster = new ChaosCluster(dir, basePort)) {
            r = new ChaosRun(cluster, seed, Duration.ofSeconds((long) (minutes * 60)).toMillis(), kinds()).run();
        }
        String report = report(seed, minutes, r);
        System.err.println(report);
        Files.writeString(dir.resolve("report.md"), report);
        StringBuilder failures = new StringBuilder(); // every failed call and every fault, for reading a run afterwards
        r.log().faults().forEach(f -> failures.append(f).append('\n'));
        r.log().ops().stream().filter(o -> !o.ok()).forEach(o -> failures.append(o).append('\n'));
        Files.writeString(dir.resolve("failures.txt"), failures);

        assertThat(r.restartFailures()).as("processes that failed to start again").isEmpty();
        assertThat(r.verdict().examples()).as("data violations (seed %d)", seed).isEmpty();
        assertThat(r.verdict().ok()).isTrue();
        assertThat(r.countStar()).as("count(*) vs rows read").isEqualTo(r.visibleCount());
        assertThat(r.ddlLost()).as("acknowledged DDL lost").isEmpty();
        assertThat(r.readYourWritesViolations()).as("Strong read after an acknowledged insert missed it").isZero();
        assertThat(r.quietFailures()).as("failed calls %d s after the last fault", ChaosRun.QUIET_MS / 1000).isZero();
        if (!Boolean.parseBoolean(System.getProperty("chaos.assertAvailability", "true"))) {
            return;
        }
        for (ChaosLog.KindStats k : r.log().byKind()) {
            assertThat(k.searchRate()).as("search success rate during %s", k.kind()).isGreaterThanOrEqualTo(0.99);
            if (!k.stopsWrites()) {
                assertThat(k.writeRate()).as("write success rate during %s", k.kind()).isGreaterThanOrEqualTo(0.95);
            }
        }
    }

    /** {@code -Dchaos.kinds="pause querynode,kill querycoord"}: only those fault kinds (the report's names); default all. */
    private static Set<String> kinds() {
        String k = System.getProperty("chaos.kinds", "").trim();
        return k.isEmpty() ? Set.of() : Arrays.stream(k.split(",")).map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toSet());
    }

    static String report(long seed, double minutes, ChaosRun.Result r) {
        var v = r.verdict();
        long ops = r.log().ops().size();
        long failed = r.log().ops().stream().filter(o -> !o.ok()).count();
        String reconnects = r.reconnectMs().isEmpty() ? "none"
                : r.reconnectMs().size() + " switches, max " + r.reconnectMs().stream().mapToLong(x -> x).max().orElse(0) + " ms, mean "
                        + (long) r.reconnectMs().stream().mapToLong(x -> x).average().orElse(0) + " ms";
        return String.format(Locale.ROOT, """
                ## Chaos run: seed %d, %.1f minutes, %d rounds
                %s
                calls: %d, failed: %d; rows checked: %d (visible %d, count(*) %d): lost %d, stale %d, duplicates %d, ghosts %d, \
                deleted visible %d, unknown-outcome writes applied %d; read-your-writes violations %d; DDL lost %s; \
                calls from %d s after the last fault: %d, failed %d; reconnects to the other proxy: %s; failed restarts (retried): %s
                """, seed, minutes, r.rounds(), r.log().table(), ops, failed, v.checked(), r.visibleCount(), r.countStar(), v.lost(),
                v.stale(), v.duplicates(), v.ghosts(), v.deletedVisible(), v.unknownApplied(), r.readYourWritesViolations(),
                r.ddlLost(), ChaosRun.QUIET_MS / 1000, r.quietOps(), r.quietFailures(), reconnects, r.restartFailures());
    }
}
