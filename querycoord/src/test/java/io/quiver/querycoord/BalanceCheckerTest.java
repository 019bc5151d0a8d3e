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
import org.junit.jupiter.api.Test;

class BalanceCheckerTest {
    private final BalanceChecker checker = new BalanceChecker(0.10);
    private final CollectionTarget target = target(List.of(channel("v0", 0)), segment(1, "v0", 100, 1), segment(2, "v0", 100, 1),
            segment(3, "v0", 100, 1), segment(4, "v0", 100, 1));

    @Test
    void oneSegmentMovesFromTheFullestToTheEmptiestMember() {
        RoundSnapshot s = snapshot(0, target, dist(1, List.of(), List.of(holding(1, "v0", 100, 1), holding(2, "v0", 100, 1),
                holding(3, "v0", 100, 1), holding(4, "v0", 100, 1))), dist(2, List.of(), List.of()));
        var move = checker.check(view(s, 1, 1L, 2L), target, Map.of(1L, 1L, 2L, 1L, 3L, 1L, 4L, 1L)).orElseThrow();
        assertThat(move.nodeId()).isEqualTo(2);
        assertThat(move.purpose()).isEqualTo(Action.LoadPurpose.MOVE);
    }

    @Test
    void aBalancedReplicaMovesNothing() {
        RoundSnapshot s = snapshot(0, target, dist(1, List.of(), List.of(holding(1, "v0", 100, 1), holding(2, "v0", 100, 1))),
                dist(2, List.of(), List.of(holding(3, "v0", 100, 1), holding(4, "v0", 100, 1))));
        assertThat(checker.check(view(s, 1, 1L, 2L), target, Map.of(1L, 1L, 2L, 1L, 3L, 2L, 4L, 2L))).isEmpty();
    }
}
