package io.quiver.common.expr;

import static io.quiver.common.expr.ExprTestData.JNULL;
import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.CollectionSchema;
import io.quiver.common.column.ColumnSource;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Differential test: random rows and random well-formed expressions, evaluated by {@link ExprEvaluator}
 * over real columns and by the small reference evaluator below over the plain Java rows.
 *
 * <p>The reference models Milvus' semantics directly: each predicate yields (value, valid); a leaf
 * on a null field is (false, invalid); and/or combine values and OR validity; not flips the value
 * and ANDs it with validity. JSON values of another type compare false, except {@code !=}, which is
 * "not ==". Set {@code -Dexpr.seed=N} to replay a failing round.
 */
class ExprDifferentialTest {
    private static final int ROUNDS = 8;
    private static final int EXPRESSIONS_PER_ROUND = 250;
    private static final int ROWS = 203;

    record Tri(boolean value, boolean valid) {
        static final Tri NULL = new Tri(false, false);
        static Tri of(boolean b) { return new Tri(b, true); }
    }

    /** A generated expression: its text and its reference meaning. */
    record Node(String text, Function<Map<String, Object>, Tri> eval, boolean compound) {
        static Node leaf(String text, Function<Map<String, Object>, Tri> eval) { return new Node(text, eval, false); }
    }

    @Test
    void evaluatorMatchesReference() {
        long base = Long.getLong("expr.seed", System.nanoTime());
        int checked = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long seed = base + round;
            checked += runRound(seed);
        }
        assertThat(checked).isEqualTo(ROUNDS * EXPRESSIONS_PER_ROUND);
    }

    private int runRound(long seed) {
        Random rnd = new Random(seed);
        boolean nullable = rnd.nextInt(4) != 0;
        boolean dynamic = rnd.nextBoolean();
        CollectionSchema schema = ExprTestData.schema(nullable, dynamic);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(randomRow(rnd, i, nullable, dynamic));
        }
        ColumnSource seg = ExprTestData.segment(schema, rows);
        Gen gen = new Gen(rnd, dynamic);
        for (int n = 0; n < EXPRESSIONS_PER_ROUND; n++) {
            Node node = gen.expr(3);
            BitSet expected = new BitSet();
            for (int i = 0; i < ROWS; i++) {
                if (node.eval().apply(rows.get(i)).value()) expected.set(i);
            }
            BitSet actual = new BitSet();
            actual.set(ROWS + 3); // a bit above rowCount must survive
            try {
                ExprEvaluator.evaluate(ExprPlanner.plan(node.text(), schema, Map.of()), seg, ROWS, actual);
            } catch (RuntimeException e) {
                throw new AssertionError("seed=" + seed + " expr=" + node.text() + " nullable=" + nullable + " dynamic=" + dynamic, e);
            }
            assertThat(actual.get(ROWS + 3)).as("seed=%d bit above rowCount, expr=%s", seed, node.text()).isTrue();
            actual.clear(ROWS + 3);
            if (Boolean.getBoolean("expr.verbose")) {
                System.out.println(actual.cardinality() + "\t" + node.text());
            }
            if (!actual.equals(expected)) {
                BitSet diff = (BitSet) actual.clone();
                diff.xor(expected);
                int row = diff.nextSetBit(0);
                throw new AssertionError("seed=" + seed + " (replay with -Dexpr.seed=" + seed + ") expr: " + node.text()
                        + "\nfirst differing row " + row + " " + rows.get(row) + "\nexpected " + expected + "\nactual   " + actual);
            }
        }
        return EXPRESSIONS_PER_ROUND;
    }

    // ------------------------------------------------------------------ data

    private static final long[] SMALL = {-3, -2, -1, 0, 1, 2, 3, 5};
    private static final float[] FLOATS = {-1.5f, -1f, 0f, 0.1f, 0.5f, 1f, 2.25f, 3f};
    private static final double[] DOUBLES = {-2.0, -0.5, 0.0, 0.1, 1.0, 1.5, 2.0, 3.75};
    private static final String[] STRINGS = {"", "a", "ab", "abc", "abd", "b", "ba", "bab", "x%y", "a_c", "A", "red"};

    private static Map<String, Object> randomRow(Random r, int id, boolean nullable, boolean dynamic) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", (long) id);
        row.put("age", maybeNull(r, nullable, r.nextInt(20) == 0 ? (long) (r.nextBoolean() ? 1000 : -1000) : pick(r, SMALL)));
        row.put("i8", pick(r, SMALL));
        row.put("i16", maybeNull(r, nullable, pick(r, SMALL)));
        row.put("i32", maybeNull(r, nullable, pick(r, SMALL)));
        row.put("f", maybeNull(r, nullable, FLOATS[r.nextInt(FLOATS.length)]));
        row.put("d", DOUBLES[r.nextInt(DOUBLES.length)]);
        row.put("flag", maybeNull(r, nullable, r.nextBoolean()));
        row.put("name", maybeNull(r, nullable, STRINGS[r.nextInt(STRINGS.length)]));
        Map<String, Object> js = new LinkedHashMap<>();
        putMaybe(r, js, "a", jsonScalar(r));
        if (r.nextInt(3) != 0) {
            Map<String, Object> b = new LinkedHashMap<>();
            putMaybe(r, b, "c", jsonScalar(r));
            js.put("b", r.nextInt(5) == 0 ? jsonScalar(r) : b);
        }
        putMaybe(r, js, "arr", r.nextInt(5) == 0 ? jsonScalar(r) : jsonList(r));
        putMaybe(r, js, "s", STRINGS[r.nextInt(STRINGS.length)]);
        row.put("js", maybeNull(r, nullable, js));
        List<Object> ai = new ArrayList<>();
        for (int k = r.nextInt(5); k > 0; k--) ai.add(pick(r, SMALL));
        row.put("ai", maybeNull(r, nullable, ai));
        List<Object> tags = new ArrayList<>();
        for (int k = r.nextInt(4); k > 0; k--) tags.add(new String[] {"a", "b", "c"}[r.nextInt(3)]);
        row.put("tags", tags);
        if (dynamic) {
            Map<String, Object> meta = new LinkedHashMap<>();
            putMaybe(r, meta, "color", r.nextInt(4) == 0 ? (Object) 1L : new String[] {"red", "blue"}[r.nextInt(2)]);
            putMaybe(r, meta, "size", r.nextBoolean() ? (Object) pick(r, SMALL) : DOUBLES[r.nextInt(DOUBLES.length)]);
            putMaybe(r, meta, "k", jsonList(r));
            row.put("$meta", meta);
        }
        return row;
    }

    private static Long pick(Random r, long[] values) {
        return values[r.nextInt(values.length)];
    }

    private static Object maybeNull(Random r, boolean nullable, Object v) {
        return nullable && r.nextInt(7) == 0 ? null : v;
    }

    private static void putMaybe(Random r, Map<String, Object> m, String key, Object v) {
        if (r.nextInt(6) != 0) m.put(key, v);
    }

    private static Object jsonScalar(Random r) {
        return switch (r.nextInt(7)) {
            case 0, 1 -> pick(r, SMALL);
            case 2 -> DOUBLES[r.nextInt(DOUBLES.length)];
            case 3 -> STRINGS[r.nextInt(STRINGS.length)];
            case 4 -> r.nextBoolean();
            case 5 -> JNULL;
            default -> jsonList(r);
        };
    }

    private static List<Object> jsonList(Random r) {
        List<Object> l = new ArrayList<>();
        for (int k = r.nextInt(5); k > 0; k--) l.add(r.nextInt(4) == 0 ? STRINGS[r.nextInt(4)] : pick(r, SMALL));
        return l;
    }

    // ------------------------------------------------------------------ reference semantics

    /** Compares two values; null when incomparable; 2 for "unequal, unordered" (bools, lists). */
    static Integer cmp(Object a, Object b) {
        if (a instanceof Float f) a = (double) f;
        if (b instanceof Float f) b = (double) f;
        if (a instanceof Long x && b instanceof Long y) return Long.compare(x, y);
        if (a instanceof Number x && b instanceof Number y) return Double.compare(x.doubleValue() + 0.0, y.doubleValue() + 0.0);
        if (a instanceof String x && b instanceof String y) return Integer.signum(x.compareTo(y));
        if (a instanceof Boolean x && b instanceof Boolean y) return x.equals(y) ? 0 : 2;
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return 2;
            for (int i = 0; i < x.size(); i++) {
                Integer c = cmp(x.get(i), y.get(i));
                if (c == null || c != 0) return 2;
            }
            return 0;
        }
        return null;
    }

    static boolean test(String op, Object a, Object b) {
        Integer c = cmp(a, b);
        if (c == null) return false;
        if (c == 2) return op.equals("!=");
        return switch (op) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case ">=" -> c >= 0;
            case "==" -> c == 0;
            default -> c != 0;
        };
    }

    static String flip(String op) {
        return switch (op) {
            case "<" -> ">";
            case "<=" -> ">=";
            case ">" -> "<";
            case ">=" -> "<=";
            default -> op;
        };
    }

    /** Follows a JSON path through maps and lists; MISSING when absent. */
    static final Object MISSING = new Object();

    static Object navigate(Object doc, List<Object> path) {
        Object cur = doc;
        for (Object step : path) {
            if (cur instanceof Map<?, ?> m && m.containsKey(String.valueOf(step))) {
                cur = m.get(String.valueOf(step));
            } else if (cur instanceof List<?> l && step instanceof Integer i && i < l.size()) {
                cur = l.get(i);
            } else {
                return MISSING;
            }
        }
        return cur;
    }

    static boolean like(String s, String p) {
        return like(s, 0, p, 0);
    }

    private static boolean like(String s, int i, String p, int j) {
        if (j == p.length()) return i == s.length();
        char c = p.charAt(j);
        if (c == '%') {
            for (int k = i; k <= s.length(); k++) {
                if (like(s, k, p, j + 1)) return true;
            }
            return false;
        }
        if (i == s.length()) return false;
        if (c == '_') return like(s, i + 1, p, j + 1);
        if (c == '\\' && j + 1 < p.length()) return s.charAt(i) == p.charAt(j + 1) && like(s, i + 1, p, j + 2);
        return s.charAt(i) == c && like(s, i + 1, p, j + 1);
    }

    // ------------------------------------------------------------------ expression generator

    private static final class Gen {
        private final Random r;
        private final boolean dynamic;

        Gen(Random r, boolean dynamic) {
            this.r = r;
            this.dynamic = dynamic;
        }

        private <T> T one(List<T> xs) {
            return xs.get(r.nextInt(xs.size()));
        }

        Node expr(int depth) {
            if (depth == 0 || r.nextInt(3) == 0) {
                return leaf();
            }
            switch (r.nextInt(5)) {
                case 0 -> {
                    Node c = expr(depth - 1);
                    String kw = one(List.of("not ", "NOT ", "!"));
                    return new Node(kw + "(" + c.text() + ")", row -> {
                        Tri t = c.eval().apply(row);
                        return new Tri(!t.value() && t.valid(), t.valid());
                    }, true);
                }
                case 1, 2 -> {
                    Node a = expr(depth - 1);
                    Node b = expr(depth - 1);
                    String kw = one(List.of(" and ", " AND ", " && "));
                    return new Node(paren(a) + kw + paren(b), row -> {
                        Tri x = a.eval().apply(row);
                        Tri y = b.eval().apply(row);
                        return new Tri(x.value() && y.value(), x.valid() || y.valid());
                    }, true);
                }
                default -> {
                    Node a = expr(depth - 1);
                    Node b = expr(depth - 1);
                    String kw = one(List.of(" or ", " OR ", " || "));
                    return new Node(orOperand(a) + kw + orOperand(b), row -> {
                        Tri x = a.eval().apply(row);
                        Tri y = b.eval().apply(row);
                        return new Tri(x.value() || y.value(), x.valid() || y.valid());
                    }, true);
                }
            }
        }

        private static String paren(Node n) {
            return n.compound() ? "(" + n.text() + ")" : n.text();
        }

        /** `a and b or c` needs no parentheses: and binds tighter (exercises precedence). */
        private String orOperand(Node n) {
            return n.compound() && !(n.text().contains(" or ") || n.text().contains(" OR ") || n.text().contains("||"))
                    && r.nextBoolean() && !n.text().startsWith("not") && !n.text().startsWith("NOT") && !n.text().startsWith("!")
                    ? n.text() : paren(n);
        }

        Node leaf() {
            return switch (r.nextInt(17)) {
                case 0, 1, 2 -> scalarCompare();
                case 3 -> range();
                case 4 -> term();
                case 5 -> likeName();
                case 6 -> isNull();
                case 7 -> fieldVsField();
                case 8 -> arith();
                case 9, 10 -> jsonCompare();
                case 11 -> jsonMisc();
                case 12 -> arrayContains();
                case 13 -> arrayLengthAndIndex();
                case 14 -> boolField();
                case 15 -> jsonRangeOrLike();
                default -> pkTerm();
            };
        }

        // ---- literals

        private String intText(long v) {
            long a = Math.abs(v);
            String body = switch (r.nextInt(6)) {
                case 0 -> "0x" + Long.toHexString(a);
                case 1 -> "0b" + Long.toBinaryString(a);
                case 2 -> "0o" + Long.toOctalString(a);
                default -> Long.toString(a);
            };
            return v < 0 ? "-" + body : body;
        }

        private String strText(String s) {
            String q = r.nextBoolean() ? "'" : "\"";
            StringBuilder sb = new StringBuilder(q);
            for (char c : s.toCharArray()) {
                if (String.valueOf(c).equals(q) || c == '\\') sb.append('\\');
                sb.append(c);
            }
            return sb.append(q).toString();
        }

        private String boolText(boolean b) {
            return one(b ? List.of("true", "True", "TRUE") : List.of("false", "False", "FALSE"));
        }

        private String doubleText(double d) {
            return r.nextInt(4) == 0 ? String.format("%.3e", d).replace(",", ".") : Double.toString(d);
        }

        /** A literal of a random kind: [java value, text]. */
        private Object[] anyLiteral(boolean allowBool) {
            int k = r.nextInt(allowBool ? 4 : 3);
            return switch (k) {
                case 0 -> { long v = pick(r, SMALL); yield new Object[] {v, intText(v)}; }
                case 1 -> { double v = DOUBLES[r.nextInt(DOUBLES.length)]; yield new Object[] {v, doubleText(v)}; }
                case 2 -> { String v = STRINGS[r.nextInt(STRINGS.length)]; yield new Object[] {v, strText(v)}; }
                default -> { boolean v = r.nextBoolean(); yield new Object[] {v, boolText(v)}; }
            };
        }

        private String anyOp() {
            return one(List.of("<", "<=", ">", ">=", "==", "!="));
        }

        // ---- scalar leaves

        private Object numberFor(String field) {
            boolean floatField = field.equals("f") || field.equals("d");
            if (r.nextInt(floatField ? 2 : 6) == 0) {
                return floatField ? (Object) DOUBLES[r.nextInt(DOUBLES.length)] : (Object) (r.nextBoolean() ? 1.5 : 2.0);
            }
            return r.nextInt(15) == 0 ? (Object) 1000L : pick(r, SMALL);
        }

        private String numText(Object v) {
            return v instanceof Long l ? intText(l) : doubleText((Double) v);
        }

        /** The literal as the planner normalises it for the field: FLOAT fields compare at float precision. */
        private static Object asFieldLiteral(String field, Object v) {
            if (field.equals("f") && v instanceof Number n) return (double) n.floatValue();
            return v;
        }

        private Node scalarCompare() {
            String field = one(List.of("age", "i8", "i16", "i32", "f", "d", "name", "flag", "id"));
            String op;
            Object lit;
            String litText;
            if (field.equals("flag")) {
                op = one(List.of("==", "!="));
                boolean b = r.nextBoolean();
                lit = b;
                litText = boolText(b);
            } else if (field.equals("name")) {
                op = anyOp();
                lit = STRINGS[r.nextInt(STRINGS.length)];
                litText = strText((String) lit);
            } else {
                op = anyOp();
                lit = numberFor(field);
                litText = numText(lit);
            }
            Object fl = asFieldLiteral(field, lit);
            String o = op;
            if (r.nextInt(3) == 0) {
                return Node.leaf(litText + " " + flip(op) + " " + field, row -> fieldTest(row, field, o, fl));
            }
            return Node.leaf(field + " " + op + " " + litText, row -> fieldTest(row, field, o, fl));
        }

        private static Tri fieldTest(Map<String, Object> row, String field, String op, Object lit) {
            Object x = row.get(field);
            if (x == null) return Tri.NULL;
            return Tri.of(test(op, x, lit));
        }

        private Node range() {
            String field = one(List.of("age", "i32", "f", "d", "i8"));
            Object lo = numberFor(field);
            Object hi = numberFor(field);
            boolean li = r.nextBoolean();
            boolean ui = r.nextBoolean();
            Object flo = asFieldLiteral(field, lo);
            Object fhi = asFieldLiteral(field, hi);
            String text = r.nextBoolean()
                    ? numText(lo) + (li ? " <= " : " < ") + field + (ui ? " <= " : " < ") + numText(hi)
                    : numText(hi) + (ui ? " >= " : " > ") + field + (li ? " >= " : " > ") + numText(lo);
            return Node.leaf(text, row -> {
                Object x = row.get(field);
                if (x == null) return Tri.NULL;
                return Tri.of(test(li ? ">=" : ">", x, flo) && test(ui ? "<=" : "<", x, fhi));
            });
        }

        private Node term() {
            String field = one(List.of("age", "i16", "name", "d", "f", "flag"));
            int n = r.nextInt(5) == 0 ? 17 + r.nextInt(10) : r.nextInt(5);
            List<Object> values = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                Object v;
                String t;
                if (field.equals("name")) {
                    v = STRINGS[r.nextInt(STRINGS.length)];
                    t = strText((String) v);
                } else if (field.equals("flag")) {
                    v = r.nextBoolean();
                    t = boolText((Boolean) v);
                } else {
                    v = numberFor(field);
                    if (n > 16 && !field.equals("d") && !field.equals("f")) v = (long) (k - 8);
                    t = numText(v);
                }
                values.add(asFieldLiteral(field, v));
                texts.add(t);
            }
            boolean not = r.nextBoolean();
            String text = field + (not ? one(List.of(" not in ", " NOT IN ")) : one(List.of(" in ", " IN "))) + "[" + String.join(", ", texts) + "]";
            return Node.leaf(text, row -> {
                Object x = row.get(field);
                if (x == null) return Tri.NULL;
                boolean in = values.stream().anyMatch(v -> test("==", x, v));
                return Tri.of(in != not);
            });
        }

        private static final List<String> PATTERNS = List.of("a%", "%b", "%a%", "a_c", "ab", "%", "", "a%c", "x\\%y", "_", "b%b", "%_", "A%", "a\\_c");

        private Node likeName() {
            String p = one(PATTERNS);
            return Node.leaf("name " + one(List.of("like", "LIKE")) + " " + strText(p).replace("\\\\", "\\"), row -> {
                Object x = row.get("name");
                if (x == null) return Tri.NULL;
                return Tri.of(like((String) x, p));
            });
        }

        private Node isNull() {
            String field = one(List.of("age", "i8", "name", "js", "ai", "flag", "f"));
            boolean not = r.nextBoolean();
            String kw = not ? one(List.of(" is not null", " IS NOT NULL")) : one(List.of(" is null", " IS NULL"));
            return Node.leaf(field + kw, row -> Tri.of((row.get(field) == null) != not));
        }

        private Node fieldVsField() {
            String[] pair = one(List.of(new String[] {"age", "i32"}, new String[] {"i8", "i16"}, new String[] {"f", "d"},
                    new String[] {"age", "d"}, new String[] {"name", "name"}, new String[] {"flag", "flag"}, new String[] {"id", "age"}));
            String op = pair[0].equals("flag") ? one(List.of("==", "!=")) : anyOp();
            return Node.leaf(pair[0] + " " + op + " " + pair[1], row -> {
                Object a = row.get(pair[0]);
                Object b = row.get(pair[1]);
                if (a == null || b == null) return Tri.NULL;
                return Tri.of(test(op, a, b));
            });
        }

        private Node arith() {
            String field = one(List.of("age", "i32", "d", "f"));
            String aop = one(List.of("+", "-", "*", "/", "%"));
            boolean intField = field.equals("age") || field.equals("i32");
            Object k = intField && r.nextInt(4) != 0 ? (Object) (long) (r.nextInt(7) - 3) : (Object) (r.nextBoolean() ? 0.5 : 2.0);
            if (k instanceof Long l && l == 0) k = 2L;
            Object value = r.nextBoolean() ? (Object) pick(r, SMALL) : (Object) 1.5;
            String op = anyOp();
            Object kk = k;
            String text = field + " " + aop + " " + numText(k) + " " + op + " " + numText(value);
            if ((aop.equals("+") || aop.equals("*")) && r.nextBoolean()) {
                text = numText(k) + " " + aop + " " + field + " " + op + " " + numText(value);
            }
            return Node.leaf(text, row -> {
                Object x = row.get(field);
                if (x == null) return Tri.NULL;
                return Tri.of(test(op, arithmetic(x, aop, kk), value));
            });
        }

        private static Object arithmetic(Object x, String op, Object k) {
            if (x instanceof Long a && k instanceof Long b) {
                return switch (op) {
                    case "+" -> a + b;
                    case "-" -> a - b;
                    case "*" -> a * b;
                    case "/" -> a / b;
                    default -> a % b;
                };
            }
            double a = ((Number) x).doubleValue();
            double b = ((Number) k).doubleValue();
            return switch (op) {
                case "+" -> a + b;
                case "-" -> a - b;
                case "*" -> a * b;
                case "/" -> a / b;
                default -> a % b;
            };
        }

        // ---- JSON and dynamic leaves

        /** [text, column name, path] */
        private Object[] jsonPath() {
            List<Object[]> paths = new ArrayList<>(List.of(
                    new Object[] {"js[\"a\"]", "js", List.of("a")},
                    new Object[] {"js['b']['c']", "js", List.of("b", "c")},
                    new Object[] {"js[\"arr\"][0]", "js", List.of("arr", 0)},
                    new Object[] {"js['arr'][1]", "js", List.of("arr", 1)},
                    new Object[] {"js[\"s\"]", "js", List.of("s")},
                    new Object[] {"js['a'][0]", "js", List.of("a", 0)}));
            if (dynamic) {
                paths.add(new Object[] {"color", "$meta", List.of("color")});
                paths.add(new Object[] {"size", "$meta", List.of("size")});
                paths.add(new Object[] {"$meta[\"size\"]", "$meta", List.of("size")});
                paths.add(new Object[] {"nokey", "$meta", List.of("nokey")});
                paths.add(new Object[] {"k[0]", "$meta", List.of("k", 0)});
            }
            return one(paths);
        }

        /** The value at a JSON path of a row: Tri.NULL-style null when the JSON field is null. */
        @SuppressWarnings("unchecked")
        private static Object jsonAt(Map<String, Object> row, Object[] p) {
            Object doc = row.get((String) p[1]);
            if (doc == null) return null;
            return navigate(doc, (List<Object>) p[2]);
        }

        private Node jsonCompare() {
            Object[] p = jsonPath();
            String op = anyOp();
            Object[] lit = anyLiteral(op.equals("==") || op.equals("!="));
            Object v = lit[0];
            return Node.leaf(p[0] + " " + op + " " + lit[1], row -> {
                if (row.get((String) p[1]) == null) return Tri.NULL;
                Object x = jsonAt(row, p);
                if (op.equals("!=")) return Tri.of(!test("==", x, v));
                return Tri.of(test(op, x, v));
            });
        }

        private Node jsonMisc() {
            Object[] p = jsonPath();
            switch (r.nextInt(4)) {
                case 0 -> {
                    return Node.leaf(one(List.of("exists ", "EXISTS ")) + p[0], row -> {
                        if (row.get((String) p[1]) == null) return Tri.NULL;
                        return Tri.of(jsonAt(row, p) != MISSING);
                    });
                }
                case 1 -> {
                    List<Object> values = new ArrayList<>();
                    List<String> texts = new ArrayList<>();
                    for (int k = r.nextInt(4); k > 0; k--) {
                        Object[] l = anyLiteral(true);
                        values.add(l[0]);
                        texts.add((String) l[1]);
                    }
                    boolean not = r.nextBoolean();
                    return Node.leaf(p[0] + (not ? " not in " : " in ") + texts, row -> {
                        if (row.get((String) p[1]) == null) return Tri.NULL;
                        Object x = jsonAt(row, p);
                        boolean in = values.stream().anyMatch(v -> test("==", x, v));
                        return Tri.of(in != not);
                    });
                }
                case 2 -> {
                    boolean not = r.nextBoolean();
                    return Node.leaf(p[0] + (not ? " is not null" : " is null"), row -> {
                        if (row.get((String) p[1]) == null) return Tri.of(!not);
                        Object x = jsonAt(row, p);
                        return Tri.of((x == MISSING || x == JNULL) != not);
                    });
                }
                default -> {
                    Object[] arrPath = dynamic && r.nextBoolean() ? new Object[] {"$meta['k']", "$meta", List.of("k")}
                            : new Object[] {"js['arr']", "js", List.of("arr")};
                    String fn = one(List.of("json_contains", "json_contains_all", "json_contains_any", "JSON_CONTAINS_ANY"));
                    List<Object> values = new ArrayList<>();
                    List<String> texts = new ArrayList<>();
                    int n = fn.equalsIgnoreCase("json_contains") ? 1 : r.nextInt(4);
                    for (int k = 0; k < n; k++) {
                        Object v = r.nextInt(4) == 0 ? STRINGS[r.nextInt(4)] : pick(r, SMALL);
                        values.add(v);
                        texts.add(v instanceof String s ? strText(s) : intText((Long) v));
                    }
                    String arg = fn.equalsIgnoreCase("json_contains") ? texts.get(0) : "[" + String.join(", ", texts) + "]";
                    return Node.leaf(fn + "(" + arrPath[0] + ", " + arg + ")", row -> {
                        if (row.get((String) arrPath[1]) == null) return Tri.NULL;
                        if (!(jsonAt(row, arrPath) instanceof List<?> list)) return Tri.of(false);
                        return Tri.of(containsOp(fn, list, values));
                    });
                }
            }
        }

        private static boolean containsOp(String fn, List<?> list, List<Object> values) {
            String f = fn.toLowerCase();
            if (f.endsWith("_all")) {
                return values.stream().allMatch(v -> list.stream().anyMatch(x -> test("==", x, v)));
            }
            return values.stream().anyMatch(v -> list.stream().anyMatch(x -> test("==", x, v)));
        }

        private Node jsonRangeOrLike() {
            Object[] p = jsonPath();
            if (r.nextBoolean()) {
                String pat = one(PATTERNS);
                return Node.leaf(p[0] + " like " + strText(pat).replace("\\\\", "\\"), row -> {
                    if (row.get((String) p[1]) == null) return Tri.NULL;
                    return Tri.of(jsonAt(row, p) instanceof String s && like(s, pat));
                });
            }
            if (r.nextBoolean()) {
                long k = r.nextInt(5) - 2;
                if (k == 0) k = 1;
                long kk = k;
                String aop = one(List.of("+", "-", "*", "%"));
                String op = anyOp();
                long value = pick(r, SMALL);
                return Node.leaf(p[0] + " " + aop + " " + kk + " " + op + " " + value, row -> {
                    if (row.get((String) p[1]) == null) return Tri.NULL;
                    Object x = jsonAt(row, p);
                    if (!(x instanceof Number)) return Tri.of(op.equals("!="));
                    Object res = arithmetic(x, aop, kk);
                    return Tri.of(op.equals("!=") ? !test("==", res, value) : test(op, res, value));
                });
            }
            long lo = pick(r, SMALL);
            double hi = DOUBLES[r.nextInt(DOUBLES.length)];
            return Node.leaf(lo + " <= " + p[0] + " < " + hi, row -> {
                if (row.get((String) p[1]) == null) return Tri.NULL;
                Object x = jsonAt(row, p);
                return Tri.of(test(">=", x, lo) && test("<", x, hi));
            });
        }

        // ---- arrays, bools, pk

        private Node arrayContains() {
            boolean ints = r.nextBoolean();
            String field = ints ? "ai" : "tags";
            String fn = one(List.of("array_contains", "array_contains_all", "array_contains_any", "ARRAY_CONTAINS_ALL"));
            List<Object> values = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            int n = fn.equals("array_contains") ? 1 : r.nextInt(4);
            for (int k = 0; k < n; k++) {
                Object v = ints ? pick(r, SMALL) : new String[] {"a", "b", "c", "d"}[r.nextInt(4)];
                values.add(v);
                texts.add(v instanceof String s ? strText(s) : intText((Long) v));
            }
            String arg = fn.equals("array_contains") ? texts.get(0) : "[" + String.join(", ", texts) + "]";
            return Node.leaf(fn + "(" + field + ", " + arg + ")", row -> {
                List<?> list = (List<?>) row.get(field);
                if (list == null) return Tri.NULL;
                return Tri.of(containsOp(fn, list, values));
            });
        }

        private Node arrayLengthAndIndex() {
            String op = anyOp();
            switch (r.nextInt(4)) {
                case 0 -> {
                    long n = r.nextInt(5);
                    return Node.leaf("array_length(ai) " + op + " " + n, row -> {
                        List<?> list = (List<?>) row.get("ai");
                        if (list == null) return Tri.NULL;
                        return Tri.of(test(op, (long) list.size(), n));
                    });
                }
                case 1 -> {
                    long n = r.nextInt(5);
                    return Node.leaf("array_length(js['arr']) " + op + " " + n, row -> {
                        if (row.get("js") == null) return Tri.NULL;
                        Object x = navigate(row.get("js"), List.of("arr"));
                        return Tri.of(x instanceof List<?> l && test(op, (long) l.size(), n));
                    });
                }
                case 2 -> {
                    int idx = r.nextInt(4);
                    long v = pick(r, SMALL);
                    return Node.leaf("ai[" + idx + "] " + op + " " + intText(v), row -> {
                        List<?> list = (List<?>) row.get("ai");
                        if (list == null) return Tri.NULL;
                        return Tri.of(idx < list.size() && test(op, list.get(idx), v));
                    });
                }
                default -> {
                    int idx = r.nextInt(3);
                    String v = new String[] {"a", "b", "c"}[r.nextInt(3)];
                    return Node.leaf("tags[" + idx + "] " + op + " " + strText(v), row -> {
                        List<?> list = (List<?>) row.get("tags");
                        return Tri.of(idx < list.size() && test(op, list.get(idx), v));
                    });
                }
            }
        }

        private Node boolField() {
            return Node.leaf("flag", row -> {
                Object x = row.get("flag");
                return x == null ? Tri.NULL : Tri.of((Boolean) x);
            });
        }

        private Node pkTerm() {
            List<Long> ids = new ArrayList<>();
            for (int k = r.nextInt(30); k > 0; k--) ids.add((long) r.nextInt(ROWS + 20));
            if (ids.size() == 1 && r.nextBoolean()) {
                long id = ids.get(0);
                return Node.leaf("id == " + id, row -> Tri.of((Long) row.get("id") == id));
            }
            return Node.leaf("id in " + ids, row -> Tri.of(ids.contains((Long) row.get("id"))));
        }
    }
}
