package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import io.quiver.proto.TimeTickMsg;
import io.quiver.proto.WalMessage;
import io.quiver.storage.Wal;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes time ticks into the DML pchannels collections use (DESIGN section 9.2).
 *
 * <p>Every proxy reports the timestamp below which it has nothing left in flight. The barrier takes the
 * minimum over the proxies that are alive (by session) and, when it advanced, writes
 * {@code TimeTick(min)} into each pchannel. Invariant: after tick T, every DML message with ts &lt;= T is
 * already in the channel. A proxy whose session ended drops out of the minimum at once; a live proxy that
 * has not reported yet holds ticks back (it may have writes in flight).
 *
 * <p>Decision (departs from Milvus, which ticks every pchannel): a pchannel no collection uses gets no ticks. Only
 * the consumers of a collection's vchannels read ticks, and a tick is valid for every later round, so a channel that
 * comes into use gets the next round's tick (its consumers start at the collection's start marker and wait for
 * one). With 16 pchannels and one collection this writes one tick per round instead of sixteen durable ones.
 */
public final class TimeTickBarrier {
    private static final Logger LOG = LoggerFactory.getLogger(TimeTickBarrier.class);
    private final Wal wal;
    private final Supplier<? extends Collection<String>> pchannelsInUse;
    private final Supplier<Set<Long>> liveProxies;
    private final Map<Long, Long> reports = new ConcurrentHashMap<>();
    private final long sourceId;
    private volatile long lastTick;

    public TimeTickBarrier(Wal wal, Supplier<? extends Collection<String>> pchannelsInUse, Supplier<Set<Long>> liveProxies, long sourceId) {
        this.wal = requireNonNull(wal, "wal is null");
        this.pchannelsInUse = requireNonNull(pchannelsInUse, "pchannelsInUse is null");
        this.liveProxies = requireNonNull(liveProxies, "liveProxies is null");
        this.sourceId = sourceId;
    }

    public void report(long proxyId, long ts) {
        reports.merge(proxyId, ts, Math::max);
    }

    public long lastTick() {
        return lastTick;
    }

    /** One round: computes the barrier and writes it to every pchannel in use if it advanced. */
    public void tick() {
        Set<Long> live = liveProxies.get();
        reports.keySet().retainAll(live);
        if (live.isEmpty()) {
            return;
        }
        long min = Long.MAX_VALUE;
        for (Long p : live) {
            Long r = reports.get(p);
            if (r == null) {
                return;
            }
            min = Math.min(min, r);
        }
        if (min <= lastTick) {
            return;
        }
        byte[] msg = WalMessage.newBuilder().setTimeTick(TimeTickMsg.newBuilder().setTimestamp(min).setSourceId(sourceId)).build().toByteArray();
        for (String p : pchannelsInUse.get()) {
            wal.produce(p, msg);
        }
        lastTick = min;
        LOG.trace("time tick ts={}", min);
    }
}
