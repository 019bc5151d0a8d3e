package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChurnOptionsTest {
    @Test
    void defaultsAreTheIssuesRun() {
        ChurnOptions o = ChurnOptions.parse(new String[0]);
        assertThat(o.address()).isEqualTo("127.0.0.1:19530");
        assertThat(o.dim()).isEqualTo(64);
        assertThat(o.metric()).isEqualTo("COSINE");
        assertThat(o.preload()).isEqualTo(100_000);
        assertThat(o.durationSeconds()).isEqualTo(600);
        assertThat(o.upsertPercent()).isEqualTo(5);
        assertThat(o.deletePercent()).isEqualTo(2.5);
        assertThat(o.insertPercent()).isEqualTo(2.5);
        assertThat(o.reportEvery()).isEqualTo(10);
        assertThat(o.qpsSeconds()).isEqualTo(2);
        assertThat(o.qpsThreads()).isEqualTo(4);
        assertThat(o.finalWaitSeconds()).isZero();
        assertThat(o.freshCompare()).isFalse();
        assertThat(o.measureDirs()).isEmpty();
        assertThat(o.metricsAddress()).isNull();
        assertThat(o.roundIntervalSeconds()).isEqualTo(6); // the issue's run: a round every ~8 s including its reads
    }

    @Test
    void everyOptionMaps() {
        ChurnOptions o = ChurnOptions.parse(("--address h:1 --collection c --dim 8 --metric l2 --preload 5 --duration 7 --upsert-pct 10"
                + " --delete-pct 1 --insert-pct 3 --report-every 2 --sample 4 --qps-seconds 0.5 --qps-threads 2 --measure-dir /a"
                + " --measure-dir /b --metrics-address m:9 --final-wait 30 --fresh-compare --seed 42 --batch 100 --ef 64 --shards 1"
                + " --round-interval 7.5").split(" "));
        assertThat(o).isEqualTo(new ChurnOptions("h:1", "c", 8, "L2", 5, 7, 10, 1, 3, 2, 4, 0.5, 2,
                List.of(Path.of("/a"), Path.of("/b")), "m:9", 30, true, 42, 100, 64, 1, 7.5));
    }

    @Test
    void badInputIsRejectedWithAMessage() {
        assertThatThrownBy(() -> ChurnOptions.parse(new String[] {"--bogus", "1"})).hasMessageContaining("unknown argument --bogus");
        assertThatThrownBy(() -> ChurnOptions.parse(new String[] {"--dim"})).hasMessageContaining("missing value for --dim");
        assertThatThrownBy(() -> ChurnOptions.parse(new String[] {"--dim", "x"})).hasMessageContaining("not a number for --dim");
        assertThatThrownBy(() -> ChurnOptions.parse(new String[] {"--metric", "HAMMING"})).hasMessageContaining("--metric");
        assertThatThrownBy(() -> ChurnOptions.parse(new String[] {"--upsert-pct", "80", "--delete-pct", "30"})).hasMessageContaining("<= 100");
    }

    @Test
    void helpAndBadArgumentsThroughLoadTest() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        assertThat(LoadTest.main(new String[] {"--churn", "--help"}, out)).isZero();
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("quiver loadtest --churn").contains("--fresh-compare");
        assertThat(LoadTest.main(new String[] {"--churn", "--preload", "-1"}, out)).isEqualTo(2);
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("--preload must be >= 0");
    }
}
