package io.quiver.server.ctl;

import java.util.Set;

/**
 * Decides when a manual compaction is over as the client sees it: its state left Executing and the flushed segment
 * ids (GetPersistentSegmentInfo) and the loaded ones (GetQuerySegmentInfo) have not changed for the settle time, so
 * the results were committed and handed off to the querynodes. Pure: fed with observations and their times.
 */
final class CompactionProgress {
    private final long startNanos;
    private final long settleNanos;
    private Set<Long> flushed;
    private Set<Long> loaded;
    private long executingEnd = -1;
    private long lastChange = -1;
    private long lastSeen;
    private boolean changed;

    /**
     * @param startNanos when the compaction was asked for
     * @param flushed the flushed segment ids before it
     * @param loaded the loaded segment ids before it
     */
    CompactionProgress(long startNanos, long settleNanos, Set<Long> flushed, Set<Long> loaded) {
        this.startNanos = startNanos;
        this.settleNanos = settleNanos;
        this.flushed = Set.copyOf(flushed);
        this.loaded = Set.copyOf(loaded);
        this.lastSeen = startNanos;
    }

    void observe(long nanos, boolean executing, Set<Long> flushedNow, Set<Long> loadedNow) {
        lastSeen = nanos;
        if (executing) {
            executingEnd = -1;
        } else if (executingEnd < 0) {
            executingEnd = nanos;
        }
        if (!flushedNow.equals(flushed) || !loadedNow.equals(loaded)) {
            flushed = Set.copyOf(flushedNow);
            loaded = Set.copyOf(loadedNow);
            lastChange = nanos;
            changed = true;
        }
    }

    /**
     * Executing is over, the results (if any) are handed off (the loaded ids are the flushed ones: results are
     * handed off only once their indexes are built) and the segment ids have been stable for the settle time.
     */
    boolean settled() {
        return executingEnd >= 0 && (!changed || handedOff()) && lastSeen - Math.max(executingEnd, Math.max(lastChange, startNanos)) >= settleNanos;
    }

    /** Seconds from the request until the state was last seen leaving Executing; -1 if it has not. */
    double executingSeconds() {
        return executingEnd < 0 ? -1 : (executingEnd - startNanos) / 1e9;
    }

    /** When the compaction was last seen active: the later of the end of Executing and the last segment change. */
    long activityEndNanos() {
        return Math.max(startNanos, Math.max(executingEnd < 0 ? lastSeen : executingEnd, lastChange));
    }

    /** Whether the flushed or loaded segment ids changed at all (false: the compaction had nothing to do). */
    boolean segmentsChanged() {
        return changed;
    }

    /** Whether the last loaded segment ids are exactly the last flushed ones (the results were handed off). */
    boolean handedOff() {
        return loaded.equals(flushed);
    }
}
