package io.quiver.common.expr;

import static io.quiver.common.expr.ExprTestData.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.TemplateValue;
import io.quiver.common.column.ColumnSource;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.plan.PlanExpr;
import io.quiver.proto.plan.TextMatchExpr;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TEXT_MATCH / PHRASE_MATCH through the planner and the evaluator: plans, Milvus' errors, combination with logic. */
class TextMatchExprTest {
    private static final CollectionSchema SCHEMA = CollectionSchema.newBuilder().setName("c")
            .addFields(field(100, "id", DataType.Int64).toBuilder().setIsPrimaryKey(true).build())
            .addFields(text(101, "body", true, "{\"type\": \"english\"}").toBuilder().setNullable(true).build())
            .addFields(text(102, "plain", false, null))
            .addFields(field(103, "age", DataType.Int64))
            .build();

    private static FieldSchema text(long id, String name, boolean match, String analyzerParams) {
        FieldSchema.Builder f = field(id, name, DataType.VarChar).toBuilder()
                .addTypeParams(KeyValuePair.newBuilder().setKey("max_length").setValue("200"))
                .addTypeParams(KeyValuePair.newBuilder().setKey("enable_analyzer").setValue("true"));
        if (match) {
            f.addTypeParams(KeyValuePair.newBuilder().setKey("enable_match").setValue("true"));
        }
        if (analyzerParams != null) {
            f.addTypeParams(KeyValuePair.newBuilder().setKey("analyzer_params").setValue(analyzerParams));
        }
        return f.build();
    }

    private static final ColumnSource SEGMENT = segment();

    private static ColumnSource segment() {
        String[] bodies = {"Running dogs in the park", "a dog runs", null, "cats sleep in the park", "the park dog"};
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < bodies.length; i++) {
            Map<String, Object> r = new HashMap<>();
            r.put("id", (long) i);
            r.put("body", bodies[i]);
            r.put("plain", "x");
            r.put("age", (long) i * 10);
            rows.add(r);
        }
        return ExprTestData.segment(SCHEMA, rows);
    }

    private static List<Integer> rows(String expr) {
        BitSet b = ExprTestData.evaluate(expr, SCHEMA, SEGMENT);
        return b.stream().boxed().toList();
    }

    @Test
    void plansCarryTheRawQueryAndSlop() {
        TextMatchExpr t = ExprPlanner.plan("text_match(body, 'dog park')", SCHEMA, Map.of()).getTextMatchExpr();
        assertThat(t.getType()).isEqualTo(TextMatchExpr.MatchType.ANY_TOKEN);
        assertThat(t.getQuery()).isEqualTo("dog park");
        assertThat(t.getColumnInfo().getFieldId()).isEqualTo(101);
        TextMatchExpr p = ExprPlanner.plan("PHRASE_MATCH(body, \"dog park\", 3)", SCHEMA, Map.of()).getTextMatchExpr();
        assertThat(p.getType()).isEqualTo(TextMatchExpr.MatchType.PHRASE);
        assertThat(p.getSlop()).isEqualTo(3);
        assertThat(ExprPlanner.plan("phrase_match(body, 'a b')", SCHEMA, Map.of()).getTextMatchExpr().getSlop()).isZero();
        assertThat(Integer.toUnsignedLong(ExprPlanner.plan("phrase_match(body, 'a b', 4294967295)", SCHEMA, Map.of())
                .getTextMatchExpr().getSlop())).isEqualTo(4294967295L);
        PlanExpr templated = ExprPlanner.plan("TEXT_MATCH(body, {q}) and age > 1", SCHEMA,
                Map.of("q", TemplateValue.newBuilder().setStringVal("dog").build()));
        assertThat(templated.getBinaryExpr().getLeft().getTextMatchExpr().getQuery()).isEqualTo("dog");
    }

    @Test
    void evaluatesAndCombinesWithEveryOperator() {
        assertThat(rows("text_match(body, 'run')")).containsExactly(0, 1); // english: running, runs -> run
        assertThat(rows("TEXT_MATCH(body, 'DOG cat')")).containsExactly(0, 1, 3, 4);
        assertThat(rows("text_match(body, 'dog') and text_match(body, 'park')")).containsExactly(0, 4);
        assertThat(rows("text_match(body, 'dog') and age >= 20")).containsExactly(4);
        assertThat(rows("text_match(body, 'cat') or id == 1")).containsExactly(1, 3);
        // not: the null row stays out, as for every leaf on a null value
        assertThat(rows("not text_match(body, 'dog')")).containsExactly(3);
        assertThat(rows("phrase_match(body, 'running dogs')")).containsExactly(0);
        assertThat(rows("phrase_match(body, 'dog park')")).isEmpty();
        assertThat(rows("phrase_match(body, 'dog park', 1)")).isEmpty();
        // row 0: two words between (in, the); row 4: "park dog", the pair reversed
        assertThat(rows("phrase_match(body, 'dog park', 2)")).containsExactly(0, 4);
        // "the" is a stop word: no token, but its position stays a gap on both sides
        assertThat(rows("phrase_match(body, 'dogs in the park', 0)")).containsExactly(0);
        assertThat(rows("phrase_match(body, 'dogs in park', 0)")).isEmpty();
        assertThat(rows("phrase_match(body, 'dogs in park', 1)")).containsExactly(0);
        assertThat(rows("phrase_match(body, 'park')")).containsExactly(0, 3, 4);
        assertThat(rows("text_match(body, 'the')")).isEmpty();
    }

    @Test
    void aFieldWithoutEnableMatchHasNoTextIndex() {
        assertThatThrownBy(() -> ExprPlanner.plan("text_match(plain, 'x')", SCHEMA, Map.of()))
                .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.TEXT_INDEX_NOT_FOUND))
                .hasMessageContaining("failed to get text index, text index not found");
        assertThat(ErrorCode.TEXT_INDEX_NOT_FOUND.code()).isEqualTo(2042);
        // a plan that reaches a segment anyway (a schema without the flag) fails the same way there
        PlanExpr forged = PlanExpr.newBuilder().setTextMatchExpr(TextMatchExpr.newBuilder()
                .setColumnInfo(io.quiver.proto.plan.ColumnInfo.newBuilder().setFieldId(102).setDataType(DataType.VarChar))
                .setQuery("x").setType(TextMatchExpr.MatchType.ANY_TOKEN)).build();
        assertThatThrownBy(() -> ExprEvaluator.evaluate(forged, SEGMENT, SEGMENT.rowCount(), new BitSet()))
                .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.TEXT_INDEX_NOT_FOUND));
    }

    @Test
    void refusesBadArgumentsAsInvalidExpressions() {
        assertInvalid("text_match(age, 'x')", "text match operation on non-string is unsupported");
        assertInvalid("phrase_match(age, 'x y')", "phrase match operation on non-string is unsupported");
        assertInvalid("text_match(nosuch, 'x')", "field nosuch not exist");
        assertInvalid("text_match(body, 3)", "must be a string");
        assertInvalid("text_match(body, plain)", "must be a constant");
        assertInvalid("text_match(body, 'x', 1)", "third argument");
        assertInvalid("phrase_match(body, 'x y', -1)", "should not be a negative");
        assertInvalid("phrase_match(body, 'x y', 1.5)", "const integer expression");
        assertInvalid("phrase_match(body, 'x y', age)", "const integer expression");
        assertInvalid("phrase_match(body, 'x y', 4294967296)", "exceeds the range of \"uint32\"");
        assertInvalid("text_match(body)", "line 1");
        assertInvalid("Text_Match(body, 'x')", "function Text_Match is not supported"); // keywords: lower or upper case
    }

    private static void assertInvalid(String expr, String message) {
        assertThatThrownBy(() -> ExprPlanner.plan(expr, SCHEMA, Map.of()))
                .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.PARAMETER_INVALID))
                .hasMessageContaining(message);
    }
}
