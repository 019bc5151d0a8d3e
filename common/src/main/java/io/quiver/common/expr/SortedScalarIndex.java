package io.quiver.common.expr;

import io.quiver.common.column.DoubleColumn;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.FloatColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import java.util.Arrays;
import java.util.Collection;

/**
 * The scalar index of a sealed segment: the non-null values sorted with their row numbers, so a comparison or
 * range is two binary searches and a run of row numbers, and {@code in} is one binary search per value.
 * Serves every scalar index type the API accepts (INVERTED, STL_SORT, BITMAP, Trie): they answer the same
 * predicates, and one compact structure (12–16 bytes a row plus the strings) is enough for sealed segments.
 * Null rows are not indexed, so they never match (NULL compares false).
 */
public final class SortedScalarIndex implements ScalarIndex {
    private final long[] longs;
    private final double[] doubles;
    private final String[] strings;
    private final int[] rows;
    private final int size;
    private final long bytes;
    private final boolean floatColumn;

    private SortedScalarIndex(long[] longs, double[] doubles, String[] strings, int[] rows, long bytes) {
        this(longs, doubles, strings, rows, bytes, false);
    }

    private SortedScalarIndex(long[] longs, double[] doubles, String[] strings, int[] rows, long bytes, boolean floatColumn) {
        this.floatColumn = floatColumn;
        this.longs = longs;
        this.doubles = doubles;
        this.strings = strings;
        this.rows = rows;
        this.size = rows.length;
        this.bytes = bytes;
    }

    /** Builds the index of the first {@code n} rows of a column; null if the column type has no index. */
    public static SortedScalarIndex build(FieldColumn c, int n) {
        int valid = 0;
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            if (!c.isNull(i)) rows[valid++] = i;
        }
        rows = Arrays.copyOf(rows, valid);
        Integer[] order = new Integer[valid];
        for (int i = 0; i < valid; i++) order[i] = i;
        final int[] r = rows;
        if (c instanceof LongColumn l) {
            Arrays.sort(order, (a, b) -> Long.compare(l.get(r[a]), l.get(r[b])));
            long[] v = new long[valid];
            int[] rr = new int[valid];
            for (int i = 0; i < valid; i++) {
                v[i] = l.get(r[order[i]]);
                rr[i] = r[order[i]];
            }
            return new SortedScalarIndex(v, null, null, rr, 12L * valid);
        }
        if (c instanceof DoubleColumn || c instanceof FloatColumn) {
            double[] raw = new double[valid];
            for (int i = 0; i < valid; i++) {
                raw[i] = c instanceof DoubleColumn d ? d.get(r[i]) : ((FloatColumn) c).get(r[i]);
            }
            Arrays.sort(order, (a, b) -> Double.compare(raw[a], raw[b]));
            double[] v = new double[valid];
            int[] rr = new int[valid];
            for (int i = 0; i < valid; i++) {
                v[i] = raw[order[i]];
                rr[i] = r[order[i]];
            }
            return new SortedScalarIndex(null, v, null, rr, 12L * valid, c instanceof FloatColumn);
        }
        if (c instanceof StringColumn s) {
            Arrays.sort(order, (a, b) -> s.get(r[a]).compareTo(s.get(r[b])));
            String[] v = new String[valid];
            int[] rr = new int[valid];
            long chars = 0;
            for (int i = 0; i < valid; i++) {
                v[i] = s.get(r[order[i]]);
                rr[i] = r[order[i]];
                chars += v[i].length();
            }
            return new SortedScalarIndex(null, null, v, rr, 12L * valid + 2 * chars);
        }
        return null;
    }

    @Override
    public Class<?> valueType() {
        return longs != null ? Long.class : doubles != null ? Double.class : String.class;
    }

    /** First position whose value is >= key (or > key when {@code after}). */
    private int bound(Object key, boolean after) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareAt(mid, key);
            if (c < 0 || (after && c == 0)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private int compareAt(int i, Object key) {
        if (longs != null) {
            return Long.compare(longs[i], (Long) key);
        }
        if (doubles != null) {
            // FLOAT columns compare against the constant rounded to float, as the scan does
            double k = floatColumn ? ((Number) key).floatValue() : ((Number) key).doubleValue();
            return Double.compare(doubles[i], k);
        }
        return strings[i].compareTo((String) key);
    }

    @Override
    public void range(Object lo, boolean loInclusive, Object hi, boolean hiInclusive, long[] out) {
        int from = lo == null ? 0 : bound(lo, !loInclusive);
        int to = hi == null ? size : bound(hi, hiInclusive);
        for (int i = from; i < to; i++) {
            int row = rows[i];
            out[row >>> 6] |= 1L << row;
        }
    }

    @Override
    public void in(Collection<?> values, long[] out) {
        for (Object v : values) {
            range(v, true, v, true, out);
        }
    }

    @Override
    public long ramBytesUsed() {
        return bytes;
    }
}
