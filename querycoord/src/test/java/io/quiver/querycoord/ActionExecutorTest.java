package io.quiver.querycoord;

import static io.quiver.querycoord.InMemoryQueryCluster.COLL;
import static io.quiver.querycoord.InMemoryQueryCluster.segment;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.proto.SealedSegmentLocation;
import io.quiver.proto.SessionInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActionExecutorTest {
    private final InMemoryQueryCluster c = new InMemoryQueryCluster(1, "v0");
    private final Map<Long, SessionInfo> nodes = Map.of(1L, c.nodes.get(1L).session);
    private final CollectionTarget t = Fixtures.target(List.of(Fixtures.channel("v0", 0)), segment(5, "v0", 10, 1));
    private final Action load = new Action.LoadSegment(new ReplicaSegment(COLL, 1, 5), 1, Action.LoadPurpose.PLACE, t, t.flushedById().get(5L));
    private final Action sync = new Action.SyncDistribution(new ShardNode(COLL, "v0", 1), 1, new ShardDistribution(
            List.of(SealedSegmentLocation.newBuilder().setSegmentId(5).setNodeId(1).build()), List.of(), 0));
    private final Action release = new Action.ReleaseSegments(COLL, 1, List.of(4L));
    private final Action watch = new Action.WatchChannel(new ShardNode(COLL, "v0", 1), 1, t, Fixtures.channel("v0", 0));

    @Test
    void watchesAndLoadsGoFirstThenSyncsThenReleases() {
        ActionExecutor.Report r = new ActionExecutor(c).execute(List.of(release, sync, load, watch), nodes);
        assertThat(r.failures()).isEmpty();
        assertThat(r.synced()).containsExactly((Action.SyncDistribution) sync);
        assertThat(c.log).containsExactly("watch 1 v0", "load 1 5 v1", "sync 1 v0 [5] floor=0", "release 1 [4]");
    }

    @Test
    void aSyncLeavesOutACopyWhoseLoadFailed() {
        c.refuse.add(new NodeSegment(1, 5));
        ActionExecutor.Report r = new ActionExecutor(c).execute(List.of(watch, load, sync, release), nodes);
        assertThat(r.failures()).singleElement().satisfies(f -> {
            assertThat(f.action()).isEqualTo(load);
            assertThat(f.reason()).contains("no memory");
        });
        assertThat(r.synced()).singleElement().satisfies(s -> assertThat(s.distribution().sealed()).isEmpty());
        assertThat(c.log).containsExactly("watch 1 v0", "sync 1 v0 [] floor=0", "release 1 [4]");
    }

    @Test
    void aFailedSyncHoldsBackTheCollectionsReleases() {
        Action toStranger = new Action.SyncDistribution(new ShardNode(COLL, "v0", 1), 1, new ShardDistribution(List.of(), List.of(), 0));
        ActionExecutor.Report r = new ActionExecutor(c).execute(List.of(toStranger, release), nodes); // node 1 does not watch v0
        assertThat(r.failures()).singleElement().extracting(ActionExecutor.Failure::action).isEqualTo(toStranger);
        assertThat(r.synced()).isEmpty();
        assertThat(c.log).isEmpty();
    }
}
