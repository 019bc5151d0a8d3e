package io.quiver.common.column;

import com.google.protobuf.ByteString;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.ScalarField;
import java.util.Arrays;

/** JSON values (UTF-8 bytes, as the client sent them); also the dynamic field {@code $meta}. */
public final class JsonColumn extends FieldColumn {
    private volatile byte[][] data = new byte[0][];
    private long bytes;

    public JsonColumn(long fieldId, boolean nullable) {
        super(fieldId, DataType.JSON, nullable);
    }

    public byte[] get(int row) { return data[row]; }

    public void add(byte[] v) {
        int n = size;
        ensureCapacity(n + 1);
        data[n] = v;
        bytes += v.length;
        size = n + 1;
    }

    @Override
    protected void ensureCapacity(int rows) {
        if (data.length < rows) data = Arrays.copyOf(data, grow(data.length, rows));
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        byte[][] d = data;
        JSONArray a = fd.getScalars().getJsonData();
        for (int i = 0; i < n; i++) {
            byte[] v = i < a.getDataCount() ? a.getData(i).toByteArray() : new byte[0];
            d[base + i] = v;
            bytes += v.length;
        }
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        JSONArray.Builder a = JSONArray.newBuilder();
        for (int i = 0; i < count; i++) {
            byte[] v = data[rows[i]];
            a.addData(v == null || v.length == 0 ? ByteString.copyFromUtf8(isNull(rows[i]) ? "null" : "{}")
                    : ByteString.copyFrom(v));
        }
        b.setScalars(ScalarField.newBuilder().setJsonData(a));
    }

    @Override
    public long ramBytesUsed() { return 16L + 8L * data.length + 16L * size + bytes; }
}
