package io.quiver.common.column;

import com.google.protobuf.ByteString;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.VectorField;
import java.util.Arrays;

/** SPARSE_FLOAT_VECTOR values: one Milvus-encoded row (uint32 index, float32 value pairs) per row. */
public final class SparseVectorColumn extends FieldColumn {
    private volatile byte[][] data = new byte[0][];
    private long bytes;
    private long maxDim;

    public SparseVectorColumn(long fieldId) {
        super(fieldId, DataType.SparseFloatVector, false);
    }

    public byte[] get(int row) { return data[row]; }

    @Override
    protected void ensureCapacity(int rows) {
        if (data.length < rows) data = Arrays.copyOf(data, grow(data.length, rows));
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        SparseFloatArray a = fd.getVectors().getSparseFloatVector();
        maxDim = Math.max(maxDim, a.getDim());
        for (int i = 0; i < n; i++) {
            byte[] v = a.getContents(i).toByteArray();
            data[base + i] = v;
            bytes += v.length;
        }
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        SparseFloatArray.Builder a = SparseFloatArray.newBuilder().setDim(maxDim);
        for (int i = 0; i < count; i++) a.addContents(ByteString.copyFrom(data[rows[i]]));
        b.setVectors(VectorField.newBuilder().setDim(maxDim).setSparseFloatVector(a));
    }

    @Override
    public long ramBytesUsed() { return 16L + 8L * data.length + 16L * size + bytes; }
}
