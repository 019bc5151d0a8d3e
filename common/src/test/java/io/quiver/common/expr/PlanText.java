package io.quiver.common.expr;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.FieldSchema;
import io.quiver.proto.plan.ColumnInfo;
import io.quiver.proto.plan.GenericValue;
import io.quiver.proto.plan.OpType;
import io.quiver.proto.plan.PlanExpr;
import java.util.List;
import java.util.stream.Collectors;

/** A compact, readable rendering of plans for the planner's expectation tables. */
final class PlanText {
    private PlanText() {}

    static String render(PlanExpr e, CollectionSchema s) {
        return switch (e.getExprCase()) {
            case ALWAYS_TRUE_EXPR -> "true";
            case UNARY_EXPR -> "not(" + render(e.getUnaryExpr().getChild(), s) + ")";
            case BINARY_EXPR -> "(" + render(e.getBinaryExpr().getLeft(), s)
                    + (e.getBinaryExpr().getOp().name().endsWith("AND") ? " and " : " or ") + render(e.getBinaryExpr().getRight(), s) + ")";
            case UNARY_RANGE_EXPR -> col(e.getUnaryRangeExpr().getColumnInfo(), s) + " " + op(e.getUnaryRangeExpr().getOp())
                    + " " + val(e.getUnaryRangeExpr().getValue());
            case BINARY_RANGE_EXPR -> {
                var r = e.getBinaryRangeExpr();
                yield val(r.getLowerValue()) + (r.getLowerInclusive() ? " <= " : " < ") + col(r.getColumnInfo(), s)
                        + (r.getUpperInclusive() ? " <= " : " < ") + val(r.getUpperValue());
            }
            case TERM_EXPR -> col(e.getTermExpr().getColumnInfo(), s) + " in " + vals(e.getTermExpr().getValuesList());
            case COMPARE_EXPR -> col(e.getCompareExpr().getLeftColumnInfo(), s) + " " + op(e.getCompareExpr().getOp()) + " "
                    + col(e.getCompareExpr().getRightColumnInfo(), s);
            case BINARY_ARITH_OP_EVAL_RANGE_EXPR -> {
                var a = e.getBinaryArithOpEvalRangeExpr();
                String lhs = a.getArithOp().name().equals("ARRAY_LENGTH") ? "array_length(" + col(a.getColumnInfo(), s) + ")"
                        : "(" + col(a.getColumnInfo(), s) + " " + a.getArithOp() + " " + val(a.getRightOperand()) + ")";
                yield lhs + " " + op(a.getOp()) + " " + val(a.getValue());
            }
            case JSON_CONTAINS_EXPR -> e.getJsonContainsExpr().getOp().name().toLowerCase() + "(" + col(e.getJsonContainsExpr().getColumnInfo(), s)
                    + ", " + vals(e.getJsonContainsExpr().getElementsList()) + ")";
            case EXISTS_EXPR -> "exists " + col(e.getExistsExpr().getInfo(), s);
            case NULL_EXPR -> col(e.getNullExpr().getColumnInfo(), s) + (e.getNullExpr().getOp().name().equals("IS_NULL") ? " is null" : " is not null");
            default -> e.getExprCase().name();
        };
    }

    private static String col(ColumnInfo c, CollectionSchema s) {
        String name = s.getFieldsList().stream().filter(f -> f.getFieldID() == c.getFieldId()).map(FieldSchema::getName)
                .findFirst().orElse("#" + c.getFieldId());
        StringBuilder sb = new StringBuilder(name);
        for (String p : c.getNestedPathList()) sb.append('[').append(p).append(']');
        return sb.toString();
    }

    private static String op(OpType op) {
        return switch (op) {
            case GREATER_THAN -> ">";
            case GREATER_EQUAL -> ">=";
            case LESS_THAN -> "<";
            case LESS_EQUAL -> "<=";
            case EQUAL -> "==";
            case NOT_EQUAL -> "!=";
            default -> op.name().toLowerCase();
        };
    }

    private static String vals(List<GenericValue> vs) {
        return vs.stream().map(PlanText::val).collect(Collectors.joining(", ", "[", "]"));
    }

    static String val(GenericValue g) {
        return switch (g.getValCase()) {
            case BOOL_VAL -> String.valueOf(g.getBoolVal());
            case INT64_VAL -> String.valueOf(g.getInt64Val());
            case FLOAT_VAL -> g.getFloatVal() + "d";
            case STRING_VAL -> '"' + g.getStringVal() + '"';
            case ARRAY_VAL -> vals(g.getArrayVal().getArrayList());
            case VAL_NOT_SET -> "?";
        };
    }
}
