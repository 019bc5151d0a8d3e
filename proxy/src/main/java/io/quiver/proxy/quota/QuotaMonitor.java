package io.quiver.proxy.quota;

import static java.util.Objects.requireNonNull;

import io.quiver.common.config.QuotaConfig;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes a proxy's {@link QuotaLimiter} every {@code quotaAndLimits.quotaCenterCollectInterval}: how many proxies
 * share the cluster's rates and the write factor from the querynodes' and datanodes' memory. Each proxy reads the
 * cluster itself (sessions and one memory call per node) instead of receiving rates from rootcoord as Milvus does;
 * see docs/architecture.md for why.
 */
public final class QuotaMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(QuotaMonitor.class);

    /** What the monitor reads from the cluster. */
    public interface Signals {
        int liveProxies();

        /** The memory of every querynode and datanode that answered. */
        List<MemoryProtection.NodeMemory> nodeMemory();
    }

    private final QuotaLimiter limiter;
    private final QuotaConfig.MemProtection memProtection;
    private final Signals signals;

    public QuotaMonitor(QuotaLimiter limiter, QuotaConfig.MemProtection memProtection, Signals signals) {
        this.limiter = requireNonNull(limiter, "limiter is null");
        this.memProtection = requireNonNull(memProtection, "memProtection is null");
        this.signals = requireNonNull(signals, "signals is null");
    }

    /** One refresh; a failure keeps the previous state (logged), so a blip of the session store changes nothing. */
    public void refresh() {
        try {
            List<MemoryProtection.NodeMemory> nodes = memProtection.enabled() ? signals.nodeMemory() : List.of();
            QuotaLimiter.State next = new QuotaLimiter.State(signals.liveProxies(), MemoryProtection.writeFactor(memProtection, nodes));
            QuotaLimiter.State before = limiter.state();
            limiter.update(next);
            if (!next.equals(before)) {
                LOG.info("quota state changed proxies={} writeFactor={} (was proxies={} writeFactor={})", next.proxies(),
                        next.writeFactor(), before.proxies(), before.writeFactor());
            }
        } catch (RuntimeException e) {
            LOG.warn("quota refresh failed, keeping proxies={} writeFactor={}: {}", limiter.state().proxies(),
                    limiter.state().writeFactor(), e.toString());
        }
    }
}
