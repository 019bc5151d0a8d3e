package io.quiver.common.column;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.IntArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import java.util.Arrays;

/** INT8, INT16, INT32 and INT64 values, widened to long. Also used for row ids and timestamps. */
public final class LongColumn extends FieldColumn {
    private volatile long[] data = new long[0];

    public LongColumn(long fieldId, DataType type, boolean nullable) {
        super(fieldId, type, nullable);
    }

    public long get(int row) { return data[row]; }

    /** The backing array; valid for rows below {@link #size()} read before this call. */
    public long[] array() { return data; }

    public void add(long v) {
        int n = size;
        ensureCapacity(n + 1);
        data[n] = v;
        size = n + 1;
    }

    /** Appends a value that is repeated {@code count} times (e.g. one timestamp per insert message). */
    public void addRepeated(long v, int count) {
        int n = size;
        ensureCapacity(n + count);
        Arrays.fill(data, n, n + count, v);
        size = n + count;
    }

    @Override
    protected void ensureCapacity(int rows) {
        if (data.length < rows) {
            data = Arrays.copyOf(data, grow(data.length, rows));
        }
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        long[] d = data;
        ScalarField s = fd.getScalars();
        if (s.hasLongData()) {
            for (int i = 0; i < n; i++) d[base + i] = s.getLongData().getData(i);
        } else {
            for (int i = 0; i < n; i++) d[base + i] = s.getIntData().getData(i);
        }
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        long[] d = data;
        if (type == DataType.Int64) {
            LongArray.Builder a = LongArray.newBuilder();
            for (int i = 0; i < count; i++) a.addData(d[rows[i]]);
            b.setScalars(ScalarField.newBuilder().setLongData(a));
        } else {
            IntArray.Builder a = IntArray.newBuilder();
            for (int i = 0; i < count; i++) a.addData((int) d[rows[i]]);
            b.setScalars(ScalarField.newBuilder().setIntData(a));
        }
    }

    @Override
    public long ramBytesUsed() { return 16L + 8L * data.length; }
}
