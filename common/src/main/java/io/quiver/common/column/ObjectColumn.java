package io.quiver.common.column;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import java.util.Arrays;

/**
 * Columns holding one object per row (VARCHAR, JSON, ARRAY, sparse vectors): the growable array, its publication
 * and the memory estimate they share; each subclass says how to read a value from a batch and how much it weighs.
 * Concurrency as in {@link FieldColumn}: the array is replaced (never resized in place) and published through a
 * volatile field before the size.
 */
public abstract sealed class ObjectColumn<T> extends FieldColumn permits StringColumn, JsonColumn, ArrayColumn, SparseVectorColumn {
    private volatile T[] data;
    private long payloadBytes; // written by the single writer only
    private final long rowOverheadBytes;

    protected ObjectColumn(long fieldId, DataType type, boolean nullable, T[] empty, long rowOverheadBytes) {
        super(fieldId, type, nullable);
        this.data = empty;
        this.rowOverheadBytes = rowOverheadBytes;
    }

    public final T get(int row) { return data[row]; }

    /** The backing array (rows below {@link #size()} read when {@code size()} was read are complete; never write it). */
    protected final T[] values() { return data; }

    /** Appends one value. */
    public final void add(T v) {
        int n = size;
        ensureCapacity(n + 1);
        data[n] = v;
        payloadBytes += weigh(v);
        size = n + 1;
    }

    /** The bytes {@code v} holds beyond the per-row overhead. */
    protected abstract long weigh(T v);

    /** Row {@code i} of a batch, or the type's empty value where the batch has none. */
    protected abstract T valueAt(FieldData fd, int i);

    @Override
    protected final void ensureCapacity(int rows) {
        if (data.length < rows) data = Arrays.copyOf(data, grow(data.length, rows));
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        T[] d = data;
        for (int i = 0; i < n; i++) {
            T v = valueAt(fd, i);
            d[base + i] = v;
            payloadBytes += weigh(v);
        }
    }

    @Override
    public final long ramBytesUsed() { return 16L + 8L * data.length + rowOverheadBytes * size + payloadBytes; }
}
