package io.quiver.rootcoord;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.ValueField;
import io.quiver.common.error.QuiverException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Regression cases of issue 14 (an integer default on VARCHAR, a vector partition key) and the neighbouring rules. */
class FieldRulesTest {
    private static final FieldSchema PK = FieldSchema.newBuilder().setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true).build();
    private static final FieldSchema VEC = FieldSchema.newBuilder().setName("v").setDataType(DataType.FloatVector)
            .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue("4")).build();

    private static FieldSchema field(DataType t, ValueField dflt) {
        return FieldSchema.newBuilder().setName("f").setDataType(t).setDefaultValue(dflt)
                .addTypeParams(KeyValuePair.newBuilder().setKey("max_length").setValue("4")).build();
    }

    private static void refused(List<FieldSchema> fields, String message) {
        assertThatThrownBy(() -> FieldRules.check(fields)).isInstanceOf(QuiverException.class).hasMessageContaining(message);
    }

    @Test
    void defaultsOfTheFieldsOwnTypePass() {
        assertThatCode(() -> FieldRules.check(List.of(PK, VEC,
                field(DataType.VarChar, ValueField.newBuilder().setStringData("abcd").build()),
                field(DataType.Int8, ValueField.newBuilder().setIntData(-128).build()).toBuilder().setName("g").build(),
                field(DataType.Double, ValueField.newBuilder().setDoubleData(1.5).build()).toBuilder().setName("h").build())))
                .doesNotThrowAnyException();
    }

    @Test
    void defaultsOfAnotherTypeOrOutOfRangeAreRefused() {
        refused(List.of(field(DataType.VarChar, ValueField.newBuilder().setLongData(7).build())), "default value type mismatch");
        refused(List.of(field(DataType.Int64, ValueField.newBuilder().setStringData("7").build())), "default value type mismatch");
        refused(List.of(field(DataType.Bool, ValueField.getDefaultInstance())), "should be Bool, but got nothing");
        refused(List.of(field(DataType.Int8, ValueField.newBuilder().setIntData(128).build())), "out of range for Int8");
        refused(List.of(field(DataType.Float, ValueField.newBuilder().setFloatData(Float.NaN).build())), "NaN or infinity");
        refused(List.of(field(DataType.VarChar, ValueField.newBuilder().setStringData("abcde").build())), "exceeds max length (4)");
        refused(List.of(field(DataType.JSON, ValueField.newBuilder().setBytesData(ByteString.copyFromUtf8("{}")).build())),
                "not supported for field f of type JSON");
        refused(List.of(PK.toBuilder().setDefaultValue(ValueField.newBuilder().setLongData(1)).build()), "primary field not support default_value");
    }

    @Test
    void thePartitionKeyIsOneScalarKeyThatIsNotThePrimaryKey() {
        FieldSchema key = FieldSchema.newBuilder().setName("k").setDataType(DataType.VarChar).setIsPartitionKey(true).build();
        assertThatCode(() -> FieldRules.check(List.of(PK, VEC, key))).doesNotThrowAnyException();
        refused(List.of(PK, VEC.toBuilder().setIsPartitionKey(true).build()), "partition key should be Int64 or VarChar, but got FloatVector");
        refused(List.of(PK.toBuilder().setIsPartitionKey(true).build(), VEC), "must not be primary field");
        refused(List.of(PK, VEC, key.toBuilder().setNullable(true).build()), "not support nullable");
        refused(List.of(PK, VEC, key, key.toBuilder().setName("k2").build()), "more than one partition key");
    }
}
