package io.quiver.datacoord.importer;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.milvus.grpc.BoolArray;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.IntArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values one import file gives a field, gathered row by row into the column-wise {@link FieldData} an insert
 * carries, so imported rows meet the same column classes as inserted ones. Readers hand over plain Java values
 * ({@link Number}, {@link Boolean}, {@link String}, {@code float[]}, {@code byte[]}, {@link List} for arrays, a
 * {@code Map<Long, Float>} for sparse rows, null); a value the field cannot take fails the import with Milvus'
 * {@code expect 'T' type for field 'X', but got 'U' type}, a vector of the wrong dimension with the dimension named.
 */
final class ImportColumn {
    private final FieldSchema field;
    private final DataType type;
    private final int dim;
    private final FieldData.Builder out;
    private final ScalarField.Builder scalars = ScalarField.newBuilder();
    private final FloatArray.Builder floats = FloatArray.newBuilder();
    private final ByteString.Output bytes = ByteString.newOutput();
    private final SparseFloatArray.Builder sparse = SparseFloatArray.newBuilder();
    private boolean anyNull;
    private int rows;

    ImportColumn(FieldSchema field) {
        this.field = requireNonNull(field, "field is null");
        this.type = field.getDataType();
        this.dim = Schemas.isVector(type) && type != DataType.SparseFloatVector ? Schemas.dim(field) : 0;
        this.out = FieldData.newBuilder().setType(type).setFieldName(field.getName()).setFieldId(field.getFieldID())
                .setIsDynamic(field.getIsDynamic());
    }

    FieldSchema field() {
        return field;
    }

    int rows() {
        return rows;
    }

    /** Appends one row's value; null marks a null (refused for a field that is neither nullable nor defaulted). */
    void add(Object v) {
        boolean isNull = v == null;
        if (isNull && !field.getNullable() && !field.hasDefaultValue()) {
            throw failed("value of field '%s' is missed", field.getName());
        }
        anyNull |= isNull;
        out.addValidData(!isNull);
        switch (type) {
            case Bool -> scalars.getBoolDataBuilder().addData(!isNull && bool(v));
            case Int8, Int16, Int32 -> scalars.getIntDataBuilder().addData(isNull ? 0 : (int) integer(v));
            case Int64 -> scalars.getLongDataBuilder().addData(isNull ? 0 : integer(v));
            case Float -> scalars.getFloatDataBuilder().addData(isNull ? 0 : (float) real(v));
            case Double -> scalars.getDoubleDataBuilder().addData(isNull ? 0 : real(v));
            case VarChar, String -> scalars.getStringDataBuilder().addData(isNull ? "" : string(v));
            case JSON -> scalars.getJsonDataBuilder().addData(isNull ? ByteString.EMPTY : ByteString.copyFromUtf8(string(v)));
            case Array -> scalars.getArrayDataBuilder().setElementType(field.getElementType()).addData(isNull ? ScalarField.getDefaultInstance() : array(v));
            case FloatVector -> floatVector(v);
            case BinaryVector, Float16Vector, BFloat16Vector -> byteVector(v);
            case SparseFloatVector -> sparse.addContents(ByteString.copyFrom(sparseBytes(v)));
            default -> throw failed("fields of type %s cannot be imported (field '%s')", type, field.getName());
        }
        rows++;
    }

    /** The rows gathered since the last call, as one FieldData; the column starts empty again. */
    FieldData take() {
        FieldData.Builder b = out.clone();
        if (!anyNull) {
            b.clearValidData();
        }
        switch (type) {
            case FloatVector -> b.setVectors(VectorField.newBuilder().setDim(dim).setFloatVector(floats));
            case BinaryVector -> b.setVectors(VectorField.newBuilder().setDim(dim).setBinaryVector(bytes.toByteString()));
            case Float16Vector -> b.setVectors(VectorField.newBuilder().setDim(dim).setFloat16Vector(bytes.toByteString()));
            case BFloat16Vector -> b.setVectors(VectorField.newBuilder().setDim(dim).setBfloat16Vector(bytes.toByteString()));
            case SparseFloatVector -> b.setVectors(VectorField.newBuilder().setDim(sparseDim()).setSparseFloatVector(sparse));
            default -> b.setScalars(scalars);
        }
        FieldData fd = b.build();
        out.clearValidData();
        scalars.clear();
        floats.clear();
        bytes.reset();
        sparse.clear();
        anyNull = false;
        rows = 0;
        return fd;
    }

    private long sparseDim() {
        long max = 0;
        for (ByteString row : sparse.getContentsList()) {
            ByteBuffer b = row.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int p = 0; p + 8 <= b.limit(); p += 8) {
                max = Math.max(max, Integer.toUnsignedLong(b.getInt(p)) + 1);
            }
        }
        return max;
    }

    private void floatVector(Object v) {
        if (!(v instanceof float[] f)) {
            throw mismatch("FloatVector", v);
        }
        if (f.length != dim) {
            throw failed("dimension mismatch for field '%s': expected %d, got %d", field.getName(), dim, f.length);
        }
        for (float x : f) {
            floats.addData(x);
        }
    }

    private void byteVector(Object v) {
        if (!(v instanceof byte[] b)) {
            throw mismatch(type.name(), v);
        }
        int expected = type == DataType.BinaryVector ? dim / 8 : dim * 2;
        if (b.length != expected) {
            throw failed("dimension mismatch for field '%s': expected %d bytes for dim %d, got %d", field.getName(),
                    expected, dim, b.length);
        }
        bytes.write(b, 0, b.length);
    }

    private ScalarField array(Object v) {
        if (!(v instanceof List<?> list)) {
            throw mismatch("Array", v);
        }
        ScalarField.Builder a = ScalarField.newBuilder();
        switch (field.getElementType()) {
            case Bool -> a.setBoolData(BoolArray.newBuilder().addAllData(list.stream().map(this::bool).toList()));
            case Int8, Int16, Int32 -> a.setIntData(IntArray.newBuilder().addAllData(list.stream().map(x -> (int) integer(x)).toList()));
            case Int64 -> a.setLongData(LongArray.newBuilder().addAllData(list.stream().map(this::integer).toList()));
            case Float -> a.setFloatData(FloatArray.newBuilder().addAllData(list.stream().map(x -> (float) real(x)).toList()));
            case Double -> a.setDoubleData(DoubleArray.newBuilder().addAllData(list.stream().map(this::real).toList()));
            case VarChar, String -> a.setStringData(StringArray.newBuilder().addAllData(list.stream().map(this::string).toList()));
            default -> throw failed("arrays of %s cannot be imported (field '%s')", field.getElementType(), field.getName());
        }
        return a.build();
    }

    private boolean bool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw mismatch("Bool", v);
    }

    private long integer(Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && !Double.isInfinite(n.doubleValue())) {
            return n.longValue();
        }
        throw mismatch(type == DataType.Array ? field.getElementType().name() : type.name(), v);
    }

    private double real(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw mismatch(type == DataType.Array ? field.getElementType().name() : type.name(), v);
    }

    private String string(Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw mismatch(type == DataType.Array ? field.getElementType().name() : type.name(), v);
    }

    /** Milvus' sparse row bytes: (uint32 index, float32 value) pairs, little-endian, ascending index. */
    private byte[] sparseBytes(Object v) {
        if (!(v instanceof Map<?, ?> m)) {
            throw mismatch("SparseFloatVector", v);
        }
        TreeMap<Long, Float> sorted = new TreeMap<>();
        m.forEach((k, x) -> sorted.put(((Number) k).longValue(), ((Number) x).floatValue()));
        ByteBuffer b = ByteBuffer.allocate(sorted.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        sorted.forEach((k, x) -> b.putInt((int) (long) k).putFloat(x));
        return b.array();
    }

    private QuiverException mismatch(String expected, Object got) {
        return failed("expect '%s' type for field '%s', but got '%s' type", expected, field.getName(), typeName(got));
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "null";
            case float[] f -> "FloatVector";
            case byte[] b -> "bytes";
            case List<?> l -> "Array";
            case Map<?, ?> m -> "Object";
            case Long l -> "Int64";
            case Integer i -> "Int32";
            case Double d -> "Double";
            case Float f -> "Float";
            case Boolean b -> "Bool";
            case String s -> "VarChar";
            default -> v.getClass().getSimpleName();
        };
    }

    static QuiverException failed(String fmt, Object... args) {
        return QuiverException.of(ErrorCode.IMPORT_FAILED, fmt, args);
    }
}
