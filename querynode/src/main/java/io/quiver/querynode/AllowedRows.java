package io.quiver.querynode;

import io.quiver.index.FixedBits;
import java.util.BitSet;

/**
 * The rows of a segment a read may return: every one of the first {@code rows} (no words), or the set bits of
 * {@code words} ({@code count} of them). Words may be shared with a cache (a segment's rows visible after every
 * delete): they are never written once handed out; {@link #and} makes new ones.
 */
record AllowedRows(int rows, long[] words, int count) {
    static AllowedRows all(int rows) {
        return new AllowedRows(rows, null, rows);
    }

    static AllowedRows none(int rows) {
        return new AllowedRows(rows, new long[wordsFor(rows)], 0);
    }

    static int wordsFor(int rows) {
        return (rows + 63) >>> 6;
    }

    boolean allRows() {
        return words == null;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** The index-core filter for these rows: null when every row is allowed (no copy of the words). */
    FixedBits bits() {
        return words == null ? null : FixedBits.wrap(words, rows);
    }

    /** The rows that are also set in {@code filter}. */
    AllowedRows and(BitSet filter) {
        long[] f = filter.toLongArray();
        long[] out = new long[wordsFor(rows)];
        int n = Math.min(out.length, f.length);
        int c = 0;
        for (int i = 0; i < n; i++) {
            out[i] = words == null ? f[i] : words[i] & f[i];
            c += Long.bitCount(out[i]);
        }
        if (words == null && n == out.length && (rows & 63) != 0) {
            c -= Long.bitCount(out[n - 1] & (-1L << rows)); // filter bits past the last row
            out[n - 1] &= ~(-1L << rows);
        }
        return new AllowedRows(rows, out, c);
    }
}
