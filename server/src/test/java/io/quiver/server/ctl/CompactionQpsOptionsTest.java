package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.ConsistencyLevel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CompactionQpsOptionsTest {
    @Test
    void defaultsAreTheIssuesRun() {
        CompactionQpsOptions o = CompactionQpsOptions.parse(new String[0]);
        assertThat(o).isEqualTo(new CompactionQpsOptions("127.0.0.1:19530", "compaction_qps", 128, "L2", 200_000, 5000, 4, 30,
                ConsistencyLevel.Bounded, 30, 1000, 180, 10, 900, null, 1, 64, 2));
    }

    @Test
    void everyOptionMaps() {
        CompactionQpsOptions o = CompactionQpsOptions.parse(("--address h:1 --collection c --dim 8 --metric cosine --preload 500"
                + " --batch 100 --threads 2 --phase-seconds 5 --consistency Strong --delete-pct 12.5 --delete-batch 50 --delete-wait 20"
                + " --settle 3 --timeout 60 --metrics-address m:9 --seed 7 --ef 32 --shards 1").split(" "));
        assertThat(o).isEqualTo(new CompactionQpsOptions("h:1", "c", 8, "COSINE", 500, 100, 2, 5, ConsistencyLevel.Strong, 12.5, 50, 20, 3,
                60, "m:9", 7, 32, 1));
    }

    @Test
    void helpIsNull() {
        assertThat(CompactionQpsOptions.parse(new String[] {"--dim", "8", "--help"})).isNull();
    }

    @Test
    void badInputIsRejectedWithAMessage() {
        assertThatThrownBy(() -> CompactionQpsOptions.parse(new String[] {"--bogus", "1"})).hasMessageContaining("unknown argument --bogus");
        assertThatThrownBy(() -> CompactionQpsOptions.parse(new String[] {"--threads"})).hasMessageContaining("missing value for --threads");
        assertThatThrownBy(() -> CompactionQpsOptions.parse(new String[] {"--dim", "x"})).hasMessageContaining("not a number for --dim");
        assertThatThrownBy(() -> CompactionQpsOptions.parse(new String[] {"--metric", "IP"})).hasMessageContaining("--metric must be L2 or COSINE");
        assertThatThrownBy(() -> CompactionQpsOptions.parse(new String[] {"--consistency", "eventually"}))
                .hasMessageContaining("--consistency must be bounded or strong");
        assertThatThrownBy(() -> CompactionQpsOptions.parse(new String[] {"--delete-pct", "100"})).hasMessageContaining("--delete-pct");
        assertThatThrownBy(() -> CompactionQpsOptions.parse(new String[] {"--delete-pct", "0"})).hasMessageContaining("--delete-pct");
        assertThatThrownBy(() -> CompactionQpsOptions.parse(new String[] {"--preload", "0"})).hasMessageContaining("--preload must be > 0");
        assertThatThrownBy(() -> CompactionQpsOptions.parse(new String[] {"--phase-seconds", "0"})).hasMessageContaining("--phase-seconds");
        assertThatThrownBy(() -> CompactionQpsOptions.parse(new String[] {"--ef", "5"})).hasMessageContaining("--ef must be >= 10");
        assertThatThrownBy(() -> CompactionQpsOptions.parse(new String[] {"--collection", " "})).hasMessageContaining("--collection");
    }

    @Test
    void helpAndBadArgumentsThroughLoadTest() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        assertThat(LoadTest.main(new String[] {"--compaction-qps", "--help"}, out)).isZero();
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("quiver loadtest --compaction-qps").contains("--phase-seconds");
        assertThat(LoadTest.main(new String[] {"--compaction-qps", "--threads", "0"}, out)).isEqualTo(2);
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("--threads must be > 0");
        buf.reset();
        assertThat(LoadTest.main(new String[] {"--help"}, out)).isZero();
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("--compaction-qps --help");
    }

    @Test
    void deletesArePickedFromEveryPartOfTheIdsSortedAndReproducibly() {
        long[] ids = new long[100_000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i + 1;
        }
        long[] picked = CompactionQps.pickDeletes(ids, 30, 2);
        assertThat(picked).isSorted().doesNotHaveDuplicates().isEqualTo(CompactionQps.pickDeletes(ids, 30, 2));
        assertThat(picked.length).isBetween(29_000, 31_000);
        for (int part = 0; part < 10; part++) { // every tenth of the ids (so every segment) loses about 30 %
            long lo = part * 10_000L;
            long inPart = Arrays.stream(picked).filter(x -> x > lo && x <= lo + 10_000).count();
            assertThat(inPart).isBetween(2_700L, 3_300L);
        }
    }
}
