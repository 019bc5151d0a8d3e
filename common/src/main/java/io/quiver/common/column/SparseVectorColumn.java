package io.quiver.common.column;

import com.google.protobuf.ByteString;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.VectorField;

/** SPARSE_FLOAT_VECTOR values: one Milvus-encoded row (uint32 index, float32 value pairs) per row. */
public final class SparseVectorColumn extends ObjectColumn<byte[]> {
    private long maxDim;

    public SparseVectorColumn(long fieldId) {
        super(fieldId, DataType.SparseFloatVector, false, new byte[0][], 16L);
    }

    /** The rows in Milvus' encoding, for exact scans without a copy (read only, rows below a size read before). */
    public byte[][] rows() { return values(); }

    @Override
    protected long weigh(byte[] v) { return v.length; }

    @Override
    protected byte[] valueAt(FieldData fd, int i) {
        return fd.getVectors().getSparseFloatVector().getContents(i).toByteArray();
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        maxDim = Math.max(maxDim, fd.getVectors().getSparseFloatVector().getDim());
        super.appendValues(fd, base, n);
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        SparseFloatArray.Builder a = SparseFloatArray.newBuilder().setDim(maxDim);
        for (int i = 0; i < count; i++) a.addContents(ByteString.copyFrom(get(rows[i])));
        b.setVectors(VectorField.newBuilder().setDim(maxDim).setSparseFloatVector(a));
    }
}
