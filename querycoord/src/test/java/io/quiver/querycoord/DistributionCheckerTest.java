package io.quiver.querycoord;

import static io.quiver.querycoord.Fixtures.channel;
import static io.quiver.querycoord.Fixtures.dist;
import static io.quiver.querycoord.Fixtures.holding;
import static io.quiver.querycoord.Fixtures.snapshot;
import static io.quiver.querycoord.Fixtures.target;
import static io.quiver.querycoord.Fixtures.view;
import static io.quiver.querycoord.Fixtures.watching;
import static io.quiver.querycoord.InMemoryQueryCluster.COLL;
import static io.quiver.querycoord.InMemoryQueryCluster.segment;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.proto.SealedSegmentLocation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DistributionCheckerTest {
    private final DistributionChecker checker = new DistributionChecker();
    private final ShardNode leader = new ShardNode(COLL, "v0", 1);

    private List<Action> check(CollectionTarget t, RoundSnapshot s, Map<Long, Long> keep, Map<ShardNode, ShardDistribution> last,
                               Map<String, Long> previousFloor) {
        ReplicaView v = view(s, 1, 1L);
        return checker.check(v, t, s.nodes(), Map.of("v0", 1L), Map.of("v0", List.of(1L)), keep, CompactionHandoff.check(v, t), last,
                previousFloor);
    }

    private static ShardDistribution only(List<Action> actions) {
        assertThat(actions).singleElement().isInstanceOf(Action.SyncDistribution.class);
        return ((Action.SyncDistribution) actions.getFirst()).distribution();
    }

    @Test
    void theFloorGoesWithADistributionLoadedFromTheTargetManifests() {
        CollectionTarget t = target(List.of(channel("v0", 500)), segment(1, "v0", 100, 2), segment(2, "v0", 100, 1));
        RoundSnapshot s = snapshot(0, t, dist(1, List.of(watching("v0", true)), List.of(holding(1, "v0", 100, 2))));
        ShardDistribution d = only(check(t, s, Map.of(1L, 1L, 2L, 1L), Map.of(), Map.of())); // 2 loads this round
        assertThat(d.sealed()).extracting(SealedSegmentLocation::getSegmentId).containsExactly(1L, 2L);
        assertThat(d.deleteFloorTs()).isEqualTo(500);
        assertThat(check(t, s, Map.of(1L, 1L, 2L, 1L), Map.of(leader, d), Map.of())).isEmpty();
    }

    @Test
    void anOlderManifestKeepsThePreviousFloor() {
        CollectionTarget t = target(List.of(channel("v0", 500)), segment(1, "v0", 100, 2));
        RoundSnapshot s = snapshot(0, t, dist(1, List.of(watching("v0", true)), List.of(holding(1, "v0", 100, 1))));
        assertThat(only(check(t, s, Map.of(1L, 1L), Map.of(), Map.of("v0", 200L))).deleteFloorTs()).isEqualTo(200);
    }

    @Test
    void inputsAreNamedInsteadOfAResultNotYetHeld() {
        CollectionTarget t = target(List.of(channel("v0", 500)), segment(30, "v0", 300, 1, 1L, 2L));
        RoundSnapshot s = snapshot(0, t, dist(1, List.of(watching("v0", true)), List.of(holding(1, "v0", 100, 1), holding(2, "v0", 200, 1))));
        ShardDistribution d = only(check(t, s, Map.of(30L, 1L), Map.of(), Map.of()));
        assertThat(d.sealed()).extracting(SealedSegmentLocation::getSegmentId).containsExactly(1L, 2L);
        assertThat(d.sealed()).extracting(SealedSegmentLocation::getNumRows).containsExactly(100L, 200L);
        assertThat(d.deleteFloorTs()).isZero();
    }
}
