package io.quiver.datanode;

import io.quiver.common.binlog.DeleteBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The deletes that hide rows of a channel's unflushed segments, kept so that each such segment gets them in its own
 * deltalog at the next channel sync (issue 10). With them, every delete of an L0 segment synced at checkpoint C is in
 * the deltalog of every unflushed segment it hides, so L0 compaction needs only flushed targets and its bound is the
 * checkpoint: growing segments never block it (Milvus' L0 compaction waits for old growing segments).
 *
 * <p>Per unflushed segment it keeps each primary key's smallest row timestamp; a delete {@code (pk, d)} hides a row
 * of the segment when that timestamp is below {@code d}. A row may reach the WAL after a delete with a larger timestamp
 * (two proxies); such rows come before the next time tick, so deletes above the channel's last tick are kept in
 * {@code recent} and matched against rows as they arrive. Single-threaded (the channel's consumer thread).
 */
final class GrowingDeletes {
    private final Map<Long, Map<Object, Long>> minTsBySegment = new HashMap<>();
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Map<Object, Long> recent = new HashMap<>();

    /** Deletes waiting to be written into one segment's deltalog, and how many rows they hide. */
    static final class Pending {
        final List<Object> pks = new ArrayList<>();
        final List<Long> ts = new ArrayList<>();

        DeleteBatch batch(boolean longKeys) {
            long[] t = ts.stream().mapToLong(Long::longValue).toArray();
            return longKeys ? DeleteBatch.ofLongs(pks.stream().mapToLong(o -> (Long) o).toArray(), t)
                    : DeleteBatch.ofStrings(pks.stream().map(o -> (String) o).toArray(String[]::new), t);
        }

        int size() { return ts.size(); }
    }

    /** A row of an unflushed segment (buffered now, or synced before and read back when the channel is watched). */
    void row(long segmentId, Object pk, long ts) {
        minTsBySegment.computeIfAbsent(segmentId, k -> new HashMap<>()).merge(pk, ts, Math::min);
        Long d = recent.get(pk);
        if (d != null && ts < d) {
            add(segmentId, pk, d);
        }
    }

    /** A delete of the channel; {@code tick} is the channel's last time tick. */
    void delete(Object pk, long ts, long tick) {
        for (var e : minTsBySegment.entrySet()) {
            Long min = e.getValue().get(pk);
            if (min != null && min < ts) {
                add(e.getKey(), pk, ts);
            }
        }
        if (ts > tick) {
            recent.merge(pk, ts, Math::max);
        }
    }

    /** Deletes at or below a new time tick can no longer meet a row that arrives later. */
    void tick(long tick) {
        if (recent.isEmpty()) {
            return;
        }
        for (Iterator<Long> it = recent.values().iterator(); it.hasNext(); ) {
            if (it.next() <= tick) {
                it.remove();
            }
        }
    }

    private void add(long segmentId, Object pk, long ts) {
        Pending p = pending.computeIfAbsent(segmentId, k -> new Pending());
        p.pks.add(pk);
        p.ts.add(ts);
    }

    Set<Long> segmentsWithPending() {
        return pending.keySet();
    }

    Pending pending(long segmentId) {
        return pending.get(segmentId);
    }

    /** The pending deletes were written and recorded. */
    void written() {
        pending.clear();
    }

    /** A flushed segment is no longer tracked (L0 compaction takes over). */
    void forget(long segmentId) {
        minTsBySegment.remove(segmentId);
        pending.remove(segmentId);
    }

    int trackedRows() {
        return minTsBySegment.values().stream().mapToInt(Map::size).sum();
    }

}
