package io.quiver.querycoord;

import static io.quiver.querycoord.InMemoryQueryCluster.COLL;
import static io.quiver.querycoord.InMemoryQueryCluster.segment;
import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.LoadState;
import io.quiver.proto.LoadCollectionInternalRequest;
import io.quiver.proto.SealedSegmentLocation;
import io.quiver.proto.ShardLeader;
import io.quiver.proto.SyncDistributionRequest;
import io.quiver.storage.LocalMetaKv;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read path of compaction on an in-memory cluster: a compaction result replaces its inputs in each replica with
 * one SyncDistribution once it is loaded there, and the inputs go only after; the delete floor follows the manifests
 * the segments were loaded with. After every round each leader's distribution names only segments held where it
 * says, never a result together with one of its inputs, and exactly the collection's rows.
 */
class QueryCoordinatorCompactionTest {
    private static final String V = "v0";
    private static final long RESULT = 30;
    private static final Set<Long> INPUTS = Set.of(1L, 2L);

    private static QueryCoordinator loaded(Path dir, InMemoryQueryCluster c, int replicas) {
        QueryCoordinator qc = new QueryCoordinator(new LocalMetaKv(dir), "t", c, QueryCoordinator.BALANCE_TOLERANCE, 100,
                InstantSource.fixed(Instant.EPOCH));
        qc.load(LoadCollectionInternalRequest.newBuilder().setCollectionId(COLL).setReplicaNumber(replicas).build());
        rounds(qc, c, () -> isLoaded(qc));
        return qc;
    }

    private static boolean isLoaded(QueryCoordinator qc) {
        return qc.loadState(COLL, List.of()).getState() == LoadState.LoadStateLoaded;
    }

    private static void rounds(QueryCoordinator qc, InMemoryQueryCluster c, BooleanSupplier done) {
        for (int i = 0; i < 50; i++) {
            qc.reconcile();
            assertServes(qc, c);
            if (done.getAsBoolean()) {
                return;
            }
        }
        throw new AssertionError("did not converge: " + c.log);
    }

    private static void assertServes(QueryCoordinator qc, InMemoryQueryCluster c) {
        for (SyncDistributionRequest s : c.syncs) {
            Set<Long> named = s.getSealedList().stream().map(SealedSegmentLocation::getSegmentId).collect(Collectors.toSet());
            assertThat(named.contains(RESULT) && named.stream().anyMatch(INPUTS::contains)).as("result with an input in %s", named).isFalse();
        }
        if (!isLoaded(qc) && qc.shardLeaders(COLL).isEmpty()) {
            return;
        }
        for (ShardLeader l : qc.shardLeaders(COLL)) {
            SyncDistributionRequest known = c.nodes.get(l.getNodeId()).synced.get(l.getVchannel());
            if (known == null) {
                continue; // a leader that has not yet been told (before the first placement finished)
            }
            long rows = 0;
            for (SealedSegmentLocation s : known.getSealedList()) {
                assertThat(c.nodes.get(s.getNodeId()).segments).as("segment %d on node %d", s.getSegmentId(), s.getNodeId())
                        .containsKey(s.getSegmentId());
                rows += s.getNumRows();
            }
            if (isLoaded(qc)) {
                assertThat(rows).as("rows served by replica %d", l.getReplicaId()).isEqualTo(3000);
            }
        }
    }

    private static InMemoryQueryCluster twoInputs(int nodes) {
        InMemoryQueryCluster c = new InMemoryQueryCluster(nodes, V);
        c.setTarget(segment(1, V, 1000, 1), segment(2, V, 2000, 1));
        return c;
    }

    private static boolean holdsOnlyResult(InMemoryQueryCluster.Node n) {
        return n.segments.keySet().equals(Set.of(RESULT));
    }

    @Test
    void resultReplacesTwoLoadedInputsWithOneSwitch(@TempDir Path dir) {
        InMemoryQueryCluster c = twoInputs(2);
        QueryCoordinator qc = loaded(dir, c, 1);
        c.setTarget(segment(RESULT, V, 3000, 1, 1L, 2L));
        rounds(qc, c, () -> c.nodes.values().stream().allMatch(n -> n.segments.keySet().stream().noneMatch(INPUTS::contains))
                && c.nodes.values().stream().anyMatch(QueryCoordinatorCompactionTest::holdsOnlyResult));
        // one sync switched the leader from both inputs to the result, and the inputs were released after it
        int switchAt = -1;
        for (int i = 0; i < c.log.size(); i++) {
            if (c.log.get(i).startsWith("sync") && c.log.get(i).contains("[" + RESULT + "]")) {
                switchAt = i;
                break;
            }
        }
        assertThat(switchAt).isPositive();
        String before = c.log.subList(0, switchAt).stream().filter(x -> x.startsWith("sync")).reduce((a, b) -> b).orElseThrow();
        assertThat(before).contains("[1, 2]");
        for (int i = 0; i < c.log.size(); i++) {
            if (c.log.get(i).startsWith("release")) {
                assertThat(i).as("release after the switch: %s", c.log).isGreaterThan(switchAt);
            }
        }
        assertThat(isLoaded(qc)).isTrue();
    }

    @Test
    void resultThatCannotLoadKeepsTheInputsServed(@TempDir Path dir) {
        InMemoryQueryCluster c = twoInputs(1);
        QueryCoordinator qc = loaded(dir, c, 1);
        c.refuse.add(new NodeSegment(1, RESULT));
        c.setTarget(segment(RESULT, V, 3000, 1, 1L, 2L));
        for (int i = 0; i < 10; i++) {
            qc.reconcile();
            assertServes(qc, c);
            assertThat(c.nodes.get(1L).segments).containsOnlyKeys(1L, 2L);
            assertThat(c.nodes.get(1L).synced.get(V).getSealedList()).extracting(SealedSegmentLocation::getSegmentId).containsExactly(1L, 2L);
            assertThat(qc.loadState(COLL, List.of()).getReason()).contains("no memory for segment " + RESULT);
        }
        c.refuse.clear();
        rounds(qc, c, () -> holdsOnlyResult(c.nodes.get(1L)) && isLoaded(qc));
        assertThat(c.nodes.get(1L).synced.get(V).getSealedList()).extracting(SealedSegmentLocation::getSegmentId).containsExactly(RESULT);
    }

    @Test
    void eachReplicaSwitchesWhenTheResultIsLoadedThere(@TempDir Path dir) {
        InMemoryQueryCluster c = twoInputs(2);
        QueryCoordinator qc = loaded(dir, c, 2);
        c.refuse.add(new NodeSegment(2, RESULT));
        c.setTarget(segment(RESULT, V, 3000, 1, 1L, 2L));
        rounds(qc, c, () -> holdsOnlyResult(c.nodes.get(1L)));
        for (int i = 0; i < 5; i++) {
            qc.reconcile();
            assertServes(qc, c);
        }
        assertThat(c.nodes.get(2L).segments).containsOnlyKeys(1L, 2L);
        assertThat(c.nodes.get(2L).synced.get(V).getSealedList()).extracting(SealedSegmentLocation::getSegmentId).containsExactly(1L, 2L);
        assertThat(c.nodes.get(1L).synced.get(V).getSealedList()).extracting(SealedSegmentLocation::getSegmentId).containsExactly(RESULT);
        c.refuse.clear();
        rounds(qc, c, () -> holdsOnlyResult(c.nodes.get(2L)) && isLoaded(qc));
    }

    @Test
    void deleteFloorIsSentOnceEverySegmentHasTheTargetManifest(@TempDir Path dir) {
        InMemoryQueryCluster c = twoInputs(1);
        QueryCoordinator qc = loaded(dir, c, 1);
        assertThat(c.nodes.get(1L).synced.get(V).getDeleteFloorTs()).isZero();
        // L0 compaction: both segments got a deltalog (manifest version 2), the channel's floor is 500
        c.setTarget(segment(1, V, 1000, 2), segment(2, V, 2000, 2));
        c.setFloor(V, 500);
        int logged = c.log.size();
        qc.reconcile();
        List<String> round = c.log.subList(logged, c.log.size());
        assertThat(round).contains("load 1 1 v2", "load 1 2 v2"); // refreshes on the node that holds them
        assertThat(round).noneMatch(x -> x.contains("floor=500"));
        qc.reconcile(); // the node now reports version 2: the floor changes, so the same distribution is re-sent with it
        assertThat(c.log.getLast()).isEqualTo("sync 1 v0 [1, 2] floor=500");
        int synced = c.syncs.size();
        qc.reconcile();
        assertThat(c.syncs).hasSize(synced);
        assertThat(isLoaded(qc)).isTrue();
    }

    @Test
    void deleteFloorWaitsForARefreshThatFailed(@TempDir Path dir) {
        InMemoryQueryCluster c = twoInputs(1);
        QueryCoordinator qc = loaded(dir, c, 1);
        c.setFloor(V, 200);
        rounds(qc, c, () -> c.nodes.get(1L).synced.get(V).getDeleteFloorTs() == 200); // versions match: sent at once
        c.refuse.add(new NodeSegment(1, 2));
        c.setTarget(segment(1, V, 1000, 2), segment(2, V, 2000, 2));
        c.setFloor(V, 500);
        for (int i = 0; i < 5; i++) {
            qc.reconcile();
            assertServes(qc, c);
            assertThat(c.nodes.get(1L).synced.get(V).getDeleteFloorTs()).as("the previous floor").isEqualTo(200);
            assertThat(isLoaded(qc)).as("a refresh does not stop serving").isTrue();
        }
        assertThat(c.nodes.get(1L).segments.get(2L).getManifestVersion()).isEqualTo(1);
        c.refuse.clear();
        rounds(qc, c, () -> c.nodes.get(1L).synced.get(V).getDeleteFloorTs() == 500);
    }
}
