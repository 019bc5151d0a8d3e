package io.quiver.proxy;

import com.google.gson.JsonElement;
import com.google.protobuf.ByteString;
import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.BoolArray;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.IntArray;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.ValueField;
import io.quiver.common.column.FieldDatas;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import io.quiver.common.schema.StrictJson;
import io.quiver.index.IndexParamException;
import io.quiver.index.SparseVectors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;

/**
 * Validates the rows of an insert/upsert against the schema and returns one FieldData per schema field, with
 * field ids set, defaults and nulls filled, auto ids generated and the dynamic field present (DESIGN section 9.1).
 * Every rejection names the field and the problem, with Milvus' wording where one exists.
 */
final class RowValidator {
    private RowValidator() {}

    static List<FieldData> validate(CollectionSchema schema, List<FieldData> given, int numRows, boolean upsert, IntToLongFunction autoIds) {
        if (numRows <= 0) {
            throw QuiverException.invalid("the number of rows must be positive, got %d", numRows);
        }
        Map<String, FieldData> byName = new HashMap<>();
        FieldData dynamic = null;
        for (FieldData fd : given) {
            if (fd.getIsDynamic() || Schemas.DYNAMIC_FIELD.equals(fd.getFieldName())) {
                dynamic = fd;
                continue;
            }
            if (byName.put(fd.getFieldName(), fd) != null) {
                throw QuiverException.invalid("duplicated field name %s in insert request", fd.getFieldName());
            }
        }
        boolean dynamicEnabled = schema.getEnableDynamicField();
        if (dynamic != null && !dynamicEnabled) {
            throw new QuiverException(ErrorCode.FIELD_NOT_FOUND, "Attempt to insert an unexpected field `" + Schemas.DYNAMIC_FIELD
                    + "` to collection without enabling dynamic field");
        }
        for (String name : byName.keySet()) {
            if (Schemas.byName(schema, name).isEmpty()) {
                if (dynamicEnabled) {
                    throw QuiverException.invalid("field %s is not in the schema: put dynamic keys into the dynamic field $meta", name);
                }
                throw new QuiverException(ErrorCode.FIELD_NOT_FOUND, "Attempt to insert an unexpected field `" + name
                        + "` to collection without enabling dynamic field");
            }
        }
        List<FieldData> out = new ArrayList<>();
        for (FieldSchema f : schema.getFieldsList()) {
            if (f.getIsDynamic()) {
                out.add(dynamicData(f, dynamic, numRows));
                continue;
            }
            FieldData fd = byName.get(f.getName());
            if (f.getIsFunctionOutput()) {
                if (fd != null) {
                    throw QuiverException.invalid("field %s is the output of a function: its values are computed from the input field, "
                            + "leave it out of the %s", f.getName(), upsert ? "upsert" : "insert");
                }
                continue; // computed after validation (Bm25Texts)
            }
            if (f.getIsPrimaryKey() && f.getAutoID() && !upsert) {
                if (fd != null) {
                    throw QuiverException.invalid("the primary key field %s is auto id, its values must not be given", f.getName());
                }
                long first = autoIds.applyAsLong(numRows);
                LongArray.Builder ids = LongArray.newBuilder();
                for (int i = 0; i < numRows; i++) {
                    ids.addData(first + i);
                }
                out.add(FieldData.newBuilder().setType(DataType.Int64).setFieldName(f.getName()).setFieldId(f.getFieldID())
                        .setScalars(ScalarField.newBuilder().setLongData(ids)).build());
                continue;
            }
            if (fd == null) {
                if (f.getIsPrimaryKey()) {
                    throw QuiverException.of(ErrorCode.PARAMETER_MISSING, "must assign pk when upsert, primary field: %s", f.getName());
                }
                if (!f.getNullable() && !f.hasDefaultValue()) {
                    throw QuiverException.of(ErrorCode.PARAMETER_MISSING, "Insert missed an field `%s` to collection without set nullable==true or set default_value", f.getName());
                }
                out.add(filled(f, numRows));
                continue;
            }
            out.add(checkField(f, fd, numRows));
        }
        return out;
    }

    private static FieldData dynamicData(FieldSchema f, FieldData given, int numRows) {
        JSONArray.Builder a = JSONArray.newBuilder();
        if (given == null) {
            ByteString empty = ByteString.copyFromUtf8("{}");
            for (int i = 0; i < numRows; i++) a.addData(empty);
        } else {
            JSONArray src = given.getScalars().getJsonData();
            if (src.getDataCount() != numRows) {
                throw QuiverException.invalid("the dynamic field has %d rows, expected %d", src.getDataCount(), numRows);
            }
            for (int i = 0; i < numRows; i++) {
                ByteString v = src.getData(i);
                JsonElement e = parseJson(v, "$meta", i);
                if (!e.isJsonObject()) {
                    throw QuiverException.invalid("the value of the dynamic field at row %d must be a JSON object", i);
                }
                a.addData(v);
            }
        }
        return FieldData.newBuilder().setType(DataType.JSON).setFieldName(f.getName()).setFieldId(f.getFieldID()).setIsDynamic(true)
                .setScalars(ScalarField.newBuilder().setJsonData(a)).build();
    }

    private static JsonElement parseJson(ByteString v, String field, int row) {
        try {
            return StrictJson.parse(v.toString(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw QuiverException.invalid("invalid JSON in field %s at row %d: %s", field, row, e.getMessage());
        }
    }

    /** A column of nulls, or of the field's default value. */
    private static FieldData filled(FieldSchema f, int n) {
        FieldData.Builder b = FieldData.newBuilder().setType(f.getDataType()).setFieldName(f.getName()).setFieldId(f.getFieldID());
        boolean useDefault = f.hasDefaultValue();
        ValueField d = f.getDefaultValue();
        ScalarField.Builder s = ScalarField.newBuilder();
        switch (f.getDataType()) {
            case Bool -> {
                BoolArray.Builder a = BoolArray.newBuilder();
                for (int i = 0; i < n; i++) a.addData(useDefault && d.getBoolData());
                s.setBoolData(a);
            }
            case Int8, Int16, Int32 -> {
                IntArray.Builder a = IntArray.newBuilder();
                for (int i = 0; i < n; i++) a.addData(useDefault ? d.getIntData() : 0);
                s.setIntData(a);
            }
            case Int64 -> {
                LongArray.Builder a = LongArray.newBuilder();
                for (int i = 0; i < n; i++) a.addData(useDefault ? d.getLongData() : 0);
                s.setLongData(a);
            }
            case Float -> {
                FloatArray.Builder a = FloatArray.newBuilder();
                for (int i = 0; i < n; i++) a.addData(useDefault ? d.getFloatData() : 0);
                s.setFloatData(a);
            }
            case Double -> {
                DoubleArray.Builder a = DoubleArray.newBuilder();
                for (int i = 0; i < n; i++) a.addData(useDefault ? d.getDoubleData() : 0);
                s.setDoubleData(a);
            }
            case VarChar, String -> {
                StringArray.Builder a = StringArray.newBuilder();
                for (int i = 0; i < n; i++) a.addData(useDefault ? d.getStringData() : "");
                s.setStringData(a);
            }
            case JSON -> {
                JSONArray.Builder a = JSONArray.newBuilder();
                for (int i = 0; i < n; i++) a.addData(useDefault ? d.getBytesData() : ByteString.copyFromUtf8("null"));
                s.setJsonData(a);
            }
            case Array -> {
                ArrayArray.Builder a = ArrayArray.newBuilder().setElementType(f.getElementType());
                for (int i = 0; i < n; i++) a.addData(ScalarField.getDefaultInstance());
                s.setArrayData(a);
            }
            default -> throw QuiverException.invalid("field %s of type %s cannot be omitted", f.getName(), f.getDataType());
        }
        b.setScalars(s);
        if (!useDefault) {
            for (int i = 0; i < n; i++) b.addValidData(false);
        }
        return b.build();
    }

    private static boolean sameType(DataType declared, DataType given) {
        if (declared == given) {
            return true;
        }
        return (declared == DataType.VarChar && given == DataType.String) || given == DataType.None;
    }

    private static FieldData checkField(FieldSchema f, FieldData fd, int n) {
        if (!sameType(f.getDataType(), fd.getType())) {
            throw QuiverException.invalid("the data type of field %s is %s, but the data given is %s", f.getName(), f.getDataType(), fd.getType());
        }
        FieldData.Builder b = fd.toBuilder().setFieldId(f.getFieldID()).setType(f.getDataType()).setFieldName(f.getName());
        if (fd.getValidDataCount() > 0 && fd.getValidDataCount() != n) {
            throw QuiverException.invalid("the valid data of field %s has %d entries, expected %d", f.getName(), fd.getValidDataCount(), n);
        }
        if (fd.getValidDataCount() > 0 && !f.getNullable() && !f.hasDefaultValue() && fd.getValidDataList().contains(false)) {
            throw QuiverException.invalid("field %s is not nullable but null values were given", f.getName());
        }
        DataType t = f.getDataType();
        if (Schemas.isVector(t)) {
            checkVector(f, fd, n);
            return b.build();
        }
        int rows = FieldDatas.rows(fd);
        // a nullable column may carry only its non-null values (Java SDK): expand to one value per row
        if (rows != n) {
            long valid = fd.getValidDataList().stream().filter(x -> x).count();
            if (fd.getValidDataCount() == n && rows == valid) {
                b = expandNullable(f, fd, n).toBuilder().setFieldId(f.getFieldID()).setType(t).setFieldName(f.getName());
                fd = b.build();
            } else {
                throw QuiverException.invalid("the number of rows of field %s is %d, but num_rows is %d", f.getName(), rows, n);
            }
        }
        switch (t) {
            case VarChar, String -> {
                int max = Schemas.maxLength(f);
                StringArray a = fd.getScalars().getStringData();
                for (int i = 0; i < a.getDataCount(); i++) {
                    int len = a.getData(i).getBytes(StandardCharsets.UTF_8).length;
                    if (len > max) {
                        throw QuiverException.invalid("the length (%d) of %dth VarChar %s exceeds max length (%d)", len, i, f.getName(), max);
                    }
                }
            }
            case Int8, Int16 -> {
                long lo = t == DataType.Int8 ? Byte.MIN_VALUE : Short.MIN_VALUE;
                long hi = t == DataType.Int8 ? Byte.MAX_VALUE : Short.MAX_VALUE;
                for (int v : fd.getScalars().getIntData().getDataList()) {
                    if (v < lo || v > hi) {
                        throw QuiverException.invalid("value %d of field %s is out of range for %s", v, f.getName(), t);
                    }
                }
            }
            case Float -> {
                for (float v : fd.getScalars().getFloatData().getDataList()) {
                    if (!Float.isFinite(v)) {
                        throw QuiverException.invalid("the value of float field %s is NaN or infinity", f.getName());
                    }
                }
            }
            case Double -> {
                for (double v : fd.getScalars().getDoubleData().getDataList()) {
                    if (!Double.isFinite(v)) {
                        throw QuiverException.invalid("the value of double field %s is NaN or infinity", f.getName());
                    }
                }
            }
            case JSON -> {
                JSONArray a = fd.getScalars().getJsonData();
                for (int i = 0; i < a.getDataCount(); i++) {
                    if (fd.getValidDataCount() == 0 || fd.getValidData(i)) {
                        parseJson(a.getData(i), f.getName(), i);
                    }
                }
            }
            case Array -> {
                int cap = Schemas.maxCapacity(f);
                ArrayArray a = fd.getScalars().getArrayData();
                for (int i = 0; i < a.getDataCount(); i++) {
                    int len = FieldDatas.rows(FieldData.newBuilder().setScalars(a.getData(i)).build());
                    if (len > cap) {
                        throw QuiverException.invalid("the length (%d) of %dth array of field %s exceeds max capacity (%d)", len, i, f.getName(), cap);
                    }
                }
                checkArrayElements(f, a);
                b.setScalars(fd.getScalars().toBuilder().setArrayData(a.toBuilder().setElementType(f.getElementType())));
            }
            default -> { }
        }
        if (f.hasDefaultValue() && fd.getValidDataCount() > 0) {
            return applyDefaults(f, b.build(), n);
        }
        return b.build();
    }

    /** Every row of an ARRAY field holds values of the declared element type (an empty row holds none). */
    private static void checkArrayElements(FieldSchema f, ArrayArray a) {
        ScalarField.DataCase want = switch (f.getElementType()) {
            case Bool -> ScalarField.DataCase.BOOL_DATA;
            case Int8, Int16, Int32 -> ScalarField.DataCase.INT_DATA;
            case Int64 -> ScalarField.DataCase.LONG_DATA;
            case Float -> ScalarField.DataCase.FLOAT_DATA;
            case Double -> ScalarField.DataCase.DOUBLE_DATA;
            case VarChar, String -> ScalarField.DataCase.STRING_DATA;
            default -> throw QuiverException.invalid("field %s has an unsupported array element type %s", f.getName(), f.getElementType());
        };
        for (int i = 0; i < a.getDataCount(); i++) {
            ScalarField.DataCase got = a.getData(i).getDataCase();
            if (got != want && got != ScalarField.DataCase.DATA_NOT_SET) {
                throw QuiverException.invalid("the %dth array of field %s holds %s, but its element type is %s", i, f.getName(), got, f.getElementType());
            }
        }
    }

    /** Replaces null rows of a field with a default value by its default (Milvus semantics). */
    private static FieldData applyDefaults(FieldSchema f, FieldData fd, int n) {
        FieldData def = filled(f, n);
        List<FieldData> parts = List.of(fd, def);
        int[] partOf = new int[n];
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            partOf[i] = fd.getValidData(i) ? 0 : 1;
            rows[i] = i;
        }
        FieldData merged = FieldDatas.gather(parts, partOf, rows, n);
        return merged.toBuilder().clearValidData().build();
    }

    private static FieldData expandNullable(FieldSchema f, FieldData fd, int n) {
        FieldData nulls = filled(f.toBuilder().clearDefaultValue().build(), n);
        int[] partOf = new int[n];
        int[] rows = new int[n];
        int next = 0;
        for (int i = 0; i < n; i++) {
            if (fd.getValidData(i)) {
                partOf[i] = 0;
                rows[i] = next++;
            } else {
                partOf[i] = 1;
                rows[i] = i;
            }
        }
        FieldData merged = FieldDatas.gather(List.of(fd, nulls), partOf, rows, n);
        return merged.toBuilder().clearValidData().addAllValidData(fd.getValidDataList()).build();
    }

    private static void checkVector(FieldSchema f, FieldData fd, int n) {
        int dim = Schemas.dim(f);
        switch (f.getDataType()) {
            case FloatVector -> {
                FloatArray a = fd.getVectors().getFloatVector();
                if (fd.getVectors().getDim() != 0 && fd.getVectors().getDim() != dim || a.getDataCount() != (long) n * dim) {
                    long got = n == 0 ? 0 : a.getDataCount() / Math.max(1, n);
                    throw QuiverException.invalid("the dim (%d) of field data(%s) is not equal to schema dim (%d)",
                            fd.getVectors().getDim() != 0 && fd.getVectors().getDim() != dim ? fd.getVectors().getDim() : got, f.getName(), dim);
                }
                for (int i = 0; i < a.getDataCount(); i++) {
                    if (!Float.isFinite(a.getData(i))) {
                        throw QuiverException.invalid("float vector field %s contains NaN or infinity at row %d", f.getName(), i / dim);
                    }
                }
            }
            case BinaryVector -> {
                if (fd.getVectors().getBinaryVector().size() != (long) n * dim / 8) {
                    throw QuiverException.invalid("the dim of binary vector field %s does not match schema dim (%d)", f.getName(), dim);
                }
            }
            case Float16Vector -> {
                if (fd.getVectors().getFloat16Vector().size() != (long) n * dim * 2) {
                    throw QuiverException.invalid("the dim of float16 vector field %s does not match schema dim (%d)", f.getName(), dim);
                }
            }
            case BFloat16Vector -> {
                if (fd.getVectors().getBfloat16Vector().size() != (long) n * dim * 2) {
                    throw QuiverException.invalid("the dim of bfloat16 vector field %s does not match schema dim (%d)", f.getName(), dim);
                }
            }
            case SparseFloatVector -> {
                SparseFloatArray a = fd.getVectors().getSparseFloatVector();
                if (a.getContentsCount() != n) {
                    throw QuiverException.invalid("sparse vector field %s has %d rows, expected %d", f.getName(), a.getContentsCount(), n);
                }
                for (int i = 0; i < n; i++) {
                    try {
                        SparseVectors.validateMilvusRow(a.getContents(i).toByteArray());
                    } catch (IndexParamException e) {
                        throw QuiverException.invalid("%s (field %s, row %d)", e.getMessage(), f.getName(), i);
                    }
                }
            }
            default -> { }
        }
    }
}
