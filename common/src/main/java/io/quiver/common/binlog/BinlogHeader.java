package io.quiver.common.binlog;

import io.milvus.grpc.DataType;

/**
 * The fixed header of a binlog (see {@link BinlogCodec} for the layout).
 *
 * @param version     format version (1)
 * @param dataType    the field's data type
 * @param elementType element type of an ARRAY field, {@code DataType.None} otherwise
 * @param fieldId     the field id of the column that was written (informational)
 * @param dim         vector dimension as Milvus counts it (bits for binary vectors; for sparse vectors the
 *                    largest index + 1 over the stored rows); 0 for scalars
 * @param bytesPerRow bytes a row takes in the payload for fixed-width types; 0 for variable-width types
 * @param rows        rows stored
 * @param tsFrom      smallest timestamp of the rows, as given by the writer
 * @param tsTo        largest timestamp of the rows, as given by the writer
 * @param nullable    whether the file carries a validity bitmap
 */
public record BinlogHeader(int version, DataType dataType, DataType elementType, long fieldId, long dim,
                           int bytesPerRow, int rows, long tsFrom, long tsTo, boolean nullable) {}
