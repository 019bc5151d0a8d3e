package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Insert validation, with the hostile inputs the API fuzzer found accepted (issue 14) as regression cases. */
class RowValidatorTest {
    private static CollectionSchema schema(boolean dynamic) {
        CollectionSchema.Builder s = CollectionSchema.newBuilder().setName("c").setEnableDynamicField(dynamic)
                .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
                .addFields(FieldSchema.newBuilder().setFieldID(101).setName("v").setDataType(DataType.FloatVector)
                        .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue("2")))
                .addFields(FieldSchema.newBuilder().setFieldID(102).setName("tags").setDataType(DataType.Array).setElementType(DataType.Int64)
                        .addTypeParams(KeyValuePair.newBuilder().setKey("max_capacity").setValue("4")))
                .addFields(FieldSchema.newBuilder().setFieldID(103).setName("meta").setDataType(DataType.JSON));
        if (dynamic) {
            s.addFields(FieldSchema.newBuilder().setFieldID(104).setName("$meta").setDataType(DataType.JSON).setIsDynamic(true));
        }
        return s.build();
    }

    private static List<FieldData> row(String json, ScalarField tags) {
        return new ArrayList<>(List.of(
                FieldData.newBuilder().setFieldName("id").setType(DataType.Int64).setScalars(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addData(1))).build(),
                FieldData.newBuilder().setFieldName("v").setType(DataType.FloatVector)
                        .setVectors(VectorField.newBuilder().setDim(2).setFloatVector(FloatArray.newBuilder().addData(1).addData(2))).build(),
                FieldData.newBuilder().setFieldName("tags").setType(DataType.Array)
                        .setScalars(ScalarField.newBuilder().setArrayData(ArrayArray.newBuilder().setElementType(DataType.Int64).addData(tags))).build(),
                json(json, "meta", false)));
    }

    private static FieldData json(String json, String name, boolean dynamic) {
        return FieldData.newBuilder().setFieldName(name).setType(DataType.JSON).setIsDynamic(dynamic)
                .setScalars(ScalarField.newBuilder().setJsonData(JSONArray.newBuilder().addData(ByteString.copyFromUtf8(json)))).build();
    }

    private static ScalarField longs(long... v) {
        LongArray.Builder a = LongArray.newBuilder();
        for (long x : v) a.addData(x);
        return ScalarField.newBuilder().setLongData(a).build();
    }

    private static List<FieldData> validate(CollectionSchema schema, List<FieldData> data) {
        return RowValidator.validate(schema, data, 1, false, n -> 0);
    }

    @Test
    void aValidRowPasses() {
        List<FieldData> out = validate(schema(true), row("{\"a\": [1, 2.5, \"x\", null, {\"b\": true}]}", longs(1, 2)));
        assertThat(out).extracting(FieldData::getFieldName).containsExactly("id", "v", "tags", "meta", "$meta");
        assertThat(validate(schema(false), row("[]", ScalarField.getDefaultInstance()))).hasSize(4);
    }

    @Test
    void jsonIsParsedStrictly() {
        for (String bad : List.of("{\"a\": NaN}", "{\"a\": Infinity}", "{'a': 1}", "{a: 1}", "{\"a\": 1,}", "{\"a\": 1} x", "{", "nul", "")) {
            assertThatThrownBy(() -> validate(schema(false), row(bad, longs(1)))).as(bad)
                    .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.PARAMETER_INVALID))
                    .hasMessageContaining("invalid JSON in field meta");
        }
    }

    @Test
    void dynamicDataIsRefusedWithoutADynamicField() {
        List<FieldData> data = row("{}", longs(1));
        data.add(json("{\"extra\": 1}", "$meta", true));
        assertThatThrownBy(() -> validate(schema(false), data))
                .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.FIELD_NOT_FOUND))
                .hasMessageContaining("without enabling dynamic field");
        assertThatThrownBy(() -> RowValidator.validate(schema(false), data, 1, true, n -> 0)).hasMessageContaining("$meta");
        assertThat(validate(schema(true), data)).last().satisfies(f -> assertThat(f.getIsDynamic()).isTrue());
    }

    @Test
    void arrayRowsMustHoldTheElementType() {
        ScalarField strings = ScalarField.newBuilder().setStringData(StringArray.newBuilder().addData("x")).build();
        assertThatThrownBy(() -> validate(schema(false), row("{}", strings)))
                .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.PARAMETER_INVALID))
                .hasMessageContaining("0th array of field tags holds STRING_DATA, but its element type is Int64");
    }
}
