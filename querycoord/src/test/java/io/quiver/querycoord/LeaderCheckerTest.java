package io.quiver.querycoord;

import static io.quiver.querycoord.Fixtures.channel;
import static io.quiver.querycoord.Fixtures.dist;
import static io.quiver.querycoord.Fixtures.snapshot;
import static io.quiver.querycoord.Fixtures.target;
import static io.quiver.querycoord.Fixtures.view;
import static io.quiver.querycoord.Fixtures.watching;
import static io.quiver.querycoord.InMemoryQueryCluster.COLL;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaderCheckerTest {
    private final LeaderChecker checker = new LeaderChecker(1000);
    private final CollectionTarget target = target(List.of(channel("v0", 0), channel("v1", 0)));

    @Test
    void aShardWithoutLeaderGoesToTheMemberLeadingFewest() {
        RoundSnapshot s = snapshot(0, target, dist(1, List.of(watching("v0", true)), List.of()), dist(2, List.of(), List.of()));
        LeaderChecker.Leaders l = checker.check(view(s, 1, 1L, 2L), target, Map.of("v0", 1L), Map.of(), Map.of(1L, 1, 2L, 0), 0);
        assertThat(l.leaderOf()).isEqualTo(Map.of("v0", 1L, "v1", 2L));
        assertThat(l.actions()).containsExactly(new Action.WatchChannel(new ShardNode(COLL, "v1", 2), 1, target, channel("v1", 0)));
        assertThat(l.done()).isEqualTo(1);
        assertThat(l.reason()).contains("starting on querynode 2");
        assertThat(l.channelsOnNode()).containsEntry(2L, 1);
    }

    @Test
    void balanceStartsOneHandoffAndReleaseWaitsForTheGrace() {
        RoundSnapshot s = snapshot(0, target, dist(1, List.of(watching("v0", true), watching("v1", true)), List.of()),
                dist(2, List.of(), List.of()));
        ReplicaView v = view(s, 1, 1L, 2L);
        LeaderChecker.Leaders l = checker.balance(v, target, checker.check(v, target, Map.of(), Map.of(), Map.of(1L, 2, 2L, 0), 0));
        assertThat(l.moves()).hasSize(1);
        LeaderMove mv = l.moves().values().iterator().next();
        assertThat(mv).isEqualTo(new LeaderMove(1, 2, 0));
        assertThat(l.actions()).singleElement().isInstanceOf(Action.WatchChannel.class);

        // the new leader serves: the switch; the old one keeps the channel for the grace period, then goes
        String moved = l.moves().keySet().iterator().next();
        RoundSnapshot later = snapshot(5000, target, dist(1, List.of(watching("v0", true), watching("v1", true)), List.of()),
                dist(2, List.of(watching(moved, true)), List.of()));
        ReplicaView lv = view(later, 1, 1L, 2L);
        LeaderChecker.Leaders switched = checker.check(lv, target, Map.of(), l.moves(), Map.of(), 5000);
        assertThat(switched.leaderOf()).containsEntry(moved, 2L);
        assertThat(checker.release(lv, target, switched, 5500).actions()).isEmpty();
        LeaderChecker.Release done = checker.release(lv, target, switched, 6000);
        assertThat(done.actions()).containsExactly(new Action.UnwatchChannel(new ShardNode(COLL, moved, 1)));
        assertThat(done.moves()).isEmpty();
    }
}
