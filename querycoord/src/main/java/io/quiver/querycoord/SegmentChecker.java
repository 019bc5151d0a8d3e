package io.quiver.querycoord;

import io.quiver.proto.ChannelDistribution;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.SegmentDistribution;
import io.quiver.proto.SegmentInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sealed segments of a replica (Milvus SegmentChecker): every flushed target segment, with its finished index, on one
 * member (the emptiest first; a node where its load failed last round is skipped); a refresh where a held copy's
 * manifest is older than the target's (L0 compaction gave it new deltalogs); releases of extra copies, of segments
 * no longer in the target (except compaction inputs still served, see {@link CompactionHandoff}) and of leftovers on
 * nodes outside every replica. Pure: returns decisions and planned actions.
 */
final class SegmentChecker {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentChecker.class);

    /**
     * @param keep        segment -> the member that serves it (planned loads included)
     * @param moving      segment -> the member a balance move loads it onto (moves still wanted)
     * @param giveUp      segments every member failed to load: forget their failures so the next round retries all
     * @param failedLoads how many target segments have no member this round
     */
    record Placement(Map<Long, Long> keep, Map<Long, Long> moving, Set<Long> giveUp, int done, int failedLoads, String reason,
                     List<Action> actions) {
        boolean placedAll() {
            return failedLoads == 0;
        }
    }

    /**
     * @param moving   segment -> the member a balance move is loading it onto
     * @param failures loads that failed last round (node, segment) -> why
     */
    Placement check(ReplicaView view, CollectionTarget target, Map<Long, Long> moving, Map<NodeSegment, String> failures) {
        Map<Long, Long> keep = new HashMap<>();
        Map<Long, Long> mv = new HashMap<>(moving);
        Map<Long, Long> rowsOnNode = new HashMap<>(view.rowsOnNode());
        Map<Long, Long> collRows = new HashMap<>(view.collRows());
        Set<Long> giveUp = new HashSet<>();
        List<Action> actions = new ArrayList<>();
        int done = 0;
        int failed = 0;
        String reason = "";
        for (SegmentInfo s : target.flushed()) {
            long seg = s.getSegmentId();
            List<Long> h = view.holdersOf(seg);
            Long movingTo = mv.get(seg);
            if (movingTo != null && !view.members().contains(movingTo)) {
                mv.remove(seg); // the move's target left the replica: forget the move
                movingTo = null;
            }
            Long kept = movingTo != null && h.contains(movingTo) ? movingTo : h.isEmpty() ? null : h.get(0);
            long wantedBuild = target.wantedBuild(seg);
            if (kept != null) {
                keep.put(seg, kept);
                SegmentDistribution copy = view.held().get(new NodeSegment(kept, seg));
                boolean indexed = wantedBuild == 0 || copy.getIndexBuildId() == wantedBuild;
                boolean fresh = copy.getManifestVersion() >= s.getManifestVersion();
                String failure = failures.get(new NodeSegment(kept, seg));
                if (!indexed && failure != null) {
                    failed++;
                    giveUp.add(seg);
                    reason = "segment " + seg + " cannot load its index on querynode " + kept + ": " + failure;
                    continue;
                }
                done++;
                if (!indexed || !fresh) {
                    // the copy gets its new index or its new deltalogs in place; it keeps serving meanwhile
                    actions.add(new Action.LoadSegment(view.segment(seg), kept, indexed ? Action.LoadPurpose.REFRESH
                            : Action.LoadPurpose.REINDEX, target, s));
                }
                continue;
            }
            Long node = view.members().stream().filter(n -> !failures.containsKey(new NodeSegment(n, seg)))
                    .min(Comparator.comparingLong((Long n) -> collRows.get(n)).thenComparingLong(rowsOnNode::get).thenComparingLong(n -> n))
                    .orElse(null);
            if (node == null) {
                failed++;
                giveUp.add(seg);
                String why = view.members().stream().map(n -> failures.get(new NodeSegment(n, seg))).filter(Objects::nonNull).findFirst().orElse("");
                reason = "segment " + seg + " (" + s.getNumRows() + " rows) cannot be loaded on any querynode of replica "
                        + view.replicaId() + ": " + why;
                continue;
            }
            actions.add(new Action.LoadSegment(view.segment(seg), node, Action.LoadPurpose.PLACE, target, s));
            keep.put(seg, node);
            rowsOnNode.merge(node, s.getNumRows(), Long::sum);
            collRows.merge(node, s.getNumRows(), Long::sum);
            done++;
        }
        return new Placement(keep, mv, giveUp, done, failed, reason, actions);
    }

    /**
     * Extra copies inside the replica (a finished move) are released once the distribution points elsewhere (the
     * executor releases after it syncs); the moves that finished are dropped from {@code moving}.
     */
    Placement releaseCopies(ReplicaView view, Placement p) {
        List<Action> actions = new ArrayList<>(p.actions());
        Map<Long, Long> moving = new HashMap<>(p.moving());
        Map<Long, List<Long>> byNode = new HashMap<>();
        for (var e : view.holders().entrySet()) {
            Long kept = p.keep().get(e.getKey());
            if (kept == null) {
                continue;
            }
            for (long n : e.getValue()) {
                if (n != kept) {
                    byNode.computeIfAbsent(n, k -> new ArrayList<>()).add(e.getKey());
                    moving.remove(e.getKey());
                    LOG.info("segment {} released from querynode {} (served by {})", e.getKey(), n, kept);
                }
            }
        }
        byNode.forEach((n, segs) -> actions.add(new Action.ReleaseSegments(view.collectionId(), n, segs.stream().sorted().toList())));
        return new Placement(p.keep(), moving, p.giveUp(), p.done(), p.failedLoads(), p.reason(), actions);
    }

    /**
     * Collection-wide releases: leftovers (segments and leaders) on nodes outside every replica once the replicas
     * serve everything ({@code complete}), and segments no longer in the target on every node, except compaction
     * inputs the node's replica still serves.
     *
     * @param members  the nodes of every replica of the collection
     * @param retained (node, input) pairs still served by their replica
     */
    List<Action> releaseOutside(RoundSnapshot snapshot, CollectionTarget target, Set<Long> members, boolean complete, Set<NodeSegment> retained) {
        long coll = target.collectionId();
        List<Action> actions = new ArrayList<>();
        for (var e : snapshot.distributions().entrySet()) {
            long node = e.getKey();
            DistributionResponse d = e.getValue();
            boolean leftover = !members.contains(node);
            if (leftover && complete) {
                for (ChannelDistribution ch : d.getChannelsList()) {
                    if (ch.getCollectionId() == coll) {
                        actions.add(new Action.UnwatchChannel(new ShardNode(coll, ch.getVchannel(), node)));
                        LOG.info("leader released from non-member node vchannel={} node={}", ch.getVchannel(), node);
                    }
                }
            }
            List<Long> release = d.getSegmentsList().stream().filter(x -> x.getCollectionId() == coll).map(SegmentDistribution::getSegmentId)
                    .filter(seg -> leftover && complete || !target.inTarget(seg) && !retained.contains(new NodeSegment(node, seg))).toList();
            if (!release.isEmpty() && snapshot.nodes().containsKey(node)) {
                actions.add(new Action.ReleaseSegments(coll, node, release));
            }
        }
        return actions;
    }
}
