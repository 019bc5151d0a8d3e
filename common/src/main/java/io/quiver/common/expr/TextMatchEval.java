package io.quiver.common.expr;

import io.milvus.grpc.FieldSchema;
import io.quiver.common.column.ColumnSource;
import io.quiver.common.column.StringColumn;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.text.TextFields;
import io.quiver.common.text.TextIndex;
import io.quiver.proto.plan.TextMatchExpr;

/**
 * Evaluates TEXT_MATCH / PHRASE_MATCH through the segment's text index ({@link TextIndexSource}); a source without
 * one (tests, tools) gets an index built for this evaluation with the field's analyzer. A field without
 * {@code enable_match} has no text index: Milvus' error.
 */
final class TextMatchEval {
    private TextMatchEval() {}

    /** The rows below {@code rows} that match, as bitmap words. */
    static long[] evaluate(TextMatchExpr e, ColumnSource segment, StringColumn column, int rows, int words) {
        long fieldId = e.getColumnInfo().getFieldId();
        TextIndex index = segment instanceof TextIndexSource src ? src.textIndex(fieldId, rows) : transientIndex(segment, fieldId, column, rows);
        if (index == null) {
            throw new QuiverException(ErrorCode.TEXT_INDEX_NOT_FOUND, "field id " + fieldId + " has no text index (enable_match is off)");
        }
        long[] out = new long[words];
        switch (e.getType()) {
            case ANY_TOKEN -> index.matchAny(e.getQuery(), rows, out);
            case PHRASE -> index.matchPhrase(e.getQuery(), Integer.toUnsignedLong(e.getSlop()), rows, out);
            default -> throw new IllegalArgumentException("unknown text match type " + e.getType());
        }
        return out;
    }

    private static TextIndex transientIndex(ColumnSource segment, long fieldId, StringColumn column, int rows) {
        for (FieldSchema f : segment.schema().getFieldsList()) {
            if (f.getFieldID() == fieldId) {
                return TextFields.matchEnabled(f) ? TextIndex.build(TextFields.analyzer(f), column, rows) : null;
            }
        }
        return null;
    }
}
