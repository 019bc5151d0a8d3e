package io.quiver.common.column;

import com.google.protobuf.ByteString;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.ScalarField;

/** JSON values (UTF-8 bytes, as the client sent them); also the dynamic field {@code $meta}. */
public final class JsonColumn extends ObjectColumn<byte[]> {
    public JsonColumn(long fieldId, boolean nullable) {
        super(fieldId, DataType.JSON, nullable, new byte[0][], 16L);
    }

    @Override
    protected long weigh(byte[] v) { return v.length; }

    @Override
    protected byte[] valueAt(FieldData fd, int i) {
        JSONArray a = fd.getScalars().getJsonData();
        return i < a.getDataCount() ? a.getData(i).toByteArray() : new byte[0];
    }

    @Override
    protected void writeValues(FieldData.Builder b, int[] rows, int count) {
        JSONArray.Builder a = JSONArray.newBuilder();
        for (int i = 0; i < count; i++) {
            byte[] v = get(rows[i]);
            a.addData(v == null || v.length == 0 ? ByteString.copyFromUtf8(isNull(rows[i]) ? "null" : "{}")
                    : ByteString.copyFrom(v));
        }
        b.setScalars(ScalarField.newBuilder().setJsonData(a));
    }
}
