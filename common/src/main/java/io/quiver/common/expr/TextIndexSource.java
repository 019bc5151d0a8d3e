package io.quiver.common.expr;

import io.quiver.common.column.ColumnSource;
import io.quiver.common.text.TextIndex;

/** A segment that keeps text indexes for its {@code enable_match} fields (TEXT_MATCH / PHRASE_MATCH). */
public interface TextIndexSource extends ColumnSource {
    /** The field's text index covering at least its first {@code rows} rows, or null when the field has none. */
    TextIndex textIndex(long fieldId, int rows);
}
