package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import io.quiver.common.util.HybridTs;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;
import javax.annotation.concurrent.GuardedBy;
import javax.annotation.concurrent.ThreadSafe;

/**
 * DML and read timestamps of a proxy, and its part of the time-tick protocol (DESIGN section 9.2).
 *
 * <p>Design: callers never hold a lock across the TSO round trip. Whoever needs a timestamp joins a queue; one
 * caller at a time (the leader) takes every queued request, asks the TSO for that many consecutive timestamps in one
 * call, hands them out and passes the lead to the next waiter. Under concurrency one RPC serves a whole batch (as
 * Milvus' proxy allocator asks for {@code count} timestamps at once); one client thread still pays one round trip
 * per request, which is what a timestamp that orders it after every earlier request costs.
 *
 * <p>Why no timestamps are kept in reserve for later requests: a reserved timestamp was allocated before the request
 * that uses it arrived, so it can be older than a write another proxy acknowledged in between. An upsert or delete
 * issued after an acknowledged insert through another proxy would then carry a smaller timestamp and fail to hide
 * that insert, and a Strong read could miss it. Every timestamp handed out here comes from a TSO call that started
 * after the request arrived, so it is larger than every timestamp the TSO returned before, in particular larger than
 * every write acknowledged before the request arrived (a write is acknowledged after its timestamp was allocated).
 * That is the argument for Strong reads ({@link #now}) and for the order of DML requests ({@link #begin}).
 *
 * <p>Time-tick invariant: no DML can hold a timestamp at or below a reported {@link #safeTick} without being in
 * flight. Batches are fetched one at a time and each batch is handed out entirely under this object's lock: DML
 * timestamps are registered as in flight, and a tick request of the same batch gets {@code min(its timestamp, oldest
 * in flight) - 1}. Timestamps of earlier batches are smaller and were registered before; timestamps of later batches
 * are larger than every timestamp of this batch, hence larger than the tick. So the tick never covers a DML that is
 * not yet in flight, and ticks never go backwards.
 *
 * <p>Bounded reads ({@link #staleBy}) need no round trip: the newest timestamp any batch returned, aged by the
 * proxy's own clock since, estimates the TSO's time, and the read goes {@code ms} before that estimate, i.e. below
 * the newest timestamp, never ahead of the TSO (only the proxy clock's rate is used, not its offset). Time ticks
 * refresh the newest timestamp every tick interval; only when it is older than the staleness asked for does the read
 * fetch a fresh one, so a read is never staler than asked.
 */
@ThreadSafe
public final class Timestamps {
    private final IntToLongFunction tso;
    private final InstantSource clock;
    @GuardedBy("this") private final TreeMap<Long, Integer> inflight = new TreeMap<>();
    @GuardedBy("this") private List<Waiter> queue = new ArrayList<>();
    @GuardedBy("this") private boolean fetching;
    @GuardedBy("this") private long lastTs;
    @GuardedBy("this") private long lastAtMs;

    /**
     * @param tso returns the first of {@code count} consecutive fresh timestamps (rootcoord's AllocTimestamp)
     * @param clock the proxy's clock, used only to age the newest timestamp for Bounded reads
     */
    public Timestamps(IntToLongFunction tso, InstantSource clock) {
        this.tso = requireNonNull(tso, "tso is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A timestamp larger than that of every write acknowledged before this call (Strong reads, AllocTimestamp). */
    public long now() {
        return take(Use.READ);
    }

    /** A timestamp for a DML request; call {@link #done} when its messages are in the WAL (or it failed). */
    public long begin() {
        return take(Use.DML);
    }

    public synchronized void done(long ts) {
        inflight.computeIfPresent(ts, (k, v) -> v == 1 ? null : v - 1);
    }

    /** The largest timestamp T such that every DML this proxy will still write has ts > T. */
    public long safeTick() {
        return take(Use.TICK);
    }

    /**
     * A timestamp {@code ms} milliseconds before now (Bounded consistency), served from the newest timestamp seen
     * while that is younger than {@code ms}, else from a fresh one.
     */
    public long staleBy(long ms) {
        long last;
        long age;
        synchronized (this) {
            last = lastTs;
            age = clock.millis() - lastAtMs;
        }
        if (last == 0 || age < 0 || age >= ms) {
            return HybridTs.minusMillis(now(), ms);
        }
        return HybridTs.minusMillis(last, ms - age);
    }

    /** Timestamps handed out but not yet {@link #done} (tests and metrics). */
    synchronized int inFlight() {
        return inflight.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Callers queued for the next TSO call (tests). */
    synchronized int waiting() {
        return queue.size();
    }

    private long take(Use use) {
        Waiter me = new Waiter(use);
        synchronized (this) {
            queue.add(me);
            if (!fetching) {
                fetching = true;
                me.promote();
            }
        }
        while (true) {
            Waiter.Outcome o = me.await();
            switch (o) {
                case DONE -> {
                    return me.value();
                }
                case LEAD -> fetchOnce();
            }
        }
    }

    /** One TSO call for every queued waiter, then the lead passes to the next waiter or lapses. */
    private void fetchOnce() {
        List<Waiter> batch;
        synchronized (this) {
            batch = queue;
            queue = new ArrayList<>();
        }
        try {
            long first = tso.applyAsLong(batch.size());
            install(batch, first);
        } catch (RuntimeException | Error e) {
            RuntimeException failure = e instanceof RuntimeException r ? r : new IllegalStateException("timestamp allocation failed", e);
            batch.forEach(w -> w.fail(failure));
        } finally {
            synchronized (this) {
                if (queue.isEmpty()) {
                    fetching = false;
                } else {
                    queue.getFirst().promote();
                }
            }
        }
    }

    private void install(List<Waiter> batch, long first) {
        long[] values = new long[batch.size()];
        synchronized (this) {
            for (int i = 0; i < batch.size(); i++) {
                long ts = first + i;
                values[i] = ts;
                if (batch.get(i).use == Use.DML) {
                    inflight.merge(ts, 1, Integer::sum);
                }
            }
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).use == Use.TICK) {
                    values[i] = (inflight.isEmpty() ? values[i] : Math.min(values[i], inflight.firstKey())) - 1;
                }
            }
            long newest = first + batch.size() - 1;
            if (newest > lastTs) {
                lastTs = newest;
                lastAtMs = clock.millis();
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).complete(values[i]);
        }
    }

    private enum Use { DML, READ, TICK }

    /**
     * One caller waiting for its timestamp or for the lead. Waits ignore interrupts: a DML waiter that left early would
     * leave its timestamp in flight forever and stop the time ticks; the TSO call has its own deadline.
     */
    private static final class Waiter {
        enum Outcome { DONE, LEAD }

        final Use use;
        private boolean lead;
        private boolean done;
        private long value;
        private RuntimeException error;

        Waiter(Use use) {
            this.use = use;
        }

        synchronized void promote() {
            lead = true;
            notifyAll();
        }

        synchronized void complete(long v) {
            value = v;
            done = true;
            notifyAll();
        }

        synchronized void fail(RuntimeException e) {
            error = e;
            done = true;
            notifyAll();
        }

        synchronized Outcome await() {
            boolean interrupted = false;
            while (!done && !lead) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (done) {
                return Outcome.DONE;
            }
            lead = false;
            return Outcome.LEAD;
        }

        synchronized long value() {
            if (error != null) {
                throw error;
            }
            return value;
        }
    }
}
