package io.quiver.common.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.TemplateArrayValue;
import io.milvus.grpc.TemplateValue;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.plan.PlanExpr;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExprPlannerTest {
    private static final CollectionSchema SCHEMA = ExprTestData.schema(true, true);
    private static final CollectionSchema STATIC = ExprTestData.schema(false, false);
    private static final Map<String, TemplateValue> TEMPLATES = Map.of(
            "min_age", TemplateValue.newBuilder().setInt64Val(18).build(),
            "ids", TemplateValue.newBuilder().setArrayVal(TemplateArrayValue.newBuilder()
                    .setLongData(LongArray.newBuilder().addData(1).addData(2).addData(3))).build(),
            "names", TemplateValue.newBuilder().setArrayVal(TemplateArrayValue.newBuilder()
                    .setStringData(StringArray.newBuilder().addData("a").addData("b"))).build(),
            "pat", TemplateValue.newBuilder().setStringVal("ab%").build(),
            "ratio", TemplateValue.newBuilder().setFloatVal(0.5).build());

    static Stream<Arguments> valid() {
        return Stream.of(
                // empty
                Arguments.of("", "true"),
                Arguments.of("   ", "true"),
                // comparisons, both orders
                Arguments.of("age > 10", "age > 10"),
                Arguments.of("10 < age", "age > 10"),
                Arguments.of("age >= -3", "age >= -3"),
                Arguments.of("age <= 0x1F", "age <= 31"),
                Arguments.of("age == 0o17", "age == 15"),
                Arguments.of("age == 017", "age == 15"),
                Arguments.of("age != 0b101", "age != 5"),
                Arguments.of("age == 0", "age == 0"),
                Arguments.of("age > -9223372036854775808", "age > -9223372036854775808"),
                Arguments.of("age > 1.5", "age > 1.5d"),
                Arguments.of("d < 1e3", "d < 1000.0d"),
                Arguments.of("d < .5", "d < 0.5d"),
                Arguments.of("d < 2.5E-1", "d < 0.25d"),
                Arguments.of("d > 0x1.8p1", "d > 3.0d"),
                Arguments.of("d == 2", "d == 2.0d"),
                Arguments.of("f == 0.1", "f == " + (double) 0.1f + "d"),
                Arguments.of("age > 1 + 2 * 3", "age > 7"),
                Arguments.of("age > 2 ** 3", "age > 8"),
                Arguments.of("age > -(3)", "age > -3"),
                Arguments.of("name == \"abc\"", "name == \"abc\""),
                Arguments.of("name == 'it\\'s'", "name == \"it's\""),
                Arguments.of("name == \"a\\tb\\x41\\u00e9\"", "name == \"a\tbA\u00e9\""),
                Arguments.of("name > 'm'", "name > \"m\""),
                Arguments.of("flag == true", "flag == true"),
                Arguments.of("flag == False", "flag == false"),
                Arguments.of("flag != TRUE", "flag != true"),
                Arguments.of("flag", "flag == true"),
                Arguments.of("not flag", "not(flag == true)"),
                // pk fast path shapes
                Arguments.of("id in [1, 2, 3]", "id in [1, 2, 3]"),
                Arguments.of("id IN []", "id in []"),
                Arguments.of("id == 7", "id == 7"),
                Arguments.of("id not in [1,2,]", "not(id in [1, 2])"),
                Arguments.of("age in [1, 2.0, 2.5]", "age in [1, 2]"),
                Arguments.of("d in [1, 2.5]", "d in [1.0d, 2.5d]"),
                Arguments.of("name in ['a', \"b\"]", "name in [\"a\", \"b\"]"),
                // logic
                Arguments.of("age > 10 and name like \"a%\"", "(age > 10 and name prefix_match \"a\")"),
                Arguments.of("age > 1 && age < 5 || flag", "((age > 1 and age < 5) or flag == true)"),
                Arguments.of("age > 1 AND (age < 5 OR flag)", "(age > 1 and (age < 5 or flag == true))"),
                Arguments.of("!(age > 1)", "not(age > 1)"),
                Arguments.of("NOT age > 1 and age < 3", "(not(age > 1) and age < 3)"),
                Arguments.of("not (age > 1 or age < -1)", "not((age > 1 or age < -1))"),
                Arguments.of("true", "true"),
                Arguments.of("false", "not(true)"),
                Arguments.of("1 < 2", "true"),
                Arguments.of("true and age > 1", "(true and age > 1)"),
                // ranges
                Arguments.of("1 < age <= 10", "1 < age <= 10"),
                Arguments.of("10 >= age > 1", "1 < age <= 10"),
                Arguments.of("-1.5 <= d < 2", "-1.5d <= d < 2.0d"),
                Arguments.of("'a' <= name < 'c'", "\"a\" <= name < \"c\""),
                Arguments.of("1 < js[\"a\"] < 5", "1 < js[a] < 5"),
                // like
                Arguments.of("name like 'abc%'", "name prefix_match \"abc\""),
                Arguments.of("name LIKE '%abc'", "name postfix_match \"abc\""),
                Arguments.of("name like '%abc%'", "name inner_match \"abc\""),
                Arguments.of("name like 'abc'", "name == \"abc\""),
                Arguments.of("name like 'a_c%'", "name match \"a_c%\""),
                Arguments.of("name like '100\\%'", "name == \"100%\""),
                Arguments.of("name like '100\\%%'", "name prefix_match \"100%\""),
                Arguments.of("name like 'a%b%c'", "name match \"a%b%c\""),
                Arguments.of("js['s'] like 'x%'", "js[s] prefix_match \"x\""),
                // arithmetic
                Arguments.of("age * 2 == 10", "(age MUL 2) == 10"),
                Arguments.of("2 * age == 10", "(age MUL 2) == 10"),
                Arguments.of("age + 1 > 3", "(age ADD 1) > 3"),
                Arguments.of("age % 3 != 0", "(age MOD 3) != 0"),
                Arguments.of("10 == age - 1", "(age SUB 1) == 10"),
                Arguments.of("d / 2 < 1", "(d DIV 2.0d) < 1.0d"),
                Arguments.of("js['a'] + 1 == 2", "(js[a] ADD 1) == 2"),
                // field vs field
                Arguments.of("age < i32", "age < i32"),
                Arguments.of("f >= d", "f >= d"),
                Arguments.of("name != name", "name != name"),
                // JSON and dynamic
                Arguments.of("js[\"a\"][0][\"b\"] == 1", "js[a][0][b] == 1"),
                Arguments.of("js['a'] == 'x'", "js[a] == \"x\""),
                Arguments.of("js['a'] in [1, 'x', true]", "js[a] in [1, \"x\", true]"),
                Arguments.of("color == 'red'", "$meta[color] == \"red\""),
                Arguments.of("$meta['color'] == 'red'", "$meta[color] == \"red\""),
                Arguments.of("size['w'] > 3", "$meta[size][w] > 3"),
                Arguments.of("exists js['a']", "exists js[a]"),
                Arguments.of("EXISTS color", "exists $meta[color]"),
                Arguments.of("json_contains(js['tags'], 'x')", "contains(js[tags], [\"x\"])"),
                Arguments.of("JSON_CONTAINS_ALL(js['tags'], [1, 2])", "contains_all(js[tags], [1, 2])"),
                Arguments.of("json_contains_any(tags2, ['a'])", "contains_any($meta[tags2], [\"a\"])"),
                // arrays
                Arguments.of("array_contains(ai, 3)", "contains(ai, [3])"),
                Arguments.of("array_contains_all(tags, ['a', 'b'])", "contains_all(tags, [\"a\", \"b\"])"),
                Arguments.of("ARRAY_CONTAINS_ANY(ai, [1, 2])", "contains_any(ai, [1, 2])"),
                Arguments.of("array_length(ai) == 3", "array_length(ai) == 3"),
                Arguments.of("array_length(js['tags']) > 1", "array_length(js[tags]) > 1"),
                Arguments.of("ai[0] > 1", "ai[0] > 1"),
                Arguments.of("tags[2] == 'x'", "tags[2] == \"x\""),
                Arguments.of("ai == [1, 2]", "ai == [1, 2]"),
                // null
                Arguments.of("age is null", "age is null"),
                Arguments.of("age IS NOT NULL", "age is not null"),
                Arguments.of("js['a'] is null", "js[a] is null"),
                Arguments.of("age is not null and age > 1", "(age is not null and age > 1)"),
                // templates
                Arguments.of("age > {min_age} and id in {ids}", "(age > 18 and id in [1, 2, 3])"),
                Arguments.of("name in {names}", "name in [\"a\", \"b\"]"),
                Arguments.of("name like {pat}", "name prefix_match \"ab\""),
                Arguments.of("d > {ratio}", "d > 0.5d"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("valid")
    void plansValidExpressions(String expr, String expected) {
        PlanExpr plan = ExprPlanner.plan(expr, SCHEMA, TEMPLATES);
        assertThat(PlanText.render(plan, SCHEMA)).isEqualTo(expected);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("age >> 3", "operator >> is not supported"),
                Arguments.of("age > > 3", "cannot parse expression: age > > 3, error: line 1:6"),
                Arguments.of("age >", "line 1:5 no viable alternative at input '>'"),
                Arguments.of("(age > 1", "line 1:8 missing ')'"),
                Arguments.of("age > 1)", "line 1:7 extraneous input ')'"),
                Arguments.of("age # 1", "token recognition error at: '#'"),
                Arguments.of("name == 'abc", "unterminated string literal at 1:8"),
                Arguments.of("name == \"abc", "unterminated string literal at 1:8"),
                Arguments.of("age > 'abc'", "cannot compare field age (Int64) with 'abc' (string)"),
                Arguments.of("'abc' < age", "cannot compare field age (Int64) with 'abc' (string)"),
                Arguments.of("name == 1", "cannot compare field name (VarChar) with 1 (int64)"),
                Arguments.of("flag == 1", "cannot compare field flag (Bool) with 1 (int64)"),
                Arguments.of("flag > true", "operator > is not supported on field flag (Bool)"),
                Arguments.of("d == 'x'", "cannot compare field d (Double) with 'x' (string)"),
                Arguments.of("age in ['a']", "cannot compare field age (Int64) with 'a' (string)"),
                Arguments.of("age in 3", "the right side of in must be an array"),
                Arguments.of("age like 'a%'", "like is only supported on VarChar or JSON fields, but age is Int64"),
                Arguments.of("name like 3", "a like pattern must be a string"),
                Arguments.of("name * 2 == 4", "arithmetic operator * is not supported on field name (VarChar)"),
                Arguments.of("age / 0 == 1", "divide by zero"),
                Arguments.of("age % 0 == 1", "divide by zero"),
                Arguments.of("age * 2", "is not a boolean expression"),
                Arguments.of("age", "'age' is not a boolean expression"),
                Arguments.of("1 + 2", "is not a boolean expression"),
                Arguments.of("emb > 1", "vector field emb (FloatVector) cannot be used in a filter expression"),
                Arguments.of("age['a'] > 1", "field age (Int64) cannot be indexed"),
                Arguments.of("ai['a'] > 1", "array field ai only supports a single integer index"),
                Arguments.of("ai > 1", "operator > is not supported on field ai (Array[Int64])"),
                Arguments.of("ai[0] == 'x'", "cannot compare field ai[0] (Int64) with 'x' (string)"),
                Arguments.of("array_contains(ai, 'x')", "array_contains: cannot compare elements of ai (Array[Int64]) with 'x' (string)"),
                Arguments.of("array_contains_all(ai, 1)", "must be an array"),
                Arguments.of("json_contains(age, 1)", "json_contains is only supported on JSON and array fields"),
                Arguments.of("array_length(age) == 1", "array_length is only supported on array and JSON fields"),
                Arguments.of("exists age", "exists operation is only supported on a JSON path"),
                Arguments.of("exists js", "exists operation is only supported on a JSON path"),
                Arguments.of("age > {missing}", "template variable {missing} is not found"),
                Arguments.of("age < i32 + 1", "unsupported comparison"),
                Arguments.of("age < name", "cannot compare field age (Int64) with field name (VarChar) by <"),
                Arguments.of("js == js", "cannot compare field js (JSON) with field js (JSON)"),
                Arguments.of("age > 99999999999999999999", "integer literal 99999999999999999999 is out of the int64 range"),
                Arguments.of("starts_with(name, 'a')", "function starts_with is not supported"),
                Arguments.of("1 in age", "'value in array_field' is not supported"),
                Arguments.of("age + 1 + 2 == 3", "arithmetic is only supported as 'field + constant'"),
                Arguments.of("1 - age == 3", "arithmetic is only supported as 'field - constant'"),
                Arguments.of("age & 1 == 1", "operator & is not supported"),
                Arguments.of("'a' < 1", "cannot compare 'a' (string) with 1 (int64) by <"),
                Arguments.of("1 < age < 'z'", "cannot compare field age (Int64) with 'z' (string)"),
                Arguments.of("js['a'] > true", "operator > is not supported with true (bool)"),
                Arguments.of("age in [1, age]", "an array element must be a constant"),
                Arguments.of("ai[0] is null", "is null is not supported on array elements"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalid")
    void rejectsInvalidExpressions(String expr, String message) {
        assertThatThrownBy(() -> ExprPlanner.plan(expr, SCHEMA, TEMPLATES))
                .isInstanceOf(QuiverException.class)
                .hasMessageContaining(message)
                .hasMessageContaining("cannot parse expression: " + expr)
                .satisfies(e -> assertThat(((QuiverException) e).errorCode()).isEqualTo(ErrorCode.PARAMETER_INVALID));
    }

    @Test
    void bareNamesNeedTheDynamicField() {
        assertThatThrownBy(() -> ExprPlanner.plan("color == 'red'", STATIC, Map.of()))
                .hasMessageContaining("field color not exist");
        assertThatThrownBy(() -> ExprPlanner.plan("nonexistent > 1", STATIC, Map.of()))
                .hasMessageContaining("cannot parse expression: nonexistent > 1, error: field nonexistent not exist");
        assertThatThrownBy(() -> ExprPlanner.plan("$meta['a'] > 1", STATIC, Map.of()))
                .hasMessageContaining("field $meta not exist");
    }

    @Test
    void semanticErrorsNamePosition() {
        assertThatThrownBy(() -> ExprPlanner.plan("age > 1 and nope == 2", STATIC, Map.of()))
                .hasMessageContaining("field nope not exist (at 1:12)");
    }

    @Test
    void primaryKeyTerms() {
        assertThat(ExprEvaluator.primaryKeyTerms(ExprPlanner.plan("id in [3, 1, 2]", SCHEMA, Map.of())))
                .contains(List.of(3L, 1L, 2L));
        assertThat(ExprEvaluator.primaryKeyTerms(ExprPlanner.plan("id == 5 or id in [6] || id == 5", SCHEMA, Map.of())))
                .contains(List.of(5L, 6L));
        assertThat(ExprEvaluator.primaryKeyTerms(ExprPlanner.plan("id in []", SCHEMA, Map.of()))).contains(List.of());
        assertThat(ExprEvaluator.primaryKeyTerms(ExprPlanner.plan("id > 5", SCHEMA, Map.of()))).isEqualTo(Optional.empty());
        assertThat(ExprEvaluator.primaryKeyTerms(ExprPlanner.plan("id == 5 and age > 1", SCHEMA, Map.of()))).isEmpty();
        assertThat(ExprEvaluator.primaryKeyTerms(ExprPlanner.plan("age in [1]", SCHEMA, Map.of()))).isEmpty();
        assertThat(ExprEvaluator.primaryKeyTerms(ExprPlanner.plan("id not in [1]", SCHEMA, Map.of()))).isEmpty();
    }

    @Test
    void longOrChainsBecomeBalancedTrees() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5_000; i++) sb.append(i == 0 ? "" : " or ").append("id == ").append(i);
        PlanExpr plan = ExprPlanner.plan(sb.toString(), SCHEMA, Map.of());
        // survives protobuf's nesting limit of 100 on the way to a querynode
        PlanExpr copy = PlanExpr.parseFrom(plan.toByteArray());
        assertThat(ExprEvaluator.primaryKeyTerms(copy).orElseThrow()).hasSize(5_000);
        assertThat(PlanText.render(ExprPlanner.plan("age > 1 and age < 9 and age != 5 and flag", SCHEMA, Map.of()), SCHEMA))
                .isEqualTo("((age > 1 and age < 9) and (age != 5 and flag == true))");
    }

    @Test
    void templateArraysOfJsonAndNestedArrays() {
        TemplateValue json = TemplateValue.newBuilder().setArrayVal(TemplateArrayValue.newBuilder()
                .setJsonData(io.milvus.grpc.JSONArray.newBuilder()
                        .addData(com.google.protobuf.ByteString.copyFromUtf8("1"))
                        .addData(com.google.protobuf.ByteString.copyFromUtf8("\"x\""))
                        .addData(com.google.protobuf.ByteString.copyFromUtf8("[1,2]")))).build();
        TemplateValue nested = TemplateValue.newBuilder().setArrayVal(TemplateArrayValue.newBuilder()
                .setArrayData(io.milvus.grpc.TemplateArrayValueArray.newBuilder()
                        .addData(TemplateArrayValue.newBuilder().setLongData(LongArray.newBuilder().addData(1).addData(2)))))
                .build();
        Map<String, TemplateValue> t = Map.of("v", json, "n", nested);
        assertThat(PlanText.render(ExprPlanner.plan("js['a'] in {v}", SCHEMA, t), SCHEMA)).isEqualTo("js[a] in [1, \"x\", [1, 2]]");
        assertThat(PlanText.render(ExprPlanner.plan("json_contains_any(js['a'], {n})", SCHEMA, t), SCHEMA))
                .isEqualTo("contains_any(js[a], [[1, 2]])");
    }

    @Test
    void largeInListsParseQuickly() {
        StringBuilder sb = new StringBuilder("id in [");
        for (int i = 0; i < 20_000; i++) sb.append(i == 0 ? "" : ",").append(i);
        PlanExpr plan = ExprPlanner.plan(sb.append(']').toString(), SCHEMA, Map.of());
        assertThat(plan.getTermExpr().getValuesCount()).isEqualTo(20_000);
    }
}
