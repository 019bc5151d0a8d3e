package io.quiver.proxy;

/**
 * When a shard serves a read: after tSafe reaches {@code guaranteeTs}, or, {@code strong}, after its leader has
 * applied the WAL through its end; then at {@code mvccTs} (0: at the shard's tSafe; strong with 0: at the newest
 * timestamp the leader applied, see {@link #atWalEnd}).
 */
record ReadTs(long guaranteeTs, long mvccTs, boolean strong) {
    /** Bounded consistency reads what was there this long ago. */
    static final long BOUNDED_STALENESS_MS = 5000;

    /**
     * What a read's timestamps are made of, decided by the planner before any timestamp is taken (the SDKs' guarantee
     * timestamp sentinels: 0 = Strong, 1 = Eventually, 2 = Bounded; above that a real timestamp).
     */
    enum Kind {
        /** A fresh timestamp; the leader serves it once it applied the WAL through its end. */
        STRONG,
        /** The client's last write (its guarantee timestamp), at the shard's tSafe. */
        SESSION,
        /** No wait, at the shard's tSafe. */
        EVENTUALLY,
        /** {@link #BOUNDED_STALENESS_MS} ago, at the shard's tSafe. */
        BOUNDED,
        /** Exactly the given timestamp, or a fresh one for the first page, once tSafe passed it (iterator pages). */
        SNAPSHOT
    }

    /**
     * A Strong or Bounded read while the TSO (rootcoord) cannot be reached: the leader applies the WAL through its end,
     * as for Strong, and reads everything it applied. Still at least Strong: every write acknowledged before the read
     * is in the WAL before its end. No write can be acknowledged while the TSO is down (each needs a timestamp), so
     * reads go on through a rootcoord outage (docs/architecture.md, "Failure model").
     */
    static ReadTs atWalEnd() {
        return new ReadTs(0, 0, true);
    }

    static ReadTs strongAt(long now) {
        return new ReadTs(now, now, true);
    }

    /** A snapshot at exactly {@code ts}, complete (tSafe passed it): iterator pages. */
    static ReadTs snapshotAt(long ts) {
        return new ReadTs(ts, ts, false);
    }

    static ReadTs atTsafe(long guaranteeTs) {
        return new ReadTs(guaranteeTs, 0, false);
    }

    /** Where read timestamps come from (the proxy's {@link Timestamps}). */
    interface Clock {
        /** A fresh timestamp. */
        long now();

        /** {@code ms} milliseconds ago, as a hybrid timestamp. */
        long staleBy(long ms);
    }

    /** The timestamps of a read of {@code kind}; {@code given} is the request's guarantee timestamp. */
    static ReadTs resolve(Kind kind, long given, Clock timestamps) {
        try {
            return switch (kind) {
                case STRONG -> strongAt(timestamps.now());
                case SESSION -> atTsafe(given > 2 ? given : 1);
                case EVENTUALLY -> atTsafe(1);
                case BOUNDED -> atTsafe(timestamps.staleBy(BOUNDED_STALENESS_MS));
                case SNAPSHOT -> snapshotAt(given > 2 ? given : timestamps.now());
            };
        } catch (RuntimeException e) {
            // iterator pages need one exact timestamp: they fail with the TSO's error
            if ((kind == Kind.STRONG || kind == Kind.BOUNDED) && Reachability.unreachable(e)) {
                return atWalEnd();
            }
            throw e;
        }
    }
}
