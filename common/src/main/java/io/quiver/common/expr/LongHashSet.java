package io.quiver.common.expr;

/** An open-addressing set of longs (linear probing, power-of-two table, load <= 0.5) for large `in` lists. */
final class LongHashSet {
    private final long[] table;
    private final boolean[] used;
    private final int mask;

    LongHashSet(long[] keys) {
        int cap = Integer.highestOneBit(Math.max(4, keys.length) * 2 - 1) << 1;
        table = new long[cap];
        used = new boolean[cap];
        mask = cap - 1;
        for (long k : keys) {
            int i = slot(k);
            while (used[i] && table[i] != k) {
                i = (i + 1) & mask;
            }
            used[i] = true;
            table[i] = k;
        }
    }

    private int slot(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    boolean contains(long k) {
        int i = slot(k);
        while (used[i]) {
            if (table[i] == k) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }
}
