package io.quiver.common.column;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.VectorField;
import java.util.Arrays;

/** FLOAT_VECTOR values, row-major in one float array. */
public final class FloatVectorColumn extends FieldColumn {
    private final int dim;
    private volatile float[] data = new float[0];

    public FloatVectorColumn(long fieldId, int dim) {
        super(fieldId, DataType.FloatVector, false);
        this.dim = dim;
    }

    public int dim() { return dim; }

    /** The backing array (row-major, dim floats a row); valid for rows below {@link #size()} read before. */
    public float[] array() { return data; }

    public void add(float[] values, int offset, int rows) {
        int n = size;
        ensureCapacity(n + rows);
        System.arraycopy(values, offset, data, n * dim, rows * dim);
        size = n + rows;
    }

    @Override
    protected void ensureCapacity(int rows) {
        long need = (long) rows * dim;
        if (need > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("segment too large for one vector column: " + rows + " rows of dim " + dim);
        }
        if (data.length < need) {
            int cap = grow(data.length / Math.max(1, dim), rows);
            data = Arrays.copyOf(data, (int) Math.min((long) cap * dim, Integer.MAX_VALUE - 16));
        }
    }

    @Override
    protected void appendValues(FieldData fd, int base, int n) {
        float[] d = data;
        FloatArray a = fd.getVectors().getFloatVector();
        int off = base * dim;
        int total = n * dim;
        for (int i = 0; i < total; i++) d[off + i] = a.getData(i);
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        FloatArray.Builder a = FloatArray.newBuilder();
        float[] d = data;
        for (int i = 0; i < count; i++) {
            int off = rows[i] * dim;
            for (int j = 0; j < dim; j++) a.addData(d[off + j]);
        }
        b.setVectors(VectorField.newBuilder().setDim(dim).setFloatVector(a));
    }

    @Override
    public long ramBytesUsed() { return 16L + 4L * data.length; }
}
