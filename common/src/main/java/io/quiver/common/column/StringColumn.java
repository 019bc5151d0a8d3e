package io.quiver.common.column;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import java.util.Arrays;

/** VARCHAR values. */
public final class StringColumn extends FieldColumn {
    private volatile String[] data = new String[0];
    private long chars;

    public StringColumn(long fieldId, DataType type, boolean nullable) {
        super(fieldId, type, nullable);
    }

    public String get(int row) { return data[row]; }

    public void add(String v) {
        int n = size;
        ensureCapacity(n + 1);
        data[n] = v;
        chars += v.length();
        size = n + 1;
    }

    @Override
    protected void ensureCapacity(int rows) {
        if (data.length < rows) data = Arrays.copyOf(data, grow(data.length, rows));
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        String[] d = data;
        StringArray a = fd.getScalars().getStringData();
        for (int i = 0; i < n; i++) {
            String s = i < a.getDataCount() ? a.getData(i) : "";
            d[base + i] = s;
            chars += s.length();
        }
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        StringArray.Builder a = StringArray.newBuilder();
        for (int i = 0; i < count; i++) {
            String s = data[rows[i]];
            a.addData(s == null ? "" : s);
        }
        b.setScalars(ScalarField.newBuilder().setStringData(a));
    }

    @Override
    public long ramBytesUsed() { return 16L + 8L * data.length + 48L * size + 2L * chars; }
}
