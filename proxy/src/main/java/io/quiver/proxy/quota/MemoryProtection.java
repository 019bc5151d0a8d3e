package io.quiver.proxy.quota;

import io.quiver.common.config.QuotaConfig;
import java.util.List;

/**
 * Milvus' memory protection (QuotaCenter's memory factor): for each querynode and datanode with memory usage
 * {@code m} (a fraction), the write factor is 1 at or below its low-water level, 0 at or above its high-water level
 * (writes denied), and {@code (high - m) / (high - low)} between (finite write rates scaled down). The cluster's factor
 * is the smallest over all nodes. Milvus applies a node's factor to the collections it holds; Quiver applies the
 * smallest to every write, which is stricter and needs no per-collection placement at the proxy.
 */
public final class MemoryProtection {
    private MemoryProtection() {}

    /** One node's memory: what it holds and what it may hold. */
    public record NodeMemory(boolean queryNode, long used, long limit) {
        double usage() {
            return limit <= 0 ? 0 : (double) used / limit;
        }
    }

    public static double writeFactor(QuotaConfig.MemProtection cfg, List<NodeMemory> nodes) {
        if (!cfg.enabled()) {
            return 1.0;
        }
        double factor = 1.0;
        for (NodeMemory n : nodes) {
            QuotaConfig.WaterLevels w = n.queryNode() ? cfg.queryNode() : cfg.dataNode();
            double m = n.usage();
            double f = m <= w.low() ? 1.0 : m >= w.high() ? 0.0 : (w.high() - m) / (w.high() - w.low());
            factor = Math.min(factor, f);
        }
        return factor;
    }
}
