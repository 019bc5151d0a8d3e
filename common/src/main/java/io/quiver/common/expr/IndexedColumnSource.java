package io.quiver.common.expr;

import io.quiver.common.column.ColumnSource;

/** A segment whose evaluation may use scalar indexes on some fields. */
public interface IndexedColumnSource extends ColumnSource {
    /** The index of a field, or null to scan the column. */
    ScalarIndex scalarIndex(long fieldId);
}
