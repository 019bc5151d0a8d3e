package io.quiver.querycoord;

import static io.quiver.querycoord.Fixtures.channel;
import static io.quiver.querycoord.Fixtures.dist;
import static io.quiver.querycoord.Fixtures.holding;
import static io.quiver.querycoord.Fixtures.snapshot;
import static io.quiver.querycoord.Fixtures.target;
import static io.quiver.querycoord.Fixtures.view;
import static io.quiver.querycoord.InMemoryQueryCluster.COLL;
import static io.quiver.querycoord.InMemoryQueryCluster.segment;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SegmentCheckerTest {
    private final SegmentChecker checker = new SegmentChecker();

    @Test
    void aMissingSegmentGoesToTheEmptiestMemberWhereItDidNotFail() {
        CollectionTarget t = target(List.of(channel("v0", 0)), segment(1, "v0", 100, 1), segment(2, "v0", 100, 1));
        RoundSnapshot s = snapshot(0, t, dist(1, List.of(), List.of(holding(1, "v0", 100, 1))), dist(2, List.of(), List.of()),
                dist(3, List.of(), List.of()));
        SegmentChecker.Placement p = checker.check(view(s, 1, 1L, 2L, 3L), t, Map.of(), Map.of(new NodeSegment(2, 2), "no memory"));
        assertThat(p.keep()).isEqualTo(Map.of(1L, 1L, 2L, 3L));
        assertThat(p.actions()).containsExactly(new Action.LoadSegment(new ReplicaSegment(COLL, 1, 2), 3, Action.LoadPurpose.PLACE, t,
                t.flushedById().get(2L)));
        assertThat(p.done()).isEqualTo(2);
        assertThat(p.placedAll()).isTrue();
    }

    @Test
    void aSegmentEveryMemberFailedToLoadIsReportedAndRetriedAfresh() {
        CollectionTarget t = target(List.of(channel("v0", 0)), segment(2, "v0", 100, 1));
        RoundSnapshot s = snapshot(0, t, dist(1, List.of(), List.of()));
        SegmentChecker.Placement p = checker.check(view(s, 1, 1L), t, Map.of(), Map.of(new NodeSegment(1, 2), "no memory"));
        assertThat(p.placedAll()).isFalse();
        assertThat(p.giveUp()).containsExactly(2L);
        assertThat(p.reason()).contains("segment 2").contains("no memory");
        assertThat(p.actions()).isEmpty();
    }

    @Test
    void aCopyWithAnOlderManifestIsRefreshedWhereItIs() {
        CollectionTarget t = target(List.of(channel("v0", 0)), segment(1, "v0", 100, 2));
        RoundSnapshot s = snapshot(0, t, dist(1, List.of(), List.of(holding(1, "v0", 100, 1))));
        SegmentChecker.Placement p = checker.check(view(s, 1, 1L), t, Map.of(), Map.of());
        assertThat(p.actions()).containsExactly(new Action.LoadSegment(new ReplicaSegment(COLL, 1, 1), 1, Action.LoadPurpose.REFRESH, t,
                t.flushedById().get(1L)));
        assertThat(p.done()).isEqualTo(1);
    }

    @Test
    void segmentsOutsideTheTargetAreReleasedExceptInputsStillServed() {
        CollectionTarget t = target(List.of(channel("v0", 0)), segment(30, "v0", 300, 1, 1L, 2L));
        RoundSnapshot s = snapshot(0, t, dist(1, List.of(), List.of(holding(1, "v0", 100, 1), holding(2, "v0", 200, 1), holding(9, "v0", 5, 1))));
        List<Action> a = checker.releaseOutside(s, t, Set.of(1L), true, Set.of(new NodeSegment(1, 1), new NodeSegment(1, 2)));
        assertThat(a).containsExactly(new Action.ReleaseSegments(COLL, 1, List.of(9L)));
    }

    @Test
    void anExtraCopyIsReleasedAndItsMoveForgotten() {
        CollectionTarget t = target(List.of(channel("v0", 0)), segment(1, "v0", 100, 1));
        RoundSnapshot s = snapshot(0, t, dist(1, List.of(), List.of(holding(1, "v0", 100, 1))), dist(2, List.of(), List.of(holding(1, "v0", 100, 1))));
        ReplicaView v = view(s, 1, 1L, 2L);
        SegmentChecker.Placement p = checker.releaseCopies(v, checker.check(v, t, Map.of(1L, 2L), Map.of()));
        assertThat(p.keep()).isEqualTo(Map.of(1L, 2L));
        assertThat(p.moving()).isEmpty();
        assertThat(p.actions()).containsExactly(new Action.ReleaseSegments(COLL, 1, List.of(1L)));
    }
}
