package io.quiver.common.column;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.quiver.common.schema.Schemas;
import java.util.BitSet;

/**
 * One field's values for the rows of a segment, column-major, append-only.
 *
 * <p>Concurrency: a single writer appends (the shard's WAL consumer) while any number of readers
 * read rows below {@link #size()}. The writer stores the data (growing the backing array into a new
 * copy when needed and publishing it through a volatile field) before it publishes the new size, so
 * a reader that reads {@code size()} first always sees complete rows. Nullable columns keep a validity
 * bitmap; a row is null when {@link #isNull(int)}.
 */
public abstract sealed class FieldColumn
        permits BoolColumn, LongColumn, FloatColumn, DoubleColumn, ObjectColumn, FloatVectorColumn, ByteVectorColumn {

    protected final long fieldId;
    protected final DataType type;
    protected final boolean nullable;
    protected volatile int size;
    // guarded by: single writer; readers read only rows < size. Set bit = null row.
    private volatile long[] nulls = new long[0];

    protected FieldColumn(long fieldId, DataType type, boolean nullable) {
        this.fieldId = fieldId;
        this.type = type;
        this.nullable = nullable;
    }

    public final long fieldId() { return fieldId; }

    public final DataType type() { return type; }

    public final boolean nullable() { return nullable; }

    /** Rows published so far. */
    public final int size() { return size; }

    public final boolean isNull(int row) {
        long[] n = nulls;
        int w = row >>> 6;
        return w < n.length && (n[w] & (1L << row)) != 0;
    }

    /** Appends the rows of a FieldData of this column's type (values of null rows are ignored). */
    public final void append(FieldData fd, int numRows) {
        int base = size;
        ensureCapacity(base + numRows);
        appendValues(fd, base, numRows);
        if (fd.getValidDataCount() > 0) {
            markNulls(fd, base, numRows);
        }
        size = base + numRows;
    }

    private void markNulls(FieldData fd, int base, int numRows) {
        long[] n = nulls;
        int need = ((base + numRows) >>> 6) + 1;
        if (n.length < need) {
            n = java.util.Arrays.copyOf(n, Math.max(need, n.length * 2));
        }
        for (int i = 0; i < numRows; i++) {
            if (!fd.getValidData(i)) {
                int r = base + i;
                n[r >>> 6] |= 1L << r;
            }
        }
        nulls = n;
    }

    /** Builds the FieldData of the given rows, in order. */
    public final FieldData toFieldData(String fieldName, int[] rows, int count) {
        FieldData.Builder b = FieldData.newBuilder().setType(type).setFieldName(fieldName).setFieldId(fieldId);
        writeValues(b, rows, count);
        if (nullable) {
            for (int i = 0; i < count; i++) {
                b.addValidData(!isNull(rows[i]));
            }
        }
        return b.build();
    }

    protected abstract void ensureCapacity(int rows);

    /** Copies {@code numRows} values of {@code fd} into rows {@code base..}; null rows may hold any value. */
    protected abstract void appendValues(FieldData fd, int base, int numRows);

    protected abstract void writeValues(FieldData.Builder b, int[] rows, int count);

    /** Bytes held by this column (for memory admission). */
    public abstract long ramBytesUsed();

    /** Validity as a BitSet (set = valid), for serialisation; null if the column is not nullable. */
    public BitSet validity() {
        if (!nullable) {
            return null;
        }
        BitSet b = new BitSet(size);
        for (int i = 0; i < size; i++) {
            if (!isNull(i)) {
                b.set(i);
            }
        }
        return b;
    }

    /** Marks a row null (used when loading a column from storage). */
    protected final void setNull(int row) {
        long[] n = nulls;
        int need = (row >>> 6) + 1;
        if (n.length < need) {
            n = java.util.Arrays.copyOf(n, Math.max(need, n.length * 2));
        }
        n[row >>> 6] |= 1L << row;
        nulls = n;
    }

    static int grow(int current, int needed) {
        int n = Math.max(16, current);
        while (n < needed) {
            n = n + (n >> 1);
        }
        return n;
    }

    /** A new empty column for a field of the schema. */
    public static FieldColumn create(io.milvus.grpc.FieldSchema field) {
        long id = field.getFieldID();
        boolean nullable = field.getNullable();
        DataType t = field.getDataType();
        return switch (t) {
            case Bool -> new BoolColumn(id, nullable);
            case Int8, Int16, Int32, Int64 -> new LongColumn(id, t, nullable);
            case Float -> new FloatColumn(id, nullable);
            case Double -> new DoubleColumn(id, nullable);
            case VarChar, String -> new StringColumn(id, t, nullable);
            case JSON -> new JsonColumn(id, nullable);
            case Array -> new ArrayColumn(id, field.getElementType(), nullable);
            case FloatVector -> new FloatVectorColumn(id, Schemas.dim(field));
            case BinaryVector -> new ByteVectorColumn(id, t, Schemas.dim(field) / 8);
            case Float16Vector, BFloat16Vector -> new ByteVectorColumn(id, t, Schemas.dim(field) * 2);
            case SparseFloatVector -> new SparseVectorColumn(id);
            default -> throw new IllegalArgumentException("unsupported data type " + t + " for field " + field.getName());
        };
    }
}
