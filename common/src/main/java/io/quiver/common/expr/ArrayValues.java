package io.quiver.common.expr;

import io.milvus.grpc.ScalarField;
import java.util.ArrayList;
import java.util.List;

/** Reads the elements of one ARRAY row ({@link ScalarField}) as Long, Double, Boolean or String. */
final class ArrayValues {
    private ArrayValues() {}

    static int length(ScalarField f) {
        return switch (f.getDataCase()) {
            case BOOL_DATA -> f.getBoolData().getDataCount();
            case INT_DATA -> f.getIntData().getDataCount();
            case LONG_DATA -> f.getLongData().getDataCount();
            case FLOAT_DATA -> f.getFloatData().getDataCount();
            case DOUBLE_DATA -> f.getDoubleData().getDataCount();
            case STRING_DATA -> f.getStringData().getDataCount();
            default -> 0;
        };
    }

    static Object element(ScalarField f, int i) {
        if (i < 0 || i >= length(f)) {
            return null;
        }
        return switch (f.getDataCase()) {
            case BOOL_DATA -> f.getBoolData().getData(i);
            case INT_DATA -> (long) f.getIntData().getData(i);
            case LONG_DATA -> f.getLongData().getData(i);
            case FLOAT_DATA -> (double) f.getFloatData().getData(i);
            case DOUBLE_DATA -> f.getDoubleData().getData(i);
            case STRING_DATA -> f.getStringData().getData(i);
            default -> null;
        };
    }

    /** The element at a nested-path index ("0", "1", ...); null when out of bounds. */
    static Object element(ScalarField f, String index) {
        long i;
        try {
            i = Long.parseLong(index);
        } catch (NumberFormatException e) {
            return null;
        }
        return i > Integer.MAX_VALUE ? null : element(f, (int) i);
    }

    static List<Object> toList(ScalarField f) {
        int n = length(f);
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element(f, i));
        }
        return out;
    }
}
