package io.quiver.rootcoord;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.ValueField;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Milvus' per-field rules of CreateCollection that concern default values and the partition key (Milvus
 * {@code internal/proxy/task.go} {@code validateDefaultValue} and {@code checkPartitionKey...}), with Milvus'
 * reasons: a default value must be of the field's own type (an integer default on a VARCHAR field was stored and
 * later served as an empty string) and fit it; the partition key is one INT64 or VARCHAR field that is neither the
 * primary key nor nullable (a vector field as partition key was accepted).
 */
final class FieldRules {
    private FieldRules() {}

    static void check(List<FieldSchema> fields) {
        int partitionKeys = 0;
        for (FieldSchema f : fields) {
            if (f.hasDefaultValue()) {
                checkDefault(f);
            }
            if (f.getIsPartitionKey()) {
                partitionKeys++;
                checkPartitionKey(f);
            }
        }
        if (partitionKeys > 1) {
            throw QuiverException.invalid("there are more than one partition key");
        }
    }

    private static void checkPartitionKey(FieldSchema f) {
        if (f.getDataType() != DataType.Int64 && f.getDataType() != DataType.VarChar) {
            throw QuiverException.invalid("the data type of partition key should be Int64 or VarChar, but got %s (field %s)", f.getDataType(), f.getName());
        }
        if (f.getIsPrimaryKey()) {
            throw QuiverException.invalid("the partition key field must not be primary field");
        }
        if (f.getNullable()) {
            throw QuiverException.invalid("partition key field not support nullable");
        }
    }

    private static void checkDefault(FieldSchema f) {
        if (f.getIsPrimaryKey()) {
            throw QuiverException.invalid("primary field not support default_value");
        }
        ValueField v = f.getDefaultValue();
        ValueField.DataCase want = switch (f.getDataType()) {
            case Bool -> ValueField.DataCase.BOOL_DATA;
            case Int8, Int16, Int32 -> ValueField.DataCase.INT_DATA;
            case Int64 -> ValueField.DataCase.LONG_DATA;
            case Float -> ValueField.DataCase.FLOAT_DATA;
            case Double -> ValueField.DataCase.DOUBLE_DATA;
            case VarChar -> ValueField.DataCase.STRING_DATA;
            default -> throw QuiverException.invalid("default value is not supported for field %s of type %s", f.getName(), f.getDataType());
        };
        if (v.getDataCase() != want) {
            throw QuiverException.invalid("the default value of field %s should be %s, but got %s: default value type mismatch",
                    f.getName(), f.getDataType(), v.getDataCase() == ValueField.DataCase.DATA_NOT_SET ? "nothing" : v.getDataCase());
        }
        switch (f.getDataType()) {
            case Int8 -> inRange(f, v.getIntData(), Byte.MIN_VALUE, Byte.MAX_VALUE);
            case Int16 -> inRange(f, v.getIntData(), Short.MIN_VALUE, Short.MAX_VALUE);
            case Float -> finite(f, v.getFloatData());
            case Double -> finite(f, v.getDoubleData());
            case VarChar -> {
                String ml = Schemas.typeParam(f, "max_length");
                int len = v.getStringData().getBytes(StandardCharsets.UTF_8).length;
                if (ml != null && ml.trim().matches("\\d{1,9}") && len > Integer.parseInt(ml.trim())) {
                    throw QuiverException.invalid("the length (%d) of string exceeds max length (%s) of field %s", len, ml.trim(), f.getName());
                }
            }
            default -> { }
        }
    }

    private static void inRange(FieldSchema f, int v, int lo, int hi) {
        if (v < lo || v > hi) {
            throw QuiverException.invalid("the default value %d of field %s is out of range for %s", v, f.getName(), f.getDataType());
        }
    }

    private static void finite(FieldSchema f, double v) {
        if (!Double.isFinite(v)) {
            throw QuiverException.invalid("the default value of field %s is NaN or infinity", f.getName());
        }
    }
}
