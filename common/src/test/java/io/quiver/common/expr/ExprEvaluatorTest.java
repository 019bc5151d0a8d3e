package io.quiver.common.expr;

import static io.quiver.common.expr.ExprTestData.field;
import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.quiver.common.column.ColumnSource;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Evaluation semantics on a small fixed segment: nulls, JSON type mismatches, like escapes, arrays. */
class ExprEvaluatorTest {
    private static final CollectionSchema SCHEMA = ExprTestData.schema(true, true);
    private static final ColumnSource SEGMENT = ExprTestData.segment(SCHEMA, rows());

    private static List<Map<String, Object>> rows() {
        Object[][] data = {
                // id, age, name, js, ai, $meta
                {1L, 10L, "alice", Map.of("a", 1L), List.of(1L, 2L, 3L), Map.of("color", "red")},
                {2L, null, "bob", Map.of("a", "x"), List.of(), Map.of("color", 1L)},
                {3L, 30L, null, Map.of("a", 1.5), List.of(4L), Map.of()},
                {4L, 5L, "al%ce", Map.of(), null, Map.of("color", "blue")},
                {5L, 20L, "carol", null, List.of(1L), Map.of("size", 3L)},
        };
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object[] d : data) {
            Map<String, Object> r = new HashMap<>();
            r.put("id", d[0]);
            r.put("age", d[1]);
            r.put("name", d[2]);
            r.put("js", d[3]);
            r.put("ai", d[4]);
            r.put("$meta", d[5]);
            r.put("i8", 0L);
            r.put("d", 0.0);
            r.put("tags", List.of());
            rows.add(r);
        }
        return rows;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("age > 10", List.of(3, 5)),
                Arguments.of("age > 9223372036854775807", List.of()),
                Arguments.of("age < -9223372036854775808", List.of()),
                Arguments.of("age >= -9223372036854775808", List.of(1, 3, 4, 5)),
                Arguments.of("age <= 9223372036854775807", List.of(1, 3, 4, 5)),
                Arguments.of("-9223372036854775808 < age < 9223372036854775807", List.of(1, 3, 4, 5)),
                Arguments.of("10 < age < 11", List.of()),
                Arguments.of("20 <= age <= 10", List.of()),
                Arguments.of("age >= 10 && age < 30", List.of(1, 5)),
                Arguments.of("5 < age <= 20", List.of(1, 5)),
                // NULL compares false, and `not` keeps null rows out (Milvus: flip, then AND validity)
                Arguments.of("not (age > 10)", List.of(1, 4)),
                Arguments.of("age not in [10]", List.of(3, 4, 5)),
                Arguments.of("age != 10", List.of(3, 4, 5)),
                Arguments.of("age is null", List.of(2)),
                Arguments.of("AGE is not null".replace("AGE", "age"), List.of(1, 3, 4, 5)),
                Arguments.of("not (age is null)", List.of(1, 3, 4, 5)),
                Arguments.of("age > 10 or name == 'bob'", List.of(2, 3, 5)),
                Arguments.of("not (age > 10 or name == 'bob')", List.of(1, 4)),
                // Milvus ORs the validity of and/or operands: the null side does not poison the result
                Arguments.of("not (age > 100 and name == 'bob')", List.of(1, 2, 3, 4, 5)),
                Arguments.of("age * 2 == 20", List.of(1)),
                Arguments.of("age % 20 == 10", List.of(1, 3)),
                Arguments.of("age > 9.5", List.of(1, 3, 5)),
                Arguments.of("age in [10.0, 20.5]", List.of(1)),
                // JSON: wrong type or absent compares false; != is "not ==" (true there), as in Milvus
                Arguments.of("js['a'] == 1", List.of(1)),
                Arguments.of("js['a'] > 0", List.of(1, 3)),
                Arguments.of("js['a'] != 1", List.of(2, 3, 4)),
                Arguments.of("js['a'] like 'x%'", List.of(2)),
                Arguments.of("js['a'] in [1, 'x']", List.of(1, 2)),
                Arguments.of("exists js['a']", List.of(1, 2, 3)),
                Arguments.of("js['a'] is null", List.of(4, 5)),
                Arguments.of("js is null", List.of(5)),
                Arguments.of("color == 'red'", List.of(1)),
                Arguments.of("color != 'red'", List.of(2, 3, 4, 5)),
                Arguments.of("exists color", List.of(1, 2, 4)),
                Arguments.of("$meta['size'] >= 3", List.of(5)),
                // like
                Arguments.of("name like 'al%'", List.of(1, 4)),
                Arguments.of("name like 'al\\%ce'", List.of(4)),
                Arguments.of("name like '%o%'", List.of(2, 5)),
                Arguments.of("name like '%e'", List.of(1, 4)),
                Arguments.of("name like '_ob'", List.of(2)),
                Arguments.of("name like '%'", List.of(1, 2, 4, 5)),
                Arguments.of("not (name like 'a%')", List.of(2, 5)),
                // arrays: index out of bounds is false for every operator
                Arguments.of("ai[0] == 1", List.of(1, 5)),
                Arguments.of("ai[1] != 9", List.of(1)),
                Arguments.of("array_length(ai) == 0", List.of(2)),
                Arguments.of("array_contains_any(ai, [4, 2])", List.of(1, 3)),
                Arguments.of("array_contains_all(ai, [1, 3])", List.of(1)),
                Arguments.of("array_contains(ai, 1)", List.of(1, 5)),
                Arguments.of("ai == [1]", List.of(5)),
                // constants and pk
                Arguments.of("", List.of(1, 2, 3, 4, 5)),
                Arguments.of("false", List.of()),
                Arguments.of("id in [2, 4, 99]", List.of(2, 4)),
                Arguments.of("id == 3 || id == 5", List.of(3, 5)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void evaluates(String expr, List<Integer> expectedIds) {
        BitSet out = ExprTestData.evaluate(expr, SCHEMA, SEGMENT);
        List<Integer> ids = out.stream().map(i -> i + 1).boxed().toList();
        assertThat(ids).isEqualTo(expectedIds);
    }

    @Test
    void touchesOnlyRowsBelowRowCount() {
        BitSet out = new BitSet();
        out.set(0, 10);
        ExprEvaluator.evaluate(ExprPlanner.plan("age > 10", SCHEMA, Map.of()), SEGMENT, 5, out);
        assertThat(out.stream().boxed().toList()).containsExactly(2, 4, 5, 6, 7, 8, 9);
        BitSet prefix = new BitSet();
        ExprEvaluator.evaluate(ExprPlanner.plan("age > 10", SCHEMA, Map.of()), SEGMENT, 3, prefix);
        assertThat(prefix.stream().boxed().toList()).containsExactly(2);
    }

    @Test
    void largeInListUsesTheHashPath() {
        StringBuilder sb = new StringBuilder("id in [");
        for (int i = 100; i < 400; i++) sb.append(i).append(',');
        sb.append("2, 5]");
        assertThat(ExprTestData.evaluate(sb.toString(), SCHEMA, SEGMENT).stream().boxed().toList()).containsExactly(1, 4);
    }

    @Test
    void fieldMissingFromSegmentIsNull() {
        CollectionSchema s = SCHEMA.toBuilder().addFields(ExprTestData.nullable(field(120, "later", DataType.Int64), true)).build();
        assertThat(ExprTestData.evaluate("later > 1", s, SEGMENT).cardinality()).isZero();
        assertThat(ExprTestData.evaluate("not (later > 1)", s, SEGMENT).cardinality()).isZero();
        assertThat(ExprTestData.evaluate("later is null", s, SEGMENT).cardinality()).isEqualTo(5);
    }

    @Test
    void varcharPrimaryKey() {
        CollectionSchema s = CollectionSchema.newBuilder()
                .addFields(field(100, "pk", DataType.VarChar).toBuilder().setIsPrimaryKey(true).build()).build();
        List<Map<String, Object>> rows = List.of(Map.of("pk", "a"), Map.of("pk", "b"), Map.of("pk", "c"));
        ColumnSource seg = ExprTestData.segment(s, rows);
        var plan = ExprPlanner.plan("pk in ['a', \"c\"] or pk == 'b'", s, Map.of());
        assertThat(ExprEvaluator.primaryKeyTerms(plan)).contains(List.of("a", "c", "b"));
        assertThat(ExprTestData.evaluate("pk in ['a', 'c']", s, seg).stream().boxed().toList()).containsExactly(0, 2);
        assertThat(ExprTestData.evaluate("pk > 'a'", s, seg).stream().boxed().toList()).containsExactly(1, 2);
    }
}
