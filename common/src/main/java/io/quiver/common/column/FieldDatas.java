package io.quiver.common.column;

import com.google.protobuf.ByteString;
import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.BoolArray;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.IDs;
import io.milvus.grpc.IntArray;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import java.util.List;

/** Row selection and concatenation of {@code FieldData} and {@code IDs}, for reducing partial results. */
public final class FieldDatas {
    private FieldDatas() {}

    /** Number of rows a FieldData holds. */
    public static int rows(FieldData fd) {
        if (fd.hasScalars()) {
            ScalarField s = fd.getScalars();
            return switch (s.getDataCase()) {
                case BOOL_DATA -> s.getBoolData().getDataCount();
                case INT_DATA -> s.getIntData().getDataCount();
                case LONG_DATA -> s.getLongData().getDataCount();
                case FLOAT_DATA -> s.getFloatData().getDataCount();
                case DOUBLE_DATA -> s.getDoubleData().getDataCount();
                case STRING_DATA -> s.getStringData().getDataCount();
                case BYTES_DATA -> s.getBytesData().getDataCount();
                case ARRAY_DATA -> s.getArrayData().getDataCount();
                case JSON_DATA -> s.getJsonData().getDataCount();
                default -> 0;
            };
        }
        VectorField v = fd.getVectors();
        long dim = Math.max(1, v.getDim());
        return switch (v.getDataCase()) {
            case FLOAT_VECTOR -> (int) (v.getFloatVector().getDataCount() / dim);
            case BINARY_VECTOR -> (int) (v.getBinaryVector().size() / (dim / 8));
            case FLOAT16_VECTOR -> (int) (v.getFloat16Vector().size() / (dim * 2));
            case BFLOAT16_VECTOR -> (int) (v.getBfloat16Vector().size() / (dim * 2));
            case SPARSE_FLOAT_VECTOR -> v.getSparseFloatVector().getContentsCount();
            default -> 0;
        };
    }

    /**
     * Builds one FieldData whose row i is row {@code rows[i]} of {@code parts.get(partOf[i])}. All parts must
     * describe the same field; the first part provides name, id and type. An empty part list gives null.
     */
    public static FieldData gather(List<FieldData> parts, int[] partOf, int[] rows, int count) {
        if (parts.isEmpty()) {
            return null;
        }
        FieldData first = parts.get(0);
        FieldData.Builder b = FieldData.newBuilder().setType(first.getType()).setFieldName(first.getFieldName())
                .setFieldId(first.getFieldId()).setIsDynamic(first.getIsDynamic());
        boolean nullable = parts.stream().anyMatch(p -> p.getValidDataCount() > 0);
        if (nullable) {
            for (int i = 0; i < count; i++) {
                FieldData p = parts.get(partOf[i]);
                b.addValidData(p.getValidDataCount() == 0 || p.getValidData(rows[i]));
            }
        }
        if (first.hasScalars()) {
            ScalarField.Builder s = ScalarField.newBuilder();
            switch (first.getScalars().getDataCase()) {
                case BOOL_DATA -> {
                    BoolArray.Builder a = BoolArray.newBuilder();
                    for (int i = 0; i < count; i++) a.addData(parts.get(partOf[i]).getScalars().getBoolData().getData(rows[i]));
                    s.setBoolData(a);
                }
                case INT_DATA -> {
                    IntArray.Builder a = IntArray.newBuilder();
                    for (int i = 0; i < count; i++) a.addData(parts.get(partOf[i]).getScalars().getIntData().getData(rows[i]));
                    s.setIntData(a);
                }
                case LONG_DATA -> {
                    LongArray.Builder a = LongArray.newBuilder();
                    for (int i = 0; i < count; i++) a.addData(parts.get(partOf[i]).getScalars().getLongData().getData(rows[i]));
                    s.setLongData(a);
                }
                case FLOAT_DATA -> {
                    FloatArray.Builder a = FloatArray.newBuilder();
                    for (int i = 0; i < count; i++) a.addData(parts.get(partOf[i]).getScalars().getFloatData().getData(rows[i]));
                    s.setFloatData(a);
                }
                case DOUBLE_DATA -> {
                    DoubleArray.Builder a = DoubleArray.newBuilder();
                    for (int i = 0; i < count; i++) a.addData(parts.get(partOf[i]).getScalars().getDoubleData().getData(rows[i]));
                    s.setDoubleData(a);
                }
                case STRING_DATA -> {
                    StringArray.Builder a = StringArray.newBuilder();
                    for (int i = 0; i < count; i++) a.addData(parts.get(partOf[i]).getScalars().getStringData().getData(rows[i]));
                    s.setStringData(a);
                }
                case JSON_DATA -> {
                    JSONArray.Builder a = JSONArray.newBuilder();
                    for (int i = 0; i < count; i++) a.addData(parts.get(partOf[i]).getScalars().getJsonData().getData(rows[i]));
                    s.setJsonData(a);
                }
                case ARRAY_DATA -> {
                    ArrayArray.Builder a = ArrayArray.newBuilder().setElementType(first.getScalars().getArrayData().getElementType());
                    for (int i = 0; i < count; i++) a.addData(parts.get(partOf[i]).getScalars().getArrayData().getData(rows[i]));
                    s.setArrayData(a);
                }
                default -> { }
            }
            b.setScalars(s);
        } else {
            VectorField v0 = first.getVectors();
            VectorField.Builder v = VectorField.newBuilder().setDim(v0.getDim());
            int dim = (int) v0.getDim();
            switch (v0.getDataCase()) {
                case FLOAT_VECTOR -> {
                    FloatArray.Builder a = FloatArray.newBuilder();
                    for (int i = 0; i < count; i++) {
                        FloatArray src = parts.get(partOf[i]).getVectors().getFloatVector();
                        int off = rows[i] * dim;
                        for (int j = 0; j < dim; j++) a.addData(src.getData(off + j));
                    }
                    v.setFloatVector(a);
                }
                case BINARY_VECTOR -> v.setBinaryVector(gatherBytes(parts, partOf, rows, count, dim / 8, 0));
                case FLOAT16_VECTOR -> v.setFloat16Vector(gatherBytes(parts, partOf, rows, count, dim * 2, 1));
                case BFLOAT16_VECTOR -> v.setBfloat16Vector(gatherBytes(parts, partOf, rows, count, dim * 2, 2));
                case SPARSE_FLOAT_VECTOR -> {
                    SparseFloatArray.Builder a = SparseFloatArray.newBuilder().setDim(v0.getSparseFloatVector().getDim());
                    for (int i = 0; i < count; i++) a.addContents(parts.get(partOf[i]).getVectors().getSparseFloatVector().getContents(rows[i]));
                    v.setSparseFloatVector(a);
                }
                default -> { }
            }
            b.setVectors(v);
        }
        return b.build();
    }

    private static ByteString gatherBytes(List<FieldData> parts, int[] partOf, int[] rows, int count, int width, int kind) {
        byte[] out = new byte[count * width];
        for (int i = 0; i < count; i++) {
            VectorField v = parts.get(partOf[i]).getVectors();
            ByteString src = kind == 0 ? v.getBinaryVector() : kind == 1 ? v.getFloat16Vector() : v.getBfloat16Vector();
            src.copyTo(out, rows[i] * width, i * width, width);
        }
        return ByteString.copyFrom(out);
    }

    /** The same gather for primary keys. */
    public static IDs gatherIds(List<IDs> parts, int[] partOf, int[] rows, int count) {
        IDs.Builder b = IDs.newBuilder();
        boolean strings = parts.stream().anyMatch(IDs::hasStrId);
        if (strings) {
            StringArray.Builder a = StringArray.newBuilder();
            for (int i = 0; i < count; i++) a.addData(parts.get(partOf[i]).getStrId().getData(rows[i]));
            b.setStrId(a);
        } else {
            LongArray.Builder a = LongArray.newBuilder();
            for (int i = 0; i < count; i++) a.addData(parts.get(partOf[i]).getIntId().getData(rows[i]));
            b.setIntId(a);
        }
        return b.build();
    }

    public static int idCount(IDs ids) {
        return ids.hasStrId() ? ids.getStrId().getDataCount() : ids.getIntId().getDataCount();
    }

    /** Primary key i as Long or String. */
    public static Object id(IDs ids, int i) {
        return ids.hasStrId() ? ids.getStrId().getData(i) : (Object) ids.getIntId().getData(i);
    }
}
