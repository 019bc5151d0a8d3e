package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CompactionProgressTest {
    private static final long S = 1_000_000_000L;

    @Test
    void settlesOnlyAfterExecutingEndsAndTheSegmentsStayUnchangedForTheSettleTime() {
        CompactionProgress p = new CompactionProgress(0, 10 * S, Set.of(1L, 2L, 3L), Set.of(1L, 2L, 3L));
        p.observe(1 * S, true, Set.of(1L, 2L, 3L), Set.of(1L, 2L, 3L));
        p.observe(5 * S, false, Set.of(4L), Set.of(1L, 2L, 3L)); // committed, not handed off yet
        assertThat(p.executingSeconds()).isCloseTo(5.0, within(1e-9));
        p.observe(8 * S, false, Set.of(4L), Set.of(4L)); // handed off
        p.observe(17 * S, false, Set.of(4L), Set.of(4L));
        assertThat(p.settled()).isFalse();
        p.observe(18 * S, false, Set.of(4L), Set.of(4L));
        assertThat(p.settled()).isTrue();
        assertThat(p.activityEndNanos()).isEqualTo(8 * S);
        assertThat(p.segmentsChanged()).isTrue();
        assertThat(p.handedOff()).isTrue();
    }

    @Test
    void stillExecutingNeverSettles() {
        CompactionProgress p = new CompactionProgress(0, S, Set.of(1L), Set.of(1L));
        p.observe(100 * S, true, Set.of(1L), Set.of(1L));
        assertThat(p.settled()).isFalse();
        assertThat(p.executingSeconds()).isEqualTo(-1);
        assertThat(p.activityEndNanos()).isEqualTo(100 * S);
    }

    @Test
    void nothingToCompactSettlesAfterTheSettleTimeWithoutChange() {
        CompactionProgress p = new CompactionProgress(0, 10 * S, Set.of(1L), Set.of(1L));
        p.observe(S, false, Set.of(1L), Set.of(1L));
        p.observe(11 * S, false, Set.of(1L), Set.of(1L));
        assertThat(p.settled()).isTrue();
        assertThat(p.segmentsChanged()).isFalse();
        assertThat(p.activityEndNanos()).isEqualTo(S);
    }

    @Test
    void neverSettlesWhileTheResultsAreNotHandedOff() {
        CompactionProgress p = new CompactionProgress(0, S, Set.of(1L), Set.of(1L));
        p.observe(S, false, Set.of(2L), Set.of(1L));
        p.observe(100 * S, false, Set.of(2L), Set.of(1L));
        assertThat(p.handedOff()).isFalse();
        assertThat(p.settled()).isFalse();
    }
}
