package io.quiver.common.column;

import io.milvus.grpc.CollectionSchema;

/**
 * The columns of one segment, as filter evaluation and result building read them.
 * {@link #rowCount()} is a snapshot: callers read rows below it only.
 */
public interface ColumnSource {
    int rowCount();

    /** The column of a field id (user fields >= 100, the dynamic field's id), or null if absent. */
    FieldColumn column(long fieldId);

    /** Primary keys (INT64 pk: a {@link LongColumn}; VARCHAR pk: a {@link StringColumn}). */
    FieldColumn primaryKeys();

    CollectionSchema schema();
}
