package io.quiver.common.column;

import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.ScalarField;
import java.util.Arrays;

/** ARRAY values: one {@code ScalarField} of the element type per row. */
public final class ArrayColumn extends FieldColumn {
    private final DataType elementType;
    private volatile ScalarField[] data = new ScalarField[0];
    private long bytes;

    public ArrayColumn(long fieldId, DataType elementType, boolean nullable) {
        super(fieldId, DataType.Array, nullable);
        this.elementType = elementType;
    }

    public DataType elementType() { return elementType; }

    public ScalarField get(int row) { return data[row]; }

    public void add(ScalarField v) {
        int n = size;
        ensureCapacity(n + 1);
        data[n] = v;
        bytes += v.getSerializedSize();
        size = n + 1;
    }

    @Override
    protected void ensureCapacity(int rows) {
        if (data.length < rows) data = Arrays.copyOf(data, grow(data.length, rows));
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        ScalarField[] d = data;
        ArrayArray a = fd.getScalars().getArrayData();
        for (int i = 0; i < n; i++) {
            ScalarField v = i < a.getDataCount() ? a.getData(i) : ScalarField.getDefaultInstance();
            d[base + i] = v;
            bytes += v.getSerializedSize();
        }
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        ArrayArray.Builder a = ArrayArray.newBuilder().setElementType(elementType);
        for (int i = 0; i < count; i++) {
            ScalarField v = data[rows[i]];
            a.addData(v == null ? ScalarField.getDefaultInstance() : v);
        }
        b.setScalars(ScalarField.newBuilder().setArrayData(a));
    }

    @Override
    public long ramBytesUsed() { return 16L + 8L * data.length + 32L * size + bytes; }
}
