package io.quiver.common.expr;

import io.milvus.grpc.DataType;
import io.quiver.proto.plan.ArithOpType;
import io.quiver.proto.plan.ColumnInfo;
import io.quiver.proto.plan.PlanExpr;

/** What a sub-expression denotes while planning: a constant, a column, `column op constant`, or a predicate. */
sealed interface Operand {

    /** A folded constant: Long, Double, Boolean, String or List of those. */
    record Const(Object value) implements Operand {}

    /** A field, a JSON path inside a JSON field, or one element of an array field. */
    record Column(ColumnInfo info, String name) implements Operand {
        Kind kind() {
            DataType t = info.getDataType();
            if (t == DataType.JSON) {
                return Kind.JSON;
            }
            if (t == DataType.Array) {
                return info.getNestedPathCount() == 0 ? Kind.ARRAY : Kind.of(info.getElementType());
            }
            return Kind.of(t);
        }

        /** The type as shown in messages: Int64, VarChar, JSON, Array[Int64]. */
        String typeLabel() {
            DataType t = info.getDataType();
            if (t == DataType.Array) {
                return info.getNestedPathCount() == 0 ? "Array[" + info.getElementType() + "]" : info.getElementType().name();
            }
            return t.name();
        }
    }

    /** {@code column <arith> operand}, or {@code array_length(column)} (operand null). */
    record Arith(Column column, ArithOpType op, Object operand, String text) implements Operand {}

    /** A boolean expression already in plan form. */
    record Pred(PlanExpr expr) implements Operand {}

    enum Kind {
        INT, FLOAT, BOOL, STRING, JSON, ARRAY, OTHER;

        static Kind of(DataType t) {
            return switch (t) {
                case Int8, Int16, Int32, Int64 -> INT;
                case Float, Double -> FLOAT;
                case Bool -> BOOL;
                case VarChar, String -> STRING;
                case JSON -> JSON;
                case Array -> ARRAY;
                default -> OTHER;
            };
        }
    }
}
