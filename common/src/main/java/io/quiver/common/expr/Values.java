package io.quiver.common.expr;

import io.quiver.proto.plan.OpType;
import java.util.List;

/**
 * Comparison of dynamically typed values (JSON values, array elements, folded constants): numbers
 * compare numerically across int64/double, strings lexicographically, bools and arrays only for
 * equality. Values of different kinds are incomparable, which makes every comparison false.
 */
final class Values {
    private Values() {}

    static final int INCOMPARABLE = Integer.MIN_VALUE;

    static boolean test(OpType op, int c) {
        if (c == INCOMPARABLE) {
            return false;
        }
        return switch (op) {
            case GREATER_THAN -> c > 0;
            case GREATER_EQUAL -> c >= 0;
            case LESS_THAN -> c < 0;
            case LESS_EQUAL -> c <= 0;
            case EQUAL -> c == 0;
            case NOT_EQUAL -> c != 0;
            default -> false;
        };
    }

    static int compareDoubles(double x, double y) {
        return x < y ? -1 : x > y ? 1 : x == y ? 0 : INCOMPARABLE;
    }

    /** Orders two values; {@link #INCOMPARABLE} for different kinds, bools/arrays ordered only as equal/unequal. */
    static int compare(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        if (a instanceof Number x && b instanceof Number y) {
            return compareDoubles(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof String x && b instanceof String y) {
            int c = x.compareTo(y);
            return c < 0 ? -1 : c > 0 ? 1 : 0;
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return x.equals(y) ? 0 : 2; // 2: unequal but unordered (never < or >)
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            return listEquals(x, y) ? 0 : 2;
        }
        return INCOMPARABLE;
    }

    /** {@code op} between a value and a literal; ordering ops on bools/arrays are false. */
    static boolean compare(OpType op, Object value, Object literal) {
        int c = compare(value, literal);
        if (c == 2) {
            return op == OpType.NOT_EQUAL;
        }
        return test(op, c);
    }

    static boolean equalsValue(Object a, Object b) {
        return compare(a, b) == 0;
    }

    private static boolean listEquals(List<?> x, List<?> y) {
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (!equalsValue(x.get(i), y.get(i))) {
                return false;
            }
        }
        return true;
    }
}
