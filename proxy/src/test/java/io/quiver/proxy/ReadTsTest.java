package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proxy.ReadTs.Kind;
import org.junit.jupiter.api.Test;

class ReadTsTest {
    private static final long NOW = 1_000_000L << 18;

    private record FixedClock(long now) implements ReadTs.Clock {
        @Override
        public long staleBy(long ms) {
            return now - (ms << 18);
        }
    }

    /** The TSO cannot be reached (rootcoord killed: its session is gone). */
    private record DownClock(RuntimeException failure) implements ReadTs.Clock {
        @Override
        public long now() {
            throw failure;
        }

        @Override
        public long staleBy(long ms) {
            throw failure;
        }
    }

    private static final ReadTs.Clock DOWN = new DownClock(new QuiverException(ErrorCode.SERVICE_NOT_READY, "rootcoord is not registered yet"));

    @Test
    void eachKindAsTheSdkSentinelsSay() {
        ReadTs.Clock clock = new FixedClock(NOW);
        assertThat(ReadTs.resolve(Kind.STRONG, 0, clock)).isEqualTo(new ReadTs(NOW, NOW, true));
        assertThat(ReadTs.resolve(Kind.SESSION, 12345, clock)).isEqualTo(new ReadTs(12345, 0, false));
        assertThat(ReadTs.resolve(Kind.EVENTUALLY, 1, clock)).isEqualTo(new ReadTs(1, 0, false));
        assertThat(ReadTs.resolve(Kind.BOUNDED, 2, clock)).isEqualTo(new ReadTs(NOW - (ReadTs.BOUNDED_STALENESS_MS << 18), 0, false));
        assertThat(ReadTs.resolve(Kind.SNAPSHOT, 777, clock)).isEqualTo(new ReadTs(777, 777, false));
    }

    @Test
    void strongAndBoundedReadThroughTheWalEndWhileTheTsoIsUnreachable() {
        assertThat(ReadTs.resolve(Kind.STRONG, 0, DOWN)).isEqualTo(ReadTs.atWalEnd());
        assertThat(ReadTs.resolve(Kind.BOUNDED, 2, DOWN)).isEqualTo(ReadTs.atWalEnd());
        assertThat(ReadTs.atWalEnd().strong()).isTrue();
        assertThat(ReadTs.atWalEnd().mvccTs()).isZero();
    }

    @Test
    void iteratorPagesAndOtherTsoErrorsFailWithTheError() {
        assertThatThrownBy(() -> ReadTs.resolve(Kind.SNAPSHOT, 0, DOWN)).hasMessageContaining("rootcoord is not registered yet");
        ReadTs.Clock broken = new DownClock(new QuiverException(ErrorCode.UNEXPECTED, "tso exhausted"));
        assertThatThrownBy(() -> ReadTs.resolve(Kind.STRONG, 0, broken)).hasMessageContaining("tso exhausted");
    }
}
