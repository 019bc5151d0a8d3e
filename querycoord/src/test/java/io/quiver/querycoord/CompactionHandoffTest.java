package io.quiver.querycoord;

import static io.quiver.querycoord.Fixtures.channel;
import static io.quiver.querycoord.Fixtures.dist;
import static io.quiver.querycoord.Fixtures.holding;
import static io.quiver.querycoord.Fixtures.snapshot;
import static io.quiver.querycoord.Fixtures.target;
import static io.quiver.querycoord.Fixtures.view;
import static io.quiver.querycoord.InMemoryQueryCluster.segment;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompactionHandoffTest {
    private final CollectionTarget target = target(List.of(channel("v0", 0)), segment(30, "v0", 300, 1, 1L, 2L));

    @Test
    void heldInputsStayWhileTheResultIsNotHeldInTheReplica() {
        RoundSnapshot s = snapshot(0, target, dist(1, List.of(), List.of(holding(1, "v0", 100, 1))),
                dist(2, List.of(), List.of(holding(2, "v0", 200, 1))));
        CompactionHandoff.Retained r = CompactionHandoff.check(view(s, 1, 1L, 2L), target);
        assertThat(r.inputs()).isEqualTo(Map.of(1L, 1L, 2L, 2L));
        assertThat(r.pendingResults()).isEqualTo(Set.of(30L));
        assertThat(r.retains(2, 2)).isTrue();
        assertThat(r.retains(1, 2)).isFalse();
    }

    @Test
    void nothingIsRetainedOnceTheResultIsHeld() {
        RoundSnapshot s = snapshot(0, target, dist(1, List.of(), List.of(holding(1, "v0", 100, 1), holding(30, "v0", 300, 1))));
        CompactionHandoff.Retained r = CompactionHandoff.check(view(s, 1, 1L), target);
        assertThat(r.inputs()).isEmpty();
        assertThat(r.pendingResults()).isEmpty();
    }

    @Test
    void anInputStillInTheTargetIsServedAsItself() {
        CollectionTarget both = target(List.of(channel("v0", 0)), segment(1, "v0", 100, 1), segment(30, "v0", 300, 1, 1L, 2L));
        assertThat(both.resultOfInput()).containsOnlyKeys(2L);
    }
}
