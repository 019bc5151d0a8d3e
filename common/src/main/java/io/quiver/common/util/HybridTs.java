package io.quiver.common.util;

/**
 * Hybrid timestamps as Milvus encodes them: {@code (physical_ms << 18) | logical}.
 * The physical part is wall-clock milliseconds; the logical part orders events within one millisecond.
 */
public final class HybridTs {
    public static final int LOGICAL_BITS = 18;
    public static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    private HybridTs() {}

    public static long compose(long physicalMs, long logical) {
        return (physicalMs << LOGICAL_BITS) | (logical & LOGICAL_MASK);
    }

    public static long physical(long ts) {
        return ts >>> LOGICAL_BITS;
    }

    public static long logical(long ts) {
        return ts & LOGICAL_MASK;
    }

    /** The timestamp {@code ms} milliseconds before {@code ts} (logical part zero). */
    public static long minusMillis(long ts, long ms) {
        long p = physical(ts) - ms;
        return p <= 0 ? 0 : compose(p, 0);
    }
}
