package io.quiver.common.column;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.ScalarField;
import java.util.Arrays;

/** FLOAT values. */
public final class FloatColumn extends FieldColumn {
    private volatile float[] data = new float[0];

    public FloatColumn(long fieldId, boolean nullable) {
        super(fieldId, DataType.Float, nullable);
    }

    public float get(int row) { return data[row]; }

    @Override
    protected void ensureCapacity(int rows) {
        if (data.length < rows) data = Arrays.copyOf(data, grow(data.length, rows));
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        float[] d = data;
        FloatArray a = fd.getScalars().getFloatData();
        for (int i = 0; i < n; i++) d[base + i] = a.getData(i);
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        FloatArray.Builder a = FloatArray.newBuilder();
        for (int i = 0; i < count; i++) a.addData(data[rows[i]]);
        b.setScalars(ScalarField.newBuilder().setFloatData(a));
    }

    @Override
    public long ramBytesUsed() { return 16L + 4L * data.length; }
}
