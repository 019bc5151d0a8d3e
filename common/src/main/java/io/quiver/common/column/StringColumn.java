package io.quiver.common.column;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;

/** VARCHAR values. */
public final class StringColumn extends ObjectColumn<String> {
    public StringColumn(long fieldId, DataType type, boolean nullable) {
        super(fieldId, type, nullable, new String[0], 48L);
    }

    @Override
    protected long weigh(String v) { return 2L * v.length(); }

    @Override
    protected String valueAt(FieldData fd, int i) {
        StringArray a = fd.getScalars().getStringData();
        return i < a.getDataCount() ? a.getData(i) : "";
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        StringArray.Builder a = StringArray.newBuilder();
        for (int i = 0; i < count; i++) {
            String s = get(rows[i]);
            a.addData(s == null ? "" : s);
        }
        b.setScalars(ScalarField.newBuilder().setStringData(a));
    }
}
