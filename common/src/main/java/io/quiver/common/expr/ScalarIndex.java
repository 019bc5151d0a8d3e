package io.quiver.common.expr;

import java.util.Collection;

/**
 * An index over one scalar column of a sealed segment that the evaluator uses for comparisons, ranges and
 * {@code in} on that column instead of scanning it. Bounds and values are Long (integer columns), Double
 * (FLOAT/DOUBLE) or String (VARCHAR); a null bound is unbounded. Rows are set in {@code out} (a row bitmap).
 */
public interface ScalarIndex {
    void range(Object lo, boolean loInclusive, Object hi, boolean hiInclusive, long[] out);

    void in(Collection<?> values, long[] out);

    /** The kind of value this index takes: Long, Double or String. */
    Class<?> valueType();

    long ramBytesUsed();
}
