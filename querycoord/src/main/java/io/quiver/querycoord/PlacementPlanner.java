package io.quiver.querycoord;

import io.quiver.proto.LoadCollectionInternalRequest;
import io.quiver.proto.Replica;
import io.quiver.proto.ReplicaAssignment;
import io.quiver.querycoord.QueryCoordinator.LoadProgress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.concurrent.NotThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision half of a placement round: runs the checkers of every replica on a {@link RoundSnapshot}, keeps what
 * must outlive a round (leaders, handoffs, balance moves, what each watcher was sent, delete floors, failed loads) and
 * records what the executor reported. No remote calls. Used under the {@link QueryCoordinator}'s monitor; only
 * {@link #leader} is read without it (a concurrent map).
 */
@NotThreadSafe
final class PlacementPlanner {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementPlanner.class);
    private final LeaderChecker leaderChecker;
    private final SegmentChecker segmentChecker = new SegmentChecker();
    private final BalanceChecker balanceChecker;
    private final DistributionChecker distributionChecker = new DistributionChecker();
    /** What each watcher of a shard was last sent. */
    private final Map<ShardNode, ShardDistribution> lastSynced = new HashMap<>();
    /** The delete floor last sent per shard and replica. */
    private final Map<ReplicaChannel, Long> sentFloor = new HashMap<>();
    /** Balance moves in progress: the node a segment is being loaded onto. */
    private final Map<ReplicaSegment, Long> moving = new HashMap<>();
    /** Loads that failed last round, with why: that node is skipped for that segment next round. */
    private final Map<NodeSegment, String> loadFailures = new HashMap<>();
    /** The node that leads each shard of each replica (what GetShardLeaders answers). */
    private final Map<ReplicaChannel, Long> currentLeader = new ConcurrentHashMap<>();
    /** Shard leader handoffs in progress. */
    private final Map<ReplicaChannel, LeaderMove> leaderMoves = new HashMap<>();

    PlacementPlanner(double balanceTolerance, long leaderReleaseGraceMs) {
        this.leaderChecker = new LeaderChecker(leaderReleaseGraceMs);
        this.balanceChecker = new BalanceChecker(balanceTolerance);
    }

    /** A round's decisions: the actions, and each collection's load progress if they all succeed. */
    record Round(List<Action> actions, Map<Long, LoadProgress> progress) {}

    /** The node leading a shard of a replica, or null. */
    Long leader(ReplicaChannel shard) {
        return currentLeader.get(shard);
    }

    /** Forgets everything about a released collection. */
    void forget(long collectionId) {
        lastSynced.keySet().removeIf(k -> k.collectionId() == collectionId);
        sentFloor.keySet().removeIf(k -> k.collectionId() == collectionId);
        moving.keySet().removeIf(k -> k.collectionId() == collectionId);
        currentLeader.keySet().removeIf(k -> k.collectionId() == collectionId);
        leaderMoves.keySet().removeIf(k -> k.collectionId() == collectionId);
    }

    /**
     * Decides a round: per collection (membership already updated in {@code assignments}), per replica the
     * checkers in order; records their decisions and returns the actions with the progress they would give.
     *
     * @param previous each collection's progress so far (kept, with a new reason, when its target is unavailable)
     */
    Round decide(RoundSnapshot snapshot, List<LoadCollectionInternalRequest> loaded, Map<Long, ReplicaAssignment> assignments,
                 Map<Long, LoadProgress> previous) {
        // a failure is forgotten once the node holds the segment or the segment left every target
        loadFailures.keySet().removeIf(f -> snapshot.targets().values().stream().noneMatch(t -> t.inTarget(f.segmentId()))
                || snapshot.distributions().containsKey(f.nodeId()) && snapshot.distributions().get(f.nodeId()).getSegmentsList().stream()
                        .anyMatch(s -> s.getSegmentId() == f.segmentId()));
        // channels each node leads, over all collections, shared by every collection of this round so that their
        // leader moves see each other's (a handoff's source no longer counts: its channel is on its way out)
        Map<Long, Integer> channelsOnNode = new HashMap<>();
        snapshot.distributions().forEach((n, d) -> channelsOnNode.put(n, d.getChannelsCount()));
        leaderMoves.values().forEach(mv -> channelsOnNode.computeIfPresent(mv.from(), (k, x) -> x - 1));
        List<Action> actions = new ArrayList<>();
        Map<Long, LoadProgress> planned = new HashMap<>();
        for (LoadCollectionInternalRequest r : loaded) {
            long coll = r.getCollectionId();
            ReplicaAssignment a = assignments.get(coll);
            CollectionTarget target = snapshot.targets().get(coll);
            String error = snapshot.targetErrors().get(coll);
            if (a == null || snapshot.usable().isEmpty()) {
                planned.put(coll, new LoadProgress(0, 1, "no querynode is available"));
            } else if (error != null) {
                planned.put(coll, failed(previous.get(coll), error));
            } else if (target != null) {
                try {
                    planned.put(coll, decideCollection(snapshot, target, a, channelsOnNode, actions));
                } catch (RuntimeException e) {
                    LOG.warn("placement round failed collectionId={}", coll, e);
                    planned.put(coll, failed(previous.get(coll), String.valueOf(e.getMessage())));
                }
            }
        }
        return new Round(List.copyOf(actions), planned);
    }

    private static LoadProgress failed(LoadProgress p, String reason) {
        return new LoadProgress(p == null ? 0 : p.done(), p == null ? 1 : p.total(), reason);
    }

    private LoadProgress decideCollection(RoundSnapshot snapshot, CollectionTarget target, ReplicaAssignment assignment,
                                          Map<Long, Integer> channelsOnNode, List<Action> actions) {
        int done = 0;
        int total = 0;
        String reason = "";
        Set<Long> members = new HashSet<>();
        Set<NodeSegment> retained = new HashSet<>();
        for (Replica rep : assignment.getReplicasList()) {
            members.addAll(rep.getNodeIdsList());
            ReplicaView view = ReplicaView.of(snapshot, target.collectionId(), rep);
            total += target.channels().size() + target.flushed().size();
            if (view.members().isEmpty()) {
                reason = "replica " + rep.getReplicaId() + " has no available querynode";
                continue;
            }
            LoadProgress p = decideReplica(snapshot, view, target, channelsOnNode, actions, retained);
            done += p.done();
            if (!p.reason().isEmpty()) {
                reason = p.reason();
            }
        }
        // leftovers: segments and leaders of this collection on nodes outside every replica (left, stopping, moved)
        // are released once every replica serves them elsewhere; segments no longer in the target (dropped
        // partitions, compaction inputs no longer served) are released everywhere
        boolean complete = done >= total && reason.isEmpty();
        List<Action> outside = segmentChecker.releaseOutside(snapshot, target, members, complete, retained);
        forgetUnwatched(outside);
        actions.addAll(outside);
        return new LoadProgress(done, total, done >= total ? "" : reason);
    }

    /** The checkers of one replica, in order; records their decisions and appends their actions. */
    private LoadProgress decideReplica(RoundSnapshot snapshot, ReplicaView view, CollectionTarget target, Map<Long, Integer> channelsOnNode,
                                       List<Action> actions, Set<NodeSegment> retainedOut) {
        long now = snapshot.nowMs();
        LeaderChecker.Leaders leaders = leaderChecker.check(view, target, ofReplica(currentLeader, view), ofReplica(leaderMoves, view),
                channelsOnNode, now);
        SegmentChecker.Placement placement = segmentChecker.check(view, target, segmentsOfReplica(moving, view), loadFailures);
        loadFailures.keySet().removeIf(f -> placement.giveUp().contains(f.segmentId()));
        String reason = placement.reason().isEmpty() ? leaders.reason() : placement.reason();
        List<Action> planned = new ArrayList<>(placement.actions());
        Map<Long, Long> moves = new HashMap<>(placement.moving());
        boolean placing = placement.actions().stream().anyMatch(a -> a instanceof Action.LoadSegment l && l.purpose() == Action.LoadPurpose.PLACE);
        if (placement.placedAll() && !placing && moves.isEmpty()) {
            balanceChecker.check(view, target, placement.keep()).ifPresent(l -> {
                planned.add(l);
                moves.put(l.key().segmentId(), l.nodeId());
            });
        }
        if (placement.placedAll() && reason.isEmpty()) {
            leaders = leaderChecker.balance(view, target, leaders);
        }
        channelsOnNode.putAll(leaders.channelsOnNode());
        leaders.leaderOf().forEach((v, n) -> currentLeader.put(view.shard(v), n));
        for (Action a : leaders.actions()) {
            if (a instanceof Action.WatchChannel w) {
                lastSynced.remove(w.at()); // a new leader starts without a sealed distribution
            }
        }
        CompactionHandoff.Retained retained = CompactionHandoff.check(view, target);
        retained.inputs().forEach((seg, node) -> retainedOut.add(new NodeSegment(node, seg)));
        Map<String, Long> floors = ofReplica(sentFloor, view);
        List<Action> syncs = distributionChecker.check(view, target, snapshot.nodes(), leaders.leaderOf(), leaders.watchers(),
                placement.keep(), retained, lastSynced, floors);
        LeaderChecker.Release release = leaderChecker.release(view, target, leaders, now);
        forgetUnwatched(release.actions());
        SegmentChecker.Placement copies = segmentChecker.releaseCopies(view, new SegmentChecker.Placement(placement.keep(), moves,
                placement.giveUp(), placement.done(), placement.failedLoads(), placement.reason(), List.of()));
        replaceOfReplica(leaderMoves, view, release.moves());
        moving.keySet().removeIf(k -> k.collectionId() == view.collectionId() && k.replicaId() == view.replicaId());
        copies.moving().forEach((seg, node) -> moving.put(view.segment(seg), node));
        actions.addAll(leaders.actions());
        actions.addAll(planned);
        actions.addAll(syncs);
        actions.addAll(release.actions());
        actions.addAll(copies.actions());
        return new LoadProgress(leaders.done() + placement.done(), 0, reason);
    }

    private void forgetUnwatched(List<Action> actions) {
        for (Action a : actions) {
            if (a instanceof Action.UnwatchChannel u) {
                lastSynced.remove(u.at());
            }
        }
    }

    /** Records what the executor reported: what each watcher now knows, and the failures (retried next round). */
    Map<Long, LoadProgress> record(Round round, ActionExecutor.Report report) {
        for (Action.SyncDistribution s : report.synced()) {
            lastSynced.put(s.at(), s.distribution());
            sentFloor.put(new ReplicaChannel(s.at().collectionId(), s.replicaId(), s.at().vchannel()), s.distribution().deleteFloorTs());
        }
        Map<Long, LoadProgress> result = new HashMap<>(round.progress());
        for (ActionExecutor.Failure f : report.failures()) {
            switch (f.action()) {
                case Action.LoadSegment l -> {
                    loadFailures.put(l.at(), f.reason());
                    if (l.purpose() == Action.LoadPurpose.MOVE) {
                        moving.remove(l.key(), l.nodeId());
                    } else if (l.purpose() == Action.LoadPurpose.PLACE || l.purpose() == Action.LoadPurpose.REINDEX) {
                        result.computeIfPresent(l.key().collectionId(), (k, p) -> new LoadProgress(p.done() - 1, p.total(),
                                "segment " + l.key().segmentId() + " (" + l.segment().getNumRows() + " rows) cannot be loaded on querynode "
                                        + l.nodeId() + " of replica " + l.key().replicaId() + ": " + f.reason()));
                    }
                }
                case Action.WatchChannel w -> {
                    ReplicaChannel shard = new ReplicaChannel(w.at().collectionId(), w.replicaId(), w.at().vchannel());
                    currentLeader.remove(shard, w.at().nodeId());
                    leaderMoves.computeIfPresent(shard, (k, m) -> m.to() == w.at().nodeId() ? null : m);
                }
                default -> { } // syncs are re-sent and releases re-planned next round
            }
        }
        return result;
    }

    private static <V> Map<String, V> ofReplica(Map<ReplicaChannel, V> m, ReplicaView view) {
        Map<String, V> out = new HashMap<>();
        m.forEach((k, v) -> {
            if (k.collectionId() == view.collectionId() && k.replicaId() == view.replicaId()) {
                out.put(k.vchannel(), v);
            }
        });
        return out;
    }

    private static Map<Long, Long> segmentsOfReplica(Map<ReplicaSegment, Long> m, ReplicaView view) {
        Map<Long, Long> out = new HashMap<>();
        m.forEach((k, v) -> {
            if (k.collectionId() == view.collectionId() && k.replicaId() == view.replicaId()) {
                out.put(k.segmentId(), v);
            }
        });
        return out;
    }

    private static <V> void replaceOfReplica(Map<ReplicaChannel, V> m, ReplicaView view, Map<String, V> now) {
        m.keySet().removeIf(k -> k.collectionId() == view.collectionId() && k.replicaId() == view.replicaId());
        now.forEach((v, x) -> m.put(view.shard(v), x));
    }
}
