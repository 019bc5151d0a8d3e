package io.quiver.common.expr;

import com.google.gson.JsonElement;
import io.milvus.grpc.ScalarField;
import io.quiver.common.column.ArrayColumn;
import io.quiver.common.column.BoolColumn;
import io.quiver.common.column.ColumnSource;
import io.quiver.common.column.DoubleColumn;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.FloatColumn;
import io.quiver.common.column.JsonColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import io.quiver.proto.plan.ArithOpType;
import io.quiver.proto.plan.BinaryArithOpEvalRangeExpr;
import io.quiver.proto.plan.BinaryExpr;
import io.quiver.proto.plan.BinaryRangeExpr;
import io.quiver.proto.plan.ColumnInfo;
import io.quiver.proto.plan.CompareExpr;
import io.quiver.proto.plan.GenericValue;
import io.quiver.proto.plan.JSONContainsExpr;
import io.quiver.proto.plan.NullExpr;
import io.quiver.proto.plan.OpType;
import io.quiver.proto.plan.PlanExpr;
import io.quiver.proto.plan.TermExpr;
import io.quiver.proto.plan.TextMatchExpr;
import io.quiver.proto.plan.UnaryRangeExpr;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Evaluates a {@link PlanExpr} over the columns of a segment into a bitset, column at a time.
 *
 * <h2>Null semantics (Milvus 2.5 segcore)</h2>
 * Every node yields two bitmaps: {@code value} and {@code valid}. A leaf is invalid (and false) on
 * rows where its field is null; a JSON value that is absent or of another type is valid and false
 * (except {@code !=}, which Milvus evaluates as "not equal", so it is true there). {@code and} /
 * {@code or} combine values and OR the validity ({@code PhyLogicalBinaryExpr}); {@code not} flips
 * the value and then ANDs it with the validity ({@code PhyLogicalUnaryExpr}), so {@code not (a > 1)}
 * is false where {@code a} is null, as is {@code a not in [...]}. A row matches when its value is set.
 *
 * <h2>Speed</h2>
 * Int64-family comparisons, ranges and {@code in} run as loops over the column's {@code long[]}
 * ({@code in} lists above 16 values use an open-addressing hash set), the primary key {@code ==}/
 * {@code in} uses the same path, strings have prefix/suffix/infix fast paths for {@code like};
 * JSON documents are parsed per row and nothing is cached across rows. Stateless and thread-safe.
 */
public final class ExprEvaluator {
    private ExprEvaluator() {}

    /** Sets in `out` (size >= rowCount) the rows in [0, rowCount) that match; other bits untouched/cleared. */
    public static void evaluate(PlanExpr plan, ColumnSource segment, int rowCount, BitSet out) {
        if (rowCount <= 0) {
            return;
        }
        Bits r = new Evaluation(segment, rowCount).eval(plan);
        out.clear(0, rowCount);
        out.or(BitSet.valueOf(r.value));
    }

    /** Fast path info for callers: if the plan is exactly `pk in [...]` / `pk == x` (possibly OR-ed), the keys; else empty. */
    public static Optional<List<Object>> primaryKeyTerms(PlanExpr plan) {
        Set<Object> keys = new LinkedHashSet<>();
        return collectKeys(plan, keys) ? Optional.of(List.copyOf(keys)) : Optional.empty();
    }

    private static boolean collectKeys(PlanExpr e, Set<Object> keys) {
        switch (e.getExprCase()) {
            case TERM_EXPR -> {
                TermExpr t = e.getTermExpr();
                if (!isPk(t.getColumnInfo()) || t.getIsInField()) {
                    return false;
                }
                for (GenericValue v : t.getValuesList()) {
                    if (!addKey(v, keys)) {
                        return false;
                    }
                }
                return true;
            }
            case UNARY_RANGE_EXPR -> {
                UnaryRangeExpr u = e.getUnaryRangeExpr();
                return isPk(u.getColumnInfo()) && u.getOp() == OpType.EQUAL && addKey(u.getValue(), keys);
            }
            case BINARY_EXPR -> {
                BinaryExpr b = e.getBinaryExpr();
                return b.getOp() == BinaryExpr.BinaryOp.LOGICAL_OR && collectKeys(b.getLeft(), keys) && collectKeys(b.getRight(), keys);
            }
            default -> {
                return false;
            }
        }
    }

    private static boolean isPk(ColumnInfo c) {
        return c.getIsPrimaryKey() && c.getNestedPathCount() == 0;
    }

    private static boolean addKey(GenericValue v, Set<Object> keys) {
        switch (v.getValCase()) {
            case INT64_VAL -> keys.add(v.getInt64Val());
            case STRING_VAL -> keys.add(v.getStringVal());
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Value and validity of a node; {@code valid == null} means every row is valid. */
    record Bits(long[] value, long[] valid) {}

    /** One evaluation: the segment snapshot and its row count. */
    private static final class Evaluation {
        private final ColumnSource segment;
        private final int rows;
        private final int words;

        Evaluation(ColumnSource segment, int rows) {
            this.segment = segment;
            this.rows = rows;
            this.words = (rows + 63) >>> 6;
        }

        Bits eval(PlanExpr e) {
            Bits indexed = viaIndex(e);
            if (indexed != null) {
                return indexed;
            }
            return switch (e.getExprCase()) {
                case ALWAYS_TRUE_EXPR -> new Bits(allOnes(), null);
                case UNARY_EXPR -> not(eval(e.getUnaryExpr().getChild()));
                case BINARY_EXPR -> binary(e.getBinaryExpr());
                case UNARY_RANGE_EXPR -> unaryRange(e.getUnaryRangeExpr());
                case BINARY_RANGE_EXPR -> binaryRange(e.getBinaryRangeExpr());
                case TERM_EXPR -> term(e.getTermExpr());
                case COMPARE_EXPR -> compare(e.getCompareExpr());
                case BINARY_ARITH_OP_EVAL_RANGE_EXPR -> arith(e.getBinaryArithOpEvalRangeExpr());
                case JSON_CONTAINS_EXPR -> contains(e.getJsonContainsExpr());
                case EXISTS_EXPR -> exists(e.getExistsExpr().getInfo());
                case NULL_EXPR -> isNull(e.getNullExpr());
                case TEXT_MATCH_EXPR -> textMatch(e.getTextMatchExpr());
                default -> throw new IllegalArgumentException("unsupported plan node " + e.getExprCase());
            };
        }

        // ------------------------------------------------------------ scalar indexes

        /** Answers a comparison, range or {@code in} on an indexed, non-nullable column from its index; else null. */
        private Bits viaIndex(PlanExpr e) {
            if (!(segment instanceof IndexedColumnSource src)) {
                return null;
            }
            ColumnInfo col = switch (e.getExprCase()) {
                case UNARY_RANGE_EXPR -> e.getUnaryRangeExpr().getColumnInfo();
                case BINARY_RANGE_EXPR -> e.getBinaryRangeExpr().getColumnInfo();
                case TERM_EXPR -> e.getTermExpr().getIsInField() ? null : e.getTermExpr().getColumnInfo();
                default -> null;
            };
            if (col == null || col.getNestedPathCount() > 0 || col.getNullable()) {
                return null;
            }
            ScalarIndex index = src.scalarIndex(col.getFieldId());
            if (index == null) {
                return null;
            }
            long[] out = new long[words];
            switch (e.getExprCase()) {
                case UNARY_RANGE_EXPR -> {
                    var u = e.getUnaryRangeExpr();
                    Object v = key(u.getValue(), index.valueType());
                    if (v == null) {
                        return null;
                    }
                    switch (u.getOp()) {
                        case EQUAL -> index.range(v, true, v, true, out);
                        case GREATER_THAN -> index.range(v, false, null, false, out);
                        case GREATER_EQUAL -> index.range(v, true, null, false, out);
                        case LESS_THAN -> index.range(null, false, v, false, out);
                        case LESS_EQUAL -> index.range(null, false, v, true, out);
                        case PREFIX_MATCH -> {
                            if (!(v instanceof String prefix)) {
                                return null;
                            }
                            index.range(prefix, true, prefix + Character.MAX_VALUE, false, out);
                        }
                        default -> {
                            return null;
                        }
                    }
                }
                case BINARY_RANGE_EXPR -> {
                    var b = e.getBinaryRangeExpr();
                    Object lo = key(b.getLowerValue(), index.valueType());
                    Object hi = key(b.getUpperValue(), index.valueType());
                    if (lo == null || hi == null) {
                        return null;
                    }
                    index.range(lo, b.getLowerInclusive(), hi, b.getUpperInclusive(), out);
                }
                case TERM_EXPR -> {
                    List<Object> keys = new java.util.ArrayList<>();
                    for (GenericValue g : e.getTermExpr().getValuesList()) {
                        Object k = key(g, index.valueType());
                        if (k == null) {
                            return null;
                        }
                        keys.add(k);
                    }
                    index.in(keys, out);
                }
                default -> {
                    return null;
                }
            }
            trim(out);
            return new Bits(out, null);
        }

        /** A literal as the index's key type, or null when the index cannot answer for it exactly. */
        private static Object key(GenericValue g, Class<?> type) {
            if (type == Long.class) {
                return g.getValCase() == GenericValue.ValCase.INT64_VAL ? (Object) g.getInt64Val() : null;
            }
            if (type == Double.class) {
                return switch (g.getValCase()) {
                    case INT64_VAL -> (double) g.getInt64Val();
                    case FLOAT_VAL -> g.getFloatVal();
                    default -> null;
                };
            }
            return g.getValCase() == GenericValue.ValCase.STRING_VAL ? g.getStringVal() : null;
        }

        // ------------------------------------------------------------ bitmaps

        private long[] allOnes() {
            long[] v = new long[words];
            java.util.Arrays.fill(v, -1L);
            trim(v);
            return v;
        }

        private void trim(long[] v) {
            int tail = rows & 63;
            if (tail != 0) {
                v[words - 1] &= (1L << tail) - 1;
            }
        }

        private static void set(long[] v, int i) {
            v[i >>> 6] |= 1L << i;
        }

        private static boolean get(long[] v, int i) {
            return (v[i >>> 6] & (1L << i)) != 0;
        }

        private Bits not(Bits b) {
            long[] v = b.value;
            for (int w = 0; w < words; w++) {
                v[w] = ~v[w];
            }
            if (b.valid != null) {
                for (int w = 0; w < words; w++) {
                    v[w] &= b.valid[w];
                }
            }
            trim(v);
            return b;
        }

        private Bits binary(BinaryExpr e) {
            Bits l = eval(e.getLeft());
            Bits r = eval(e.getRight());
            long[] a = l.value;
            long[] b = r.value;
            if (e.getOp() == BinaryExpr.BinaryOp.LOGICAL_AND) {
                for (int w = 0; w < words; w++) a[w] &= b[w];
            } else {
                for (int w = 0; w < words; w++) a[w] |= b[w];
            }
            long[] valid = null;
            if (l.valid != null && r.valid != null) {
                valid = l.valid;
                for (int w = 0; w < words; w++) valid[w] |= r.valid[w];
            }
            return new Bits(a, valid);
        }

        /** Validity of a column (null when not nullable); all-invalid when the segment lacks it. */
        private long[] validity(FieldColumn c) {
            if (c == null) {
                return new long[words];
            }
            if (!c.nullable()) {
                return null;
            }
            long[] v = new long[words];
            for (int i = 0; i < rows; i++) {
                if (!c.isNull(i)) set(v, i);
            }
            return v;
        }

        /** A leaf result: value masked by validity (null rows are false). */
        private Bits leaf(long[] value, long[] valid) {
            if (valid != null) {
                for (int w = 0; w < words; w++) value[w] &= valid[w];
            }
            return new Bits(value, valid);
        }

        private FieldColumn column(ColumnInfo info) {
            FieldColumn c = segment.column(info.getFieldId());
            if (c == null && info.getIsPrimaryKey()) {
                c = segment.primaryKeys();
            }
            return c;
        }

        /** TEXT_MATCH / PHRASE_MATCH through the field's text index; null rows are invalid, as for every leaf. */
        private Bits textMatch(TextMatchExpr e) {
            FieldColumn c = column(e.getColumnInfo());
            long[] valid = validity(c);
            if (!(c instanceof StringColumn s)) {
                return leaf(new long[words], valid);
            }
            return leaf(TextMatchEval.evaluate(e, segment, s, rows, words), valid);
        }

        // ------------------------------------------------------------ generic row access

        /** The value a (possibly nested) column holds at a row, for the slow paths; null when absent. */
        private static Object rowValue(FieldColumn c, ColumnInfo info, int row) {
            return switch (c) {
                case LongColumn l -> l.get(row);
                case FloatColumn f -> (double) f.get(row);
                case DoubleColumn d -> d.get(row);
                case BoolColumn b -> b.get(row);
                case StringColumn s -> s.get(row);
                case JsonColumn j -> {
                    JsonElement root = JsonValues.parse(j.get(row));
                    yield root == null ? null : JsonValues.value(JsonValues.navigate(root, info.getNestedPathList()));
                }
                case ArrayColumn a -> {
                    ScalarField sf = a.get(row);
                    if (info.getNestedPathCount() == 0) {
                        yield ArrayValues.toList(sf);
                    }
                    yield ArrayValues.element(sf, info.getNestedPath(0));
                }
                default -> null;
            };
        }

        private static boolean isJson(FieldColumn c) {
            return c instanceof JsonColumn;
        }

        // ------------------------------------------------------------ unary range

        private Bits unaryRange(UnaryRangeExpr e) {
            ColumnInfo info = e.getColumnInfo();
            FieldColumn c = column(info);
            long[] v = new long[words];
            long[] valid = validity(c);
            if (c == null) {
                return leaf(v, valid);
            }
            OpType op = e.getOp();
            Object lit = Literals.fromGeneric(e.getValue());
            switch (op) {
                case PREFIX_MATCH, POSTFIX_MATCH, INNER_MATCH, MATCH -> {
                    like(c, info, op, (String) lit, v);
                    return leaf(v, valid);
                }
                default -> { }
            }
            switch (c) {
                case LongColumn l when lit instanceof Long x -> longCompare(l.array(), op, x, v);
                case LongColumn l when lit instanceof Double x -> {
                    long[] a = l.array();
                    for (int i = 0; i < rows; i++) {
                        if (Values.test(op, Values.compareDoubles(a[i], x))) set(v, i);
                    }
                }
                case FloatColumn f -> {
                    double x = ((Number) lit).doubleValue();
                    for (int i = 0; i < rows; i++) {
                        if (Values.test(op, Values.compareDoubles(f.get(i), x))) set(v, i);
                    }
                }
                case DoubleColumn d -> {
                    double x = ((Number) lit).doubleValue();
                    for (int i = 0; i < rows; i++) {
                        if (Values.test(op, Values.compareDoubles(d.get(i), x))) set(v, i);
                    }
                }
                case StringColumn s when op == OpType.EQUAL || op == OpType.NOT_EQUAL -> {
                    String x = (String) lit;
                    boolean eq = op == OpType.EQUAL;
                    for (int i = 0; i < rows; i++) {
                        if (x.equals(s.get(i)) == eq) set(v, i);
                    }
                }
                case BoolColumn b -> {
                    boolean x = (Boolean) lit;
                    boolean eq = op == OpType.EQUAL;
                    for (int i = 0; i < rows; i++) {
                        if ((b.get(i) == x) == eq) set(v, i);
                    }
                }
                default -> {
                    boolean json = isJson(c);
                    boolean ne = op == OpType.NOT_EQUAL;
                    for (int i = 0; i < rows; i++) {
                        if (valid != null && !get(valid, i)) continue;
                        Object x = rowValue(c, info, i);
                        boolean r;
                        if (x == null && !json) {
                            r = false; // array index out of bounds
                        } else if (ne) {
                            r = !Values.compare(OpType.EQUAL, x, lit);
                        } else {
                            r = Values.compare(op, x, lit);
                        }
                        if (r) set(v, i);
                    }
                }
            }
            return leaf(v, valid);
        }

        /**
         * Int64 comparisons build each result word from 64 branch-free tests (cmov/setcc), so the cost
         * does not depend on selectivity; every op is an unsigned range test on {@code a[i] - min}.
         */
        private void longCompare(long[] a, OpType op, long x, long[] v) {
            switch (op) {
                case EQUAL -> longRange(a, x, x, v, false);
                case NOT_EQUAL -> longRange(a, x, x, v, true);
                case GREATER_THAN -> {
                    if (x != Long.MAX_VALUE) longRange(a, x + 1, Long.MAX_VALUE, v, false);
                }
                case GREATER_EQUAL -> longRange(a, x, Long.MAX_VALUE, v, false);
                case LESS_THAN -> {
                    if (x != Long.MIN_VALUE) longRange(a, Long.MIN_VALUE, x - 1, v, false);
                }
                case LESS_EQUAL -> longRange(a, Long.MIN_VALUE, x, v, false);
                default -> throw new IllegalArgumentException("unsupported op " + op);
            }
        }

        /** Sets rows with {@code min <= a[i] <= max} (requires min <= max), or the complement when {@code negate}. */
        private void longRange(long[] a, long min, long max, long[] v, boolean negate) {
            long span = max - min;
            long flip = negate ? -1L : 0L;
            for (int w = 0, base = 0; base < rows; w++, base += 64) {
                int end = Math.min(64, rows - base);
                long word = 0;
                for (int b = 0; b < end; b++) {
                    word |= (Long.compareUnsigned(a[base + b] - min, span) <= 0 ? 1L : 0L) << b;
                }
                v[w] = word ^ flip;
            }
            trim(v);
        }

        private void like(FieldColumn c, ColumnInfo info, OpType op, String operand, long[] v) {
            Pattern regex = op == OpType.MATCH ? LikePattern.toRegex(operand) : null;
            if (c instanceof StringColumn s) {
                for (int i = 0; i < rows; i++) {
                    String x = s.get(i);
                    if (x != null && likeMatch(op, operand, regex, x)) set(v, i);
                }
                return;
            }
            for (int i = 0; i < rows; i++) {
                if (c.isNull(i)) continue;
                if (rowValue(c, info, i) instanceof String x && likeMatch(op, operand, regex, x)) set(v, i);
            }
        }

        private static boolean likeMatch(OpType op, String operand, Pattern regex, String x) {
            return switch (op) {
                case PREFIX_MATCH -> x.startsWith(operand);
                case POSTFIX_MATCH -> x.endsWith(operand);
                case INNER_MATCH -> x.contains(operand);
                default -> regex.matcher(x).matches();
            };
        }

        // ------------------------------------------------------------ binary range

        private Bits binaryRange(BinaryRangeExpr e) {
            ColumnInfo info = e.getColumnInfo();
            FieldColumn c = column(info);
            long[] v = new long[words];
            long[] valid = validity(c);
            if (c == null) {
                return leaf(v, valid);
            }
            Object lo = Literals.fromGeneric(e.getLowerValue());
            Object hi = Literals.fromGeneric(e.getUpperValue());
            boolean li = e.getLowerInclusive();
            boolean ui = e.getUpperInclusive();
            if (c instanceof LongColumn l && lo instanceof Long a && hi instanceof Long b) {
                long min = a;
                long max = b;
                if (!li) {
                    if (min == Long.MAX_VALUE) return leaf(v, valid);
                    min++;
                }
                if (!ui) {
                    if (max == Long.MIN_VALUE) return leaf(v, valid);
                    max--;
                }
                if (min <= max) {
                    longRange(l.array(), min, max, v, false);
                }
                return leaf(v, valid);
            }
            OpType lop = li ? OpType.GREATER_EQUAL : OpType.GREATER_THAN;
            OpType uop = ui ? OpType.LESS_EQUAL : OpType.LESS_THAN;
            if (lo instanceof Number && hi instanceof Number && (c instanceof LongColumn || c instanceof FloatColumn || c instanceof DoubleColumn)) {
                double a = ((Number) lo).doubleValue();
                double b = ((Number) hi).doubleValue();
                for (int i = 0; i < rows; i++) {
                    double x = c instanceof LongColumn l ? l.get(i) : c instanceof FloatColumn f ? f.get(i) : ((DoubleColumn) c).get(i);
                    if (Values.test(lop, Values.compareDoubles(x, a)) && Values.test(uop, Values.compareDoubles(x, b))) set(v, i);
                }
                return leaf(v, valid);
            }
            for (int i = 0; i < rows; i++) {
                if (valid != null && !get(valid, i)) continue;
                Object x = rowValue(c, info, i);
                if (x != null && Values.compare(lop, x, lo) && Values.compare(uop, x, hi)) set(v, i);
            }
            return leaf(v, valid);
        }

        // ------------------------------------------------------------ in

        private Bits term(TermExpr e) {
            ColumnInfo info = e.getColumnInfo();
            FieldColumn c = column(info);
            long[] v = new long[words];
            long[] valid = validity(c);
            if (c == null || e.getValuesCount() == 0) {
                return leaf(v, valid);
            }
            List<Object> values = new ArrayList<>(e.getValuesCount());
            for (GenericValue g : e.getValuesList()) {
                values.add(Literals.fromGeneric(g));
            }
            boolean allLong = values.stream().allMatch(o -> o instanceof Long);
            boolean allNumber = values.stream().allMatch(o -> o instanceof Number);
            if (c instanceof LongColumn l && allLong) {
                long[] keys = new long[values.size()];
                for (int k = 0; k < keys.length; k++) keys[k] = (Long) values.get(k);
                long[] d = l.array();
                if (keys.length <= 16) {
                    for (int i = 0; i < rows; i++) {
                        long x = d[i];
                        for (long k : keys) {
                            if (x == k) {
                                v[i >>> 6] |= 1L << i;
                                break;
                            }
                        }
                    }
                } else {
                    LongHashSet set = new LongHashSet(keys);
                    for (int i = 0; i < rows; i++) {
                        if (set.contains(d[i])) v[i >>> 6] |= 1L << i;
                    }
                }
            } else if ((c instanceof FloatColumn || c instanceof DoubleColumn || c instanceof LongColumn) && allNumber) {
                double[] keys = new double[values.size()];
                for (int k = 0; k < keys.length; k++) keys[k] = ((Number) values.get(k)).doubleValue() + 0.0;
                java.util.Arrays.sort(keys);
                for (int i = 0; i < rows; i++) {
                    double x = c instanceof LongColumn l ? l.get(i) : c instanceof FloatColumn f ? f.get(i) : ((DoubleColumn) c).get(i);
                    if (java.util.Arrays.binarySearch(keys, x + 0.0) >= 0) set(v, i);
                }
            } else if (c instanceof StringColumn s) {
                Set<String> keys = new HashSet<>();
                for (Object o : values) {
                    if (o instanceof String str) keys.add(str);
                }
                for (int i = 0; i < rows; i++) {
                    if (keys.contains(s.get(i))) set(v, i);
                }
            } else if (c instanceof BoolColumn b) {
                boolean t = values.contains(Boolean.TRUE);
                boolean f = values.contains(Boolean.FALSE);
                for (int i = 0; i < rows; i++) {
                    if (b.get(i) ? t : f) set(v, i);
                }
            } else {
                for (int i = 0; i < rows; i++) {
                    if (valid != null && !get(valid, i)) continue;
                    Object x = rowValue(c, info, i);
                    if (x == null) continue;
                    for (Object k : values) {
                        if (Values.equalsValue(x, k)) {
                            set(v, i);
                            break;
                        }
                    }
                }
            }
            return leaf(v, valid);
        }

        // ------------------------------------------------------------ field vs field

        private Bits compare(CompareExpr e) {
            FieldColumn a = column(e.getLeftColumnInfo());
            FieldColumn b = column(e.getRightColumnInfo());
            long[] v = new long[words];
            long[] va = validity(a);
            long[] vb = validity(b);
            long[] valid = va == null ? vb : vb == null ? va : and(va, vb);
            if (a == null || b == null) {
                return leaf(v, valid);
            }
            OpType op = e.getOp();
            if (a instanceof LongColumn x && b instanceof LongColumn y) {
                long[] p = x.array();
                long[] q = y.array();
                for (int i = 0; i < rows; i++) {
                    if (Values.test(op, Long.compare(p[i], q[i]))) set(v, i);
                }
            } else {
                for (int i = 0; i < rows; i++) {
                    if (Values.compare(op, rowValue(a, e.getLeftColumnInfo(), i), rowValue(b, e.getRightColumnInfo(), i))) set(v, i);
                }
            }
            return leaf(v, valid);
        }

        private long[] and(long[] a, long[] b) {
            long[] r = new long[words];
            for (int w = 0; w < words; w++) r[w] = a[w] & b[w];
            return r;
        }

        // ------------------------------------------------------------ arithmetic

        private Bits arith(BinaryArithOpEvalRangeExpr e) {
            ColumnInfo info = e.getColumnInfo();
            FieldColumn c = column(info);
            long[] v = new long[words];
            long[] valid = validity(c);
            if (c == null) {
                return leaf(v, valid);
            }
            ArithOpType aop = e.getArithOp();
            OpType op = e.getOp();
            Object value = Literals.fromGeneric(e.getValue());
            if (aop == ArithOpType.ARRAY_LENGTH) {
                for (int i = 0; i < rows; i++) {
                    if (valid != null && !get(valid, i)) continue;
                    long len;
                    if (c instanceof ArrayColumn a) {
                        len = ArrayValues.length(a.get(i));
                    } else if (rowValue(c, info, i) instanceof List<?> list) {
                        len = list.size();
                    } else {
                        continue;
                    }
                    if (Values.compare(op, len, value)) set(v, i);
                }
                return leaf(v, valid);
            }
            Object operand = Literals.fromGeneric(e.getRightOperand());
            if (c instanceof LongColumn l && operand instanceof Long r && value instanceof Long x) {
                long[] d = l.array();
                long k = r;
                long t = x;
                for (int i = 0; i < rows; i++) {
                    if (Values.test(op, Long.compare(longArith(aop, d[i], k), t))) set(v, i);
                }
                return leaf(v, valid);
            }
            boolean json = isJson(c);
            for (int i = 0; i < rows; i++) {
                if (valid != null && !get(valid, i)) continue;
                Object x = rowValue(c, info, i);
                Object result;
                if (x instanceof Long a && operand instanceof Long b) {
                    result = longArith(aop, a, b);
                } else if (x instanceof Number a) {
                    result = doubleArith(aop, a.doubleValue(), ((Number) operand).doubleValue());
                } else {
                    if (json && op == OpType.NOT_EQUAL) set(v, i);
                    continue;
                }
                boolean r = json && op == OpType.NOT_EQUAL ? !Values.compare(OpType.EQUAL, result, value) : Values.compare(op, result, value);
                if (r) set(v, i);
            }
            return leaf(v, valid);
        }

        private static long longArith(ArithOpType op, long a, long b) {
            return switch (op) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> a / b;
                case MOD -> a % b;
                default -> throw new IllegalArgumentException("unsupported arithmetic " + op);
            };
        }

        private static double doubleArith(ArithOpType op, double a, double b) {
            return switch (op) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> a / b;
                case MOD -> a % b;
                default -> throw new IllegalArgumentException("unsupported arithmetic " + op);
            };
        }

        // ------------------------------------------------------------ contains, exists, null

        private Bits contains(JSONContainsExpr e) {
            ColumnInfo info = e.getColumnInfo();
            FieldColumn c = column(info);
            long[] v = new long[words];
            long[] valid = validity(c);
            if (c == null) {
                return leaf(v, valid);
            }
            List<Object> elements = new ArrayList<>(e.getElementsCount());
            for (GenericValue g : e.getElementsList()) {
                elements.add(Literals.fromGeneric(g));
            }
            JSONContainsExpr.JSONOp op = e.getOp();
            for (int i = 0; i < rows; i++) {
                if (valid != null && !get(valid, i)) continue;
                if (!(rowValue(c, info, i) instanceof List<?> list)) continue;
                boolean r = switch (op) {
                    case CONTAINS_ALL -> {
                        boolean all = true;
                        for (Object k : elements) {
                            if (!listContains(list, k)) {
                                all = false;
                                break;
                            }
                        }
                        yield all;
                    }
                    default -> { // CONTAINS has one element; CONTAINS_ANY any of them
                        boolean any = false;
                        for (Object k : elements) {
                            if (listContains(list, k)) {
                                any = true;
                                break;
                            }
                        }
                        yield any;
                    }
                };
                if (r) set(v, i);
            }
            return leaf(v, valid);
        }

        private static boolean listContains(List<?> list, Object k) {
            for (Object x : list) {
                if (Values.equalsValue(x, k)) return true;
            }
            return false;
        }

        private Bits exists(ColumnInfo info) {
            FieldColumn c = column(info);
            long[] v = new long[words];
            long[] valid = validity(c);
            if (c instanceof JsonColumn j) {
                for (int i = 0; i < rows; i++) {
                    if (valid != null && !get(valid, i)) continue;
                    JsonElement root = JsonValues.parse(j.get(i));
                    if (root != null && JsonValues.navigate(root, info.getNestedPathList()) != null) set(v, i);
                }
            }
            return leaf(v, valid);
        }

        private Bits isNull(NullExpr e) {
            ColumnInfo info = e.getColumnInfo();
            FieldColumn c = column(info);
            long[] v = new long[words];
            boolean wantNull = e.getOp() == NullExpr.NullOp.IS_NULL;
            for (int i = 0; i < rows; i++) {
                boolean isNull;
                if (c == null || c.isNull(i)) {
                    isNull = true;
                } else if (c instanceof JsonColumn && info.getNestedPathCount() > 0) {
                    Object x = rowValue(c, info, i);
                    isNull = x == null || x == JsonValues.NULL;
                } else {
                    isNull = false;
                }
                if (isNull == wantNull) set(v, i);
            }
            return new Bits(v, null);
        }
    }
}
