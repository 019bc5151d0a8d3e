package io.quiver.common.column;

import com.google.protobuf.ByteString;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.VectorField;
import java.util.Arrays;

/** BINARY_VECTOR, FLOAT16_VECTOR and BFLOAT16_VECTOR values: fixed-size byte rows. */
public final class ByteVectorColumn extends FieldColumn {
    private final int bytesPerRow;
    private volatile byte[] data = new byte[0];

    public ByteVectorColumn(long fieldId, DataType type, int bytesPerRow) {
        super(fieldId, type, false);
        this.bytesPerRow = bytesPerRow;
    }

    public int bytesPerRow() { return bytesPerRow; }

    public byte[] array() { return data; }

    /** The vector dimension as Milvus counts it (bits for binary, components otherwise). */
    public int dim() {
        return switch (type) {
            case BinaryVector -> bytesPerRow * 8;
            case Float16Vector, BFloat16Vector -> bytesPerRow / 2;
            default -> bytesPerRow;
        };
    }

    @Override
    protected void ensureCapacity(int rows) {
        long need = (long) rows * bytesPerRow;
        if (data.length < need) {
            int cap = grow(data.length / Math.max(1, bytesPerRow), rows);
            data = Arrays.copyOf(data, (int) Math.min((long) cap * bytesPerRow, Integer.MAX_VALUE - 16));
        }
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        VectorField v = fd.getVectors();
        ByteString src = switch (type) {
            case BinaryVector -> v.getBinaryVector();
            case Float16Vector -> v.getFloat16Vector();
            default -> v.getBfloat16Vector();
        };
        src.copyTo(data, 0, base * bytesPerRow, n * bytesPerRow);
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        byte[] out = new byte[count * bytesPerRow];
        for (int i = 0; i < count; i++) {
            System.arraycopy(data, rows[i] * bytesPerRow, out, i * bytesPerRow, bytesPerRow);
        }
        ByteString bs = ByteString.copyFrom(out);
        VectorField.Builder v = VectorField.newBuilder().setDim(dim());
        switch (type) {
            case BinaryVector -> v.setBinaryVector(bs);
            case Float16Vector -> v.setFloat16Vector(bs);
            default -> v.setBfloat16Vector(bs);
        }
        b.setVectors(v);
    }

    @Override
    public long ramBytesUsed() { return 16L + data.length; }
}
