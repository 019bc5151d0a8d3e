package io.quiver.common.schema;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import java.util.Optional;

/** Lookups on a collection schema (as stored by rootcoord: field ids assigned, $meta included if dynamic). */
public final class Schemas {
    public static final String DYNAMIC_FIELD = "$meta";
    public static final long ROW_ID_FIELD = 0;
    public static final long TIMESTAMP_FIELD = 1;
    public static final long FIRST_USER_FIELD = 100;

    private Schemas() {}

    public static String typeParam(FieldSchema f, String key) {
        for (KeyValuePair kv : f.getTypeParamsList()) {
            if (kv.getKey().equals(key)) {
                return kv.getValue();
            }
        }
        return null;
    }

    public static int dim(FieldSchema f) {
        String d = typeParam(f, "dim");
        if (d == null) {
            return 0;
        }
        try {
            return Integer.parseInt(d.trim());
        } catch (NumberFormatException e) {
            throw QuiverException.invalid("dim of field %s is not an integer: %s", f.getName(), d);
        }
    }

    public static int maxLength(FieldSchema f) {
        String v = typeParam(f, "max_length");
        return v == null ? 65535 : Integer.parseInt(v.trim());
    }

    public static int maxCapacity(FieldSchema f) {
        String v = typeParam(f, "max_capacity");
        return v == null ? 4096 : Integer.parseInt(v.trim());
    }

    public static FieldSchema primaryKey(CollectionSchema s) {
        for (FieldSchema f : s.getFieldsList()) {
            if (f.getIsPrimaryKey()) {
                return f;
            }
        }
        throw new QuiverException(ErrorCode.ILLEGAL_SCHEMA, "schema has no primary key field");
    }

    public static Optional<FieldSchema> byName(CollectionSchema s, String name) {
        for (FieldSchema f : s.getFieldsList()) {
            if (f.getName().equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    public static Optional<FieldSchema> byId(CollectionSchema s, long id) {
        for (FieldSchema f : s.getFieldsList()) {
            if (f.getFieldID() == id) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    public static Optional<FieldSchema> dynamicField(CollectionSchema s) {
        for (FieldSchema f : s.getFieldsList()) {
            if (f.getIsDynamic()) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    public static boolean isVector(DataType t) {
        return switch (t) {
            case FloatVector, BinaryVector, Float16Vector, BFloat16Vector, SparseFloatVector -> true;
            default -> false;
        };
    }

    public static java.util.List<FieldSchema> vectorFields(CollectionSchema s) {
        return s.getFieldsList().stream().filter(f -> isVector(f.getDataType())).toList();
    }
}
