package io.quiver.common.binlog;

import io.quiver.common.error.QuiverException;

/** Hands out the log ids a plan preallocated, {@code [first, first + count)}, in order; running out fails the plan. */
public final class LogIdRange {
    private final long planId;
    private final long end;
    private long next;

    public LogIdRange(long planId, long first, long count) {
        if (first <= 0 || count < 0) {
            throw QuiverException.invalid("compaction plan %d has an invalid log id range [%d, +%d)", planId, first, count);
        }
        this.planId = planId;
        this.next = first;
        this.end = first + count;
    }

    public long next() {
        if (next >= end) {
            throw QuiverException.invalid("compaction plan %d ran out of preallocated log ids (log_id_count too small)", planId);
        }
        return next++;
    }

    /** Fails now, before anything is written, if fewer than {@code needed} ids are left. */
    public void require(long needed) {
        if (end - next < needed) {
            throw QuiverException.invalid("compaction plan %d needs %d log ids but only %d were preallocated", planId, needed, end - next);
        }
    }
}
