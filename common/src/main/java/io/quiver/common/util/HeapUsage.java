package io.quiver.common.util;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/**
 * The JVM's live heap: what its heap pools held after their last collection (garbage not yet collected does not
 * count, so a process about to collect does not look full), against the maximum heap. A pool the JVM reports no
 * after-collection figure for counts with its current use.
 */
public final class HeapUsage {
    private HeapUsage() {}

    public static long liveBytes() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP || !pool.isValid()) {
                continue;
            }
            MemoryUsage afterGc = pool.getCollectionUsage();
            used += afterGc != null ? afterGc.getUsed() : pool.getUsage().getUsed();
        }
        return used;
    }

    public static long maxBytes() {
        return Runtime.getRuntime().maxMemory();
    }
}
