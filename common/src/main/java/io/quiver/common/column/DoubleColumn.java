package io.quiver.common.column;

import io.milvus.grpc.DataType;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.ScalarField;
import java.util.Arrays;

/** DOUBLE values. */
public final class DoubleColumn extends FieldColumn {
    private volatile double[] data = new double[0];

    public DoubleColumn(long fieldId, boolean nullable) {
        super(fieldId, DataType.Double, nullable);
    }

    public double get(int row) { return data[row]; }

    @Override
    protected void ensureCapacity(int rows) {
        if (data.length < rows) data = Arrays.copyOf(data, grow(data.length, rows));
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        double[] d = data;
        DoubleArray a = fd.getScalars().getDoubleData();
        for (int i = 0; i < n; i++) d[base + i] = a.getData(i);
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        DoubleArray.Builder a = DoubleArray.newBuilder();
        for (int i = 0; i < count; i++) a.addData(data[rows[i]]);
        b.setScalars(ScalarField.newBuilder().setDoubleData(a));
    }

    @Override
    public long ramBytesUsed() { return 16L + 8L * data.length; }
}
