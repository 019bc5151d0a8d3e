package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamingOptionsTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final int[] exit = {-1};

    @Test
    void defaultsAreTheIssuesStreamingCase() {
        StreamingOptions o = StreamingOptions.parse(new String[0], out, exit);
        assertThat(o).isEqualTo(new StreamingOptions("127.0.0.1:19530", "streaming", 128, 100_000, 5000, 2, 30, 10, 1000, 100, 64, 2, 1, ""));
    }

    @Test
    void everyFlagMaps() {
        StreamingOptions o = StreamingOptions.parse(new String[] {"--address", "h:1", "--collection", "c", "--dim", "384", "--preload", "5000",
                "--batch", "1000", "--threads", "8", "--duration", "20", "--warmup", "0", "--rate", "2000", "--insert-batch", "200", "--ef", "32",
                "--shards", "1", "--seed", "7", "--metrics-address", "h:9091"}, out, exit);
        assertThat(o).isEqualTo(new StreamingOptions("h:1", "c", 384, 5000, 1000, 8, 20, 0, 2000, 200, 32, 1, 7, "h:9091"));
    }

    @Test
    void badInputNamesTheFlag() {
        assertThatThrownBy(() -> StreamingOptions.parse(new String[] {"--rate", "fast"}, out, exit)).hasMessage("not a number for --rate: fast");
        assertThatThrownBy(() -> StreamingOptions.parse(new String[] {"--rate", "0"}, out, exit)).hasMessage("--rate must be >= 1: 0");
        assertThatThrownBy(() -> StreamingOptions.parse(new String[] {"--ef", "5"}, out, exit)).hasMessage("--ef must be >= 10");
    }

    @Test
    void helpAndUnknownFlagsPrintTheUsage() {
        assertThat(StreamingOptions.parse(new String[] {"--help"}, out, exit)).isNull();
        assertThat(exit[0]).isZero();
        assertThat(StreamingOptions.parse(new String[] {"--speed", "1"}, out, exit)).isNull();
        assertThat(exit[0]).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("unknown argument --speed", "quiver loadtest --streaming");
    }
}
