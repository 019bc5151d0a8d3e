package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import io.quiver.common.util.HybridTs;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;
import javax.annotation.concurrent.GuardedBy;
import javax.annotation.concurrent.ThreadSafe;

/**
 * DML timestamps and the proxy's part of the time-tick protocol (DESIGN section 9.2). A DML request takes its
 * timestamp and registers it as in flight under one lock; the reporter takes a fresh timestamp under the same
 * lock, so no request can hold a timestamp below a reported tick without being in the in-flight set.
 */
@ThreadSafe
public final class Timestamps {
    private final IntToLongFunction tso;
    @GuardedBy("this") private final TreeMap<Long, Integer> inflight = new TreeMap<>();

    public Timestamps(IntToLongFunction tso) {
        this.tso = requireNonNull(tso, "tso is null");
    }

    /** A fresh timestamp (not tracked). */
    public long now() {
        return tso.applyAsLong(1);
    }

    /** A timestamp for a DML request; call {@link #done} when its messages are in the WAL (or it failed). */
    public synchronized long begin() {
        long ts = tso.applyAsLong(1);
        inflight.merge(ts, 1, Integer::sum);
        return ts;
    }

    public synchronized void done(long ts) {
        inflight.computeIfPresent(ts, (k, v) -> v == 1 ? null : v - 1);
    }

    /** The largest timestamp T such that every DML this proxy will still write has ts > T. */
    public synchronized long safeTick() {
        long fresh = tso.applyAsLong(1);
        long min = inflight.isEmpty() ? fresh : Math.min(fresh, inflight.firstKey());
        return min - 1;
    }

    /** {@code ms} milliseconds ago, as a hybrid timestamp (Bounded consistency). */
    public long staleBy(long ms) {
        return HybridTs.minusMillis(now(), ms);
    }
}
