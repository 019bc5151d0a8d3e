package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlagsTest {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    private static final Map<String, String> DEFAULTS = Map.of("--rounds", "300", "--address", "127.0.0.1:19530");

    @Test
    void givenFlagsOverrideDefaults() {
        Flags f = Flags.parse(new String[] {"--rounds", "5"}, DEFAULTS, "usage", out);
        assertThat(f.exit()).isFalse();
        assertThat(f.values()).containsEntry("--rounds", "5").containsEntry("--address", "127.0.0.1:19530");
    }

    @Test
    void helpExitsZeroWithTheUsage() {
        Flags f = Flags.parse(new String[] {"--help"}, DEFAULTS, "usage: x", out);
        assertThat(f.exit()).isTrue();
        assertThat(f.exitCode()).isZero();
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("usage: x");
    }

    @Test
    void unknownFlagOrMissingValueExitsTwoSayingWhich() {
        Flags unknown = Flags.parse(new String[] {"--nope", "1"}, DEFAULTS, "usage", out);
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("unknown argument --nope");
        Flags missing = Flags.parse(new String[] {"--rounds"}, DEFAULTS, "usage", out);
        assertThat(missing.exit()).isTrue();
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("missing value for --rounds");
    }

    @Test
    void numbersAreCheckedWithTheFlagNamed() {
        Flags f = Flags.parse(new String[] {"--rounds", "x"}, DEFAULTS, "usage", out);
        assertThatThrownBy(() -> f.number("--rounds", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a number for --rounds: x");
        Flags zero = Flags.parse(new String[] {"--rounds", "0"}, DEFAULTS, "usage", out);
        assertThatThrownBy(() -> zero.number("--rounds", 1)).hasMessage("--rounds must be >= 1: 0");
        assertThat(Flags.parse(new String[0], DEFAULTS, "usage", out).number("--rounds", 1)).isEqualTo(300);
    }
}
