package io.quiver.querycoord;

import io.quiver.proto.SegmentInfo;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment balance of one replica (Milvus BalanceChecker, row-count balancer): at most one move per replica at a time,
 * from the member holding most of this collection's rows to the one holding least (ties: fewest rows of all
 * collections), when they differ by more than the tolerance. Only this collection's rows count: they are all the
 * replica can move, and counting other collections' rows made moves chase a global imbalance this replica cannot
 * fix. The moved segment is loaded on the new node; the distribution switches to it and the old copy is released
 * in a later round, so it is never unserved.
 */
final class BalanceChecker {
    private static final Logger LOG = LoggerFactory.getLogger(BalanceChecker.class);
    private final double tolerance;

    BalanceChecker(double tolerance) {
        this.tolerance = tolerance;
    }

    /**
     * The move to start, if any. The caller runs it only when the replica is fully placed and no move is in progress.
     *
     * @param keep segment -> the member serving it
     */
    Optional<Action.LoadSegment> check(ReplicaView view, CollectionTarget target, Map<Long, Long> keep) {
        List<Long> members = view.members();
        if (members.size() < 2) {
            return Optional.empty();
        }
        Map<Long, Long> collRows = view.collRows();
        Comparator<Long> byLoad = Comparator.comparingLong((Long n) -> collRows.get(n)).thenComparingLong(n -> view.rowsOnNode().get(n));
        long max = members.stream().max(byLoad).orElseThrow();
        long min = members.stream().min(byLoad).orElseThrow();
        long diff = collRows.get(max) - collRows.get(min);
        double mean = members.stream().mapToLong(collRows::get).average().orElse(0);
        if (diff <= tolerance * mean) {
            return Optional.empty();
        }
        // the held segment on the fullest node whose move brings the two closest together
        SegmentInfo best = null;
        for (SegmentInfo s : target.flushed()) {
            Long at = keep.get(s.getSegmentId());
            if (at != null && at == max && view.holdersOf(s.getSegmentId()).contains(max) && s.getNumRows() < diff
                    && (best == null || Math.abs(diff - 2 * s.getNumRows()) < Math.abs(diff - 2 * best.getNumRows()))) {
                best = s;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        LOG.info("balance: segment {} ({} rows) moving from querynode {} to {} (rows {} vs {})", best.getSegmentId(), best.getNumRows(),
                max, min, collRows.get(max), collRows.get(min));
        return Optional.of(new Action.LoadSegment(view.segment(best.getSegmentId()), min, Action.LoadPurpose.MOVE, target, best));
    }
}
