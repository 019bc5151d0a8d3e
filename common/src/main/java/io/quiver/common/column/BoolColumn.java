package io.quiver.common.column;

import io.milvus.grpc.BoolArray;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.ScalarField;
import java.util.Arrays;

/** BOOL values. */
public final class BoolColumn extends FieldColumn {
    private volatile boolean[] data = new boolean[0];

    public BoolColumn(long fieldId, boolean nullable) {
        super(fieldId, DataType.Bool, nullable);
    }

    public boolean get(int row) { return data[row]; }

    @Override
    protected void ensureCapacity(int rows) {
        if (data.length < rows) data = Arrays.copyOf(data, grow(data.length, rows));
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        boolean[] d = data;
        BoolArray a = fd.getScalars().getBoolData();
        for (int i = 0; i < n; i++) d[base + i] = a.getData(i);
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        BoolArray.Builder a = BoolArray.newBuilder();
        for (int i = 0; i < count; i++) a.addData(data[rows[i]]);
        b.setScalars(ScalarField.newBuilder().setBoolData(a));
    }

    @Override
    public long ramBytesUsed() { return 16L + data.length; }
}
