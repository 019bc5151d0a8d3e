package io.quiver.common.column;

import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.ScalarField;

/** ARRAY values: one {@code ScalarField} of the element type per row. */
public final class ArrayColumn extends ObjectColumn<ScalarField> {
    private final DataType elementType;

    public ArrayColumn(long fieldId, DataType elementType, boolean nullable) {
        super(fieldId, DataType.Array, nullable, new ScalarField[0], 32L);
        this.elementType = elementType;
    }

    public DataType elementType() { return elementType; }

    @Override
    protected long weigh(ScalarField v) { return v.getSerializedSize(); }

    @Override
    protected ScalarField valueAt(FieldData fd, int i) {
        ArrayArray a = fd.getScalars().getArrayData();
        return i < a.getDataCount() ? a.getData(i) : ScalarField.getDefaultInstance();
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        ArrayArray.Builder a = ArrayArray.newBuilder().setElementType(elementType);
        for (int i = 0; i < count; i++) {
            ScalarField v = get(rows[i]);
            a.addData(v == null ? ScalarField.getDefaultInstance() : v);
        }
        b.setScalars(ScalarField.newBuilder().setArrayData(a));
    }
}
