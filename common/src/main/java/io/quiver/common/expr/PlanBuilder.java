package io.quiver.common.expr;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.TemplateValue;
import io.quiver.common.expr.Operand.Arith;
import io.quiver.common.expr.Operand.Column;
import io.quiver.common.expr.Operand.Const;
import io.quiver.common.expr.Operand.Kind;
import io.quiver.common.expr.Operand.Pred;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import io.quiver.common.text.TextFields;
import io.quiver.proto.plan.AlwaysTrueExpr;
import io.quiver.proto.plan.ArithOpType;
import io.quiver.proto.plan.BinaryArithOpEvalRangeExpr;
import io.quiver.proto.plan.BinaryExpr;
import io.quiver.proto.plan.BinaryRangeExpr;
import io.quiver.proto.plan.ColumnInfo;
import io.quiver.proto.plan.CompareExpr;
import io.quiver.proto.plan.ExistsExpr;
import io.quiver.proto.plan.JSONContainsExpr;
import io.quiver.proto.plan.NullExpr;
import io.quiver.proto.plan.OpType;
import io.quiver.proto.plan.PlanExpr;
import io.quiver.proto.plan.TermExpr;
import io.quiver.proto.plan.TextMatchExpr;
import io.quiver.proto.plan.UnaryExpr;
import io.quiver.proto.plan.UnaryRangeExpr;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * The semantic pass of {@link ExprPlanner}: a visitor over the parse tree that resolves names
 * against the schema, folds constants, checks operand types and emits plan nodes.
 *
 * <p>Type rules (checked here, never at evaluation): integer fields compare with integer or float
 * constants (promoted, compared numerically); float fields with numbers (constants are rounded to
 * float precision for FLOAT fields, as Milvus casts them); VarChar with strings; Bool with bools and
 * only by == / !=; whole arrays only by == / != with an array constant; JSON paths with anything,
 * a JSON value of another type simply not matching at evaluation. Arithmetic is limited to Milvus'
 * {@code field <op> constant <cmp> constant} shape.
 */
final class PlanBuilder extends FilterBaseVisitor<Operand> {

    /** A planning failure; ExprPlanner turns it into a PARAMETER_INVALID QuiverException. */
    static final class PlanError extends RuntimeException {
        PlanError(String message) {
            super(message, null, false, false);
        }
    }

    private final CollectionSchema schema;
    private final Map<String, TemplateValue> templates;
    private final Optional<FieldSchema> dynamic;

    PlanBuilder(CollectionSchema schema, Map<String, TemplateValue> templates) {
        this.schema = schema;
        this.templates = templates;
        this.dynamic = Schemas.dynamicField(schema);
    }

    PlanExpr build(FilterParser.FilterContext tree) {
        if (tree.expr() == null) {
            return alwaysTrue();
        }
        return predicate(visit(tree.expr()), tree.expr());
    }

    // ---------------------------------------------------------------- helpers

    private static PlanError error(ParserRuleContext ctx, String message) {
        Token t = ctx.getStart();
        return new PlanError(message + " (at " + t.getLine() + ":" + t.getCharPositionInLine() + ")");
    }

    static PlanExpr alwaysTrue() {
        return PlanExpr.newBuilder().setAlwaysTrueExpr(AlwaysTrueExpr.getDefaultInstance()).build();
    }

    static PlanExpr not(PlanExpr child) {
        return PlanExpr.newBuilder().setUnaryExpr(UnaryExpr.newBuilder().setOp(UnaryExpr.UnaryOp.NOT).setChild(child)).build();
    }

    private static PlanExpr constant(boolean b) {
        return b ? alwaysTrue() : not(alwaysTrue());
    }

    private static String text(ParserRuleContext ctx) {
        Token a = ctx.getStart();
        Token b = ctx.getStop();
        if (a == null || b == null || a.getInputStream() == null) {
            return ctx.getText();
        }
        return a.getInputStream().getText(org.antlr.v4.runtime.misc.Interval.of(a.getStartIndex(), b.getStopIndex()));
    }

    /** An operand used as a boolean: predicates, bool constants, bool fields (`flag` means `flag == true`). */
    private PlanExpr predicate(Operand o, ParserRuleContext ctx) {
        return switch (o) {
            case Pred p -> p.expr();
            case Const c when c.value() instanceof Boolean b -> constant(b);
            case Column c when c.kind() == Kind.BOOL || c.kind() == Kind.JSON -> unaryRange(c, OpType.EQUAL, Boolean.TRUE);
            default -> throw error(ctx, "'" + text(ctx) + "' is not a boolean expression");
        };
    }

    private Const constOf(Operand o, ParserRuleContext ctx, String what) {
        if (o instanceof Const c) {
            return c;
        }
        throw error(ctx, what + " must be a constant, got '" + text(ctx) + "'");
    }

    private Column columnOf(Operand o, ParserRuleContext ctx, String what) {
        if (o instanceof Column c) {
            return c;
        }
        throw error(ctx, what + " must be a field, got '" + text(ctx) + "'");
    }

    private static ColumnInfo.Builder info(FieldSchema f) {
        return ColumnInfo.newBuilder()
                .setFieldId(f.getFieldID())
                .setDataType(f.getDataType())
                .setIsPrimaryKey(f.getIsPrimaryKey())
                .setIsAutoID(f.getAutoID())
                .setIsPartitionKey(f.getIsPartitionKey())
                .setElementType(f.getElementType())
                .setNullable(f.getNullable());
    }

    // ---------------------------------------------------------------- literals and names

    @Override
    public Operand visitInteger(FilterParser.IntegerContext ctx) {
        BigInteger v = Literals.parseInteger(ctx.getText());
        if (!Literals.fitsLong(v)) {
            throw error(ctx, "integer literal " + ctx.getText() + " is out of the int64 range");
        }
        return new Const(v.longValue());
    }

    @Override
    public Operand visitFloating(FilterParser.FloatingContext ctx) {
        double d = Double.parseDouble(ctx.getText());
        if (Double.isInfinite(d)) {
            throw error(ctx, "float literal " + ctx.getText() + " is out of range");
        }
        return new Const(d);
    }

    @Override
    public Operand visitBoolean(FilterParser.BooleanContext ctx) {
        return new Const(Character.toLowerCase(ctx.getText().charAt(0)) == 't');
    }

    @Override
    public Operand visitString(FilterParser.StringContext ctx) {
        return new Const(Literals.unquote(ctx.getText()));
    }

    @Override
    public Operand visitParens(FilterParser.ParensContext ctx) {
        return visit(ctx.expr());
    }

    @Override
    public Operand visitArray(FilterParser.ArrayContext ctx) {
        List<Object> values = new ArrayList<>(ctx.expr().size());
        for (FilterParser.ExprContext e : ctx.expr()) {
            values.add(constOf(visit(e), e, "an array element").value());
        }
        return new Const(values);
    }

    @Override
    public Operand visitTemplate(FilterParser.TemplateContext ctx) {
        String name = ctx.Identifier().getText();
        TemplateValue v = templates.get(name);
        if (v == null) {
            throw error(ctx, "the value of expression template variable {" + name + "} is not found in expr_template_values");
        }
        Object o;
        try {
            o = Literals.fromTemplate(v);
        } catch (RuntimeException e) {
            throw error(ctx, "template variable {" + name + "} has an invalid value: " + e.getMessage());
        }
        if (o == null) {
            throw error(ctx, "template variable {" + name + "} has no value");
        }
        return new Const(o);
    }

    @Override
    public Operand visitField(FilterParser.FieldContext ctx) {
        return resolve(ctx.path());
    }

    private Column resolve(FilterParser.PathContext p) {
        String head = p.Identifier() != null ? p.Identifier().getText() : Schemas.DYNAMIC_FIELD;
        List<String> keys = new ArrayList<>();
        List<Boolean> isIndex = new ArrayList<>();
        StringBuilder shown = new StringBuilder(head);
        for (int i = 1; i < p.getChildCount(); i++) {
            ParseTree c = p.getChild(i);
            if (c instanceof TerminalNode t && t.getSymbol().getType() == FilterLexer.StringLiteral) {
                keys.add(Literals.unquote(t.getText()));
                isIndex.add(false);
                shown.append('[').append(t.getText()).append(']');
            } else if (c instanceof TerminalNode t && t.getSymbol().getType() == FilterLexer.IntegerConstant) {
                BigInteger idx = Literals.parseInteger(t.getText());
                if (!Literals.fitsLong(idx)) {
                    throw error(p, "index " + t.getText() + " is out of range");
                }
                keys.add(idx.toString());
                isIndex.add(true);
                shown.append('[').append(idx).append(']');
            }
        }
        String name = shown.toString();
        Optional<FieldSchema> field = p.META() != null ? dynamic : Schemas.byName(schema, head);
        if (field.isEmpty()) {
            if (p.META() == null && dynamic.isPresent()) {
                List<String> path = new ArrayList<>(keys.size() + 1);
                path.add(head);
                path.addAll(keys);
                return new Column(info(dynamic.get()).addAllNestedPath(path).build(), name);
            }
            throw error(p, "field " + head + " not exist");
        }
        FieldSchema f = field.get();
        DataType t = f.getDataType();
        if (Schemas.isVector(t)) {
            throw error(p, "vector field " + head + " (" + t + ") cannot be used in a filter expression");
        }
        if (t == DataType.JSON) {
            return new Column(info(f).addAllNestedPath(keys).build(), name);
        }
        if (t == DataType.Array) {
            if (keys.isEmpty()) {
                return new Column(info(f).build(), name);
            }
            if (keys.size() == 1 && isIndex.get(0)) {
                return new Column(info(f).addAllNestedPath(keys).build(), name);
            }
            throw error(p, "array field " + head + " only supports a single integer index, got " + name);
        }
        if (!keys.isEmpty()) {
            throw error(p, "field " + head + " (" + t + ") cannot be indexed: " + name);
        }
        if (Kind.of(t) == Kind.OTHER) {
            throw error(p, "field " + head + " of type " + t + " cannot be used in a filter expression");
        }
        return new Column(info(f).build(), name);
    }

    // ---------------------------------------------------------------- arithmetic

    @Override
    public Operand visitUnary(FilterParser.UnaryContext ctx) {
        if (ctx.op.getType() == FilterLexer.SUB && ctx.expr() instanceof FilterParser.IntegerContext ic) {
            BigInteger v = Literals.parseInteger(ic.getText()).negate();
            if (v.bitLength() >= 64 && !v.equals(BigInteger.valueOf(Long.MIN_VALUE))) {
                throw error(ctx, "integer literal -" + ic.getText() + " is out of the int64 range");
            }
            return new Const(v.longValue());
        }
        Operand o = visit(ctx.expr());
        if (o instanceof Const c) {
            switch (ctx.op.getType()) {
                case FilterLexer.SUB -> {
                    if (c.value() instanceof Long l) return new Const(-l);
                    if (c.value() instanceof Double d) return new Const(-d);
                }
                case FilterLexer.ADD -> {
                    if (c.value() instanceof Long || c.value() instanceof Double) return c;
                }
                default -> {
                    if (c.value() instanceof Long l) return new Const(~l);
                }
            }
        }
        throw error(ctx, "unary operator " + ctx.op.getText() + " is not supported on '" + text(ctx.expr()) + "'");
    }

    @Override
    public Operand visitPower(FilterParser.PowerContext ctx) {
        Operand l = visit(ctx.expr(0));
        Operand r = visit(ctx.expr(1));
        if (l instanceof Const a && r instanceof Const b && a.value() instanceof Number x && b.value() instanceof Number y) {
            double v = Math.pow(x.doubleValue(), y.doubleValue());
            if (a.value() instanceof Long && b.value() instanceof Long && (Long) b.value() >= 0 && Math.abs(v) < 9.0e15) {
                return new Const((long) v);
            }
            return new Const(v);
        }
        throw error(ctx, "operator ** is only supported between constants");
    }

    @Override
    public Operand visitMulDivMod(FilterParser.MulDivModContext ctx) {
        ArithOpType op = switch (ctx.op.getType()) {
            case FilterLexer.MUL -> ArithOpType.MUL;
            case FilterLexer.DIV -> ArithOpType.DIV;
            default -> ArithOpType.MOD;
        };
        return arith(ctx, visit(ctx.expr(0)), op, ctx.op.getText(), visit(ctx.expr(1)));
    }

    @Override
    public Operand visitAddSub(FilterParser.AddSubContext ctx) {
        ArithOpType op = ctx.op.getType() == FilterLexer.ADD ? ArithOpType.ADD : ArithOpType.SUB;
        return arith(ctx, visit(ctx.expr(0)), op, ctx.op.getText(), visit(ctx.expr(1)));
    }

    private Operand arith(ParserRuleContext ctx, Operand l, ArithOpType op, String opText, Operand r) {
        if (l instanceof Const a && r instanceof Const b) {
            return new Const(fold(ctx, a.value(), op, opText, b.value()));
        }
        if (l instanceof Const && r instanceof Column && (op == ArithOpType.ADD || op == ArithOpType.MUL)) {
            return arith(ctx, r, op, opText, l);
        }
        if (l instanceof Column c && r instanceof Const k) {
            Kind kind = c.kind();
            boolean numeric = kind == Kind.INT || kind == Kind.FLOAT || kind == Kind.JSON;
            if (!numeric || (c.info().getDataType() == DataType.Array)) {
                throw error(ctx, "arithmetic operator " + opText + " is not supported on field " + c.name() + " (" + c.typeLabel() + ")");
            }
            if (!(k.value() instanceof Long || k.value() instanceof Double)) {
                throw error(ctx, "arithmetic operand of " + opText + " must be a number, got " + Literals.show(k.value())
                        + " (" + Literals.typeName(k.value()) + ")");
            }
            if ((op == ArithOpType.DIV || op == ArithOpType.MOD) && ((Number) k.value()).doubleValue() == 0) {
                throw error(ctx, "divide by zero in '" + text(ctx) + "'");
            }
            Object operand = kind == Kind.FLOAT ? (Object) ((Number) k.value()).doubleValue() : k.value();
            return new Arith(c, op, operand, text(ctx));
        }
        throw error(ctx, "arithmetic is only supported as 'field " + opText + " constant', got '" + text(ctx) + "'");
    }

    private Object fold(ParserRuleContext ctx, Object a, ArithOpType op, String opText, Object b) {
        if (!(a instanceof Long || a instanceof Double) || !(b instanceof Long || b instanceof Double)) {
            throw error(ctx, "operator " + opText + " is not supported between " + Literals.show(a) + " and " + Literals.show(b));
        }
        if (a instanceof Long x && b instanceof Long y) {
            return switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV, MOD -> {
                    if (y == 0) throw error(ctx, "divide by zero in '" + text(ctx) + "'");
                    yield op == ArithOpType.DIV ? x / y : x % y;
                }
                default -> throw new IllegalStateException();
            };
        }
        double x = ((Number) a).doubleValue();
        double y = ((Number) b).doubleValue();
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV, MOD -> {
                if (y == 0) throw error(ctx, "divide by zero in '" + text(ctx) + "'");
                yield op == ArithOpType.DIV ? x / y : x % y;
            }
            default -> throw new IllegalStateException();
        };
    }

    @Override
    public Operand visitShift(FilterParser.ShiftContext ctx) {
        throw error(ctx, "operator " + ctx.op.getText() + " is not supported");
    }

    @Override
    public Operand visitBitwise(FilterParser.BitwiseContext ctx) {
        throw error(ctx, "operator " + ctx.op.getText() + " is not supported");
    }

    @Override
    public Operand visitCall(FilterParser.CallContext ctx) {
        throw error(ctx, "function " + ctx.Identifier().getText() + " is not supported");
    }

    // ---------------------------------------------------------------- comparisons

    private static OpType cmpOp(int tokenType) {
        return switch (tokenType) {
            case FilterLexer.LT -> OpType.LESS_THAN;
            case FilterLexer.LE -> OpType.LESS_EQUAL;
            case FilterLexer.GT -> OpType.GREATER_THAN;
            case FilterLexer.GE -> OpType.GREATER_EQUAL;
            case FilterLexer.EQ -> OpType.EQUAL;
            default -> OpType.NOT_EQUAL;
        };
    }

    private static OpType reverse(OpType op) {
        return switch (op) {
            case LESS_THAN -> OpType.GREATER_THAN;
            case LESS_EQUAL -> OpType.GREATER_EQUAL;
            case GREATER_THAN -> OpType.LESS_THAN;
            case GREATER_EQUAL -> OpType.LESS_EQUAL;
            default -> op;
        };
    }

    private static boolean ordering(OpType op) {
        return op != OpType.EQUAL && op != OpType.NOT_EQUAL;
    }

    @Override
    public Operand visitRelational(FilterParser.RelationalContext ctx) {
        return compare(ctx, visit(ctx.expr(0)), cmpOp(ctx.op.getType()), ctx.op.getText(), visit(ctx.expr(1)));
    }

    @Override
    public Operand visitEquality(FilterParser.EqualityContext ctx) {
        return compare(ctx, visit(ctx.expr(0)), cmpOp(ctx.op.getType()), ctx.op.getText(), visit(ctx.expr(1)));
    }

    private Operand compare(ParserRuleContext ctx, Operand l, OpType op, String opText, Operand r) {
        if (l instanceof Const a && r instanceof Const b) {
            return new Const(foldCompare(ctx, a.value(), op, opText, b.value()));
        }
        if (l instanceof Const && !(r instanceof Const)) {
            return compare(ctx, r, reverse(op), opText, l);
        }
        if (l instanceof Column c && r instanceof Const k) {
            checkOrdering(ctx, c, op, opText, k.value());
            return new Pred(unaryRange(c, op, coerce(ctx, c, k.value())));
        }
        if (l instanceof Column a && r instanceof Column b) {
            return new Pred(compareColumns(ctx, a, op, opText, b));
        }
        if (l instanceof Arith a && r instanceof Const k) {
            return new Pred(arithRange(ctx, a, op, k.value()));
        }
        throw error(ctx, "unsupported comparison '" + text(ctx) + "'");
    }

    private boolean foldCompare(ParserRuleContext ctx, Object a, OpType op, String opText, Object b) {
        int c;
        if (a instanceof Number x && b instanceof Number y) {
            c = a instanceof Long p && b instanceof Long q ? Long.compare(p, q) : Double.compare(x.doubleValue(), y.doubleValue());
        } else if (a instanceof String x && b instanceof String y) {
            c = x.compareTo(y);
        } else if (a instanceof Boolean x && b instanceof Boolean y && !ordering(op)) {
            c = x.equals(y) ? 0 : 1;
        } else {
            throw error(ctx, "cannot compare " + Literals.show(a) + " (" + Literals.typeName(a) + ") with "
                    + Literals.show(b) + " (" + Literals.typeName(b) + ") by " + opText);
        }
        return Values.test(op, c);
    }

    private void checkOrdering(ParserRuleContext ctx, Column c, OpType op, String opText, Object value) {
        if (!ordering(op)) {
            return;
        }
        if (c.kind() == Kind.BOOL || c.kind() == Kind.ARRAY) {
            throw error(ctx, "operator " + opText + " is not supported on field " + c.name() + " (" + c.typeLabel() + ")");
        }
        if (value instanceof Boolean || value instanceof List) {
            throw error(ctx, "operator " + opText + " is not supported with " + Literals.show(value) + " (" + Literals.typeName(value) + ")");
        }
    }

    /** The constant normalised for the column, or a type error naming both sides. */
    private Object coerce(ParserRuleContext ctx, Column c, Object v) {
        Object r = c.kind() == Kind.ARRAY ? coerceArray(c.info().getElementType(), v) : coerce(c.kind(), c.info(), v);
        if (r == null) {
            throw error(ctx, "cannot compare field " + c.name() + " (" + c.typeLabel() + ") with " + Literals.show(v)
                    + " (" + Literals.typeName(v) + ")");
        }
        return r;
    }

    private static Object coerceArray(DataType elementType, Object v) {
        if (!(v instanceof List<?> list)) {
            return null;
        }
        List<Object> out = new ArrayList<>(list.size());
        for (Object e : list) {
            Object x = coerceElement(elementType, e);
            if (x == null) {
                return null;
            }
            out.add(x);
        }
        return out;
    }

    /** One value against a scalar type; FLOAT constants are rounded to float, like the stored values. */
    static Object coerceElement(DataType t, Object v) {
        return switch (Kind.of(t)) {
            case INT -> v instanceof Long || v instanceof Double ? v : null;
            case FLOAT -> v instanceof Number n ? (Object) (t == DataType.Float ? (double) n.floatValue() : n.doubleValue()) : null;
            case BOOL -> v instanceof Boolean ? v : null;
            case STRING -> v instanceof String ? v : null;
            default -> null;
        };
    }

    private static Object coerce(Kind kind, ColumnInfo info, Object v) {
        if (kind == Kind.JSON) {
            return v;
        }
        DataType t = info.getDataType() == DataType.Array ? info.getElementType() : info.getDataType();
        return coerceElement(t, v);
    }

    static PlanExpr unaryRange(Column c, OpType op, Object value) {
        return PlanExpr.newBuilder().setUnaryRangeExpr(UnaryRangeExpr.newBuilder()
                .setColumnInfo(c.info()).setOp(op).setValue(Literals.toGeneric(value))).build();
    }

    private PlanExpr compareColumns(ParserRuleContext ctx, Column a, OpType op, String opText, Column b) {
        Kind ka = a.kind();
        Kind kb = b.kind();
        boolean plain = a.info().getNestedPathCount() == 0 && b.info().getNestedPathCount() == 0
                && ka != Kind.JSON && kb != Kind.JSON && ka != Kind.ARRAY && kb != Kind.ARRAY;
        boolean numeric = (ka == Kind.INT || ka == Kind.FLOAT) && (kb == Kind.INT || kb == Kind.FLOAT);
        boolean ok = plain && (numeric || (ka == Kind.STRING && kb == Kind.STRING) || (ka == Kind.BOOL && kb == Kind.BOOL && !ordering(op)));
        if (!ok) {
            throw error(ctx, "cannot compare field " + a.name() + " (" + a.typeLabel() + ") with field " + b.name()
                    + " (" + b.typeLabel() + ") by " + opText);
        }
        return PlanExpr.newBuilder().setCompareExpr(CompareExpr.newBuilder()
                .setLeftColumnInfo(a.info()).setRightColumnInfo(b.info()).setOp(op)).build();
    }

    private PlanExpr arithRange(ParserRuleContext ctx, Arith a, OpType op, Object value) {
        if (!(value instanceof Long || value instanceof Double)) {
            throw error(ctx, "cannot compare " + a.text() + " with " + Literals.show(value) + " (" + Literals.typeName(value) + ")");
        }
        Object v = a.column().kind() == Kind.FLOAT && a.op() != ArithOpType.ARRAY_LENGTH ? (Object) ((Number) value).doubleValue() : value;
        BinaryArithOpEvalRangeExpr.Builder b = BinaryArithOpEvalRangeExpr.newBuilder()
                .setColumnInfo(a.column().info()).setArithOp(a.op()).setOp(op).setValue(Literals.toGeneric(v));
        if (a.operand() != null) {
            b.setRightOperand(Literals.toGeneric(a.operand()));
        }
        return PlanExpr.newBuilder().setBinaryArithOpEvalRangeExpr(b).build();
    }

    @Override
    public Operand visitRange(FilterParser.RangeContext ctx) {
        return range(ctx, ctx.expr(0), ctx.op1.getType() == FilterLexer.LE, ctx.expr(1), ctx.op2.getType() == FilterLexer.LE);
    }

    @Override
    public Operand visitReverseRange(FilterParser.ReverseRangeContext ctx) {
        return range(ctx, ctx.expr(1), ctx.op2.getType() == FilterLexer.GE, ctx.expr(0), ctx.op1.getType() == FilterLexer.GE);
    }

    private Operand range(ParserRuleContext ctx, FilterParser.ExprContext lowerCtx, boolean lowerInclusive,
            FilterParser.ExprContext upperCtx, boolean upperInclusive) {
        FilterParser.PathContext pathCtx = ctx.getRuleContext(FilterParser.PathContext.class, 0);
        Column c = resolve(pathCtx);
        Object lower = constOf(visit(lowerCtx), lowerCtx, "the lower bound of a range").value();
        Object upper = constOf(visit(upperCtx), upperCtx, "the upper bound of a range").value();
        checkOrdering(ctx, c, OpType.LESS_THAN, "<", lower);
        checkOrdering(ctx, c, OpType.LESS_THAN, "<", upper);
        Object lo = coerce(ctx, c, lower);
        Object hi = coerce(ctx, c, upper);
        if ((lo instanceof String) != (hi instanceof String)) {
            throw error(ctx, "range bounds " + Literals.show(lower) + " and " + Literals.show(upper) + " have different types");
        }
        return new Pred(PlanExpr.newBuilder().setBinaryRangeExpr(BinaryRangeExpr.newBuilder()
                .setColumnInfo(c.info())
                .setLowerInclusive(lowerInclusive).setUpperInclusive(upperInclusive)
                .setLowerValue(Literals.toGeneric(lo)).setUpperValue(Literals.toGeneric(hi))).build());
    }

    // ---------------------------------------------------------------- in, like, null, exists, contains

    @Override
    public Operand visitTerm(FilterParser.TermContext ctx) {
        Operand l = visit(ctx.expr(0));
        Operand r = visit(ctx.expr(1));
        if (l instanceof Const && r instanceof Column) {
            throw error(ctx, "'value in array_field' is not supported, use array_contains");
        }
        Column c = columnOf(l, ctx.expr(0), "the left side of in");
        if (!(r instanceof Const k) || !(k.value() instanceof List<?> values)) {
            throw error(ctx.expr(1), "the right side of in must be an array, got '" + text(ctx.expr(1)) + "'");
        }
        if (c.kind() == Kind.ARRAY) {
            throw error(ctx, "in is not supported on array field " + c.name() + ", use array_contains_any");
        }
        TermExpr.Builder t = TermExpr.newBuilder().setColumnInfo(c.info());
        for (Object v : values) {
            Object x = coerce(ctx, c, v);
            if (c.kind() == Kind.INT && x instanceof Double d) {
                if (d != Math.rint(d) || Math.abs(d) >= 0x1p63) {
                    continue; // can never equal an integer
                }
                x = (long) d.doubleValue();
            }
            t.addValues(Literals.toGeneric(x));
        }
        PlanExpr term = PlanExpr.newBuilder().setTermExpr(t).build();
        return new Pred(ctx.NOT() != null ? not(term) : term);
    }

    @Override
    public Operand visitLike(FilterParser.LikeContext ctx) {
        Column c = columnOf(visit(ctx.expr(0)), ctx.expr(0), "the left side of like");
        if (c.kind() != Kind.STRING && c.kind() != Kind.JSON) {
            throw error(ctx, "like is only supported on VarChar or JSON fields, but " + c.name() + " is " + c.typeLabel());
        }
        Object p = constOf(visit(ctx.expr(1)), ctx.expr(1), "a like pattern").value();
        if (!(p instanceof String pattern)) {
            throw error(ctx.expr(1), "a like pattern must be a string, got " + Literals.show(p));
        }
        LikePattern.Classified k = LikePattern.classify(pattern);
        return new Pred(unaryRange(c, k.op(), k.operand()));
    }

    @Override
    public Operand visitIsNull(FilterParser.IsNullContext ctx) {
        Column c = columnOf(visit(ctx.expr()), ctx.expr(), "the operand of is null");
        if (c.info().getDataType() == DataType.Array && c.info().getNestedPathCount() > 0) {
            throw error(ctx, "is null is not supported on array elements: " + c.name());
        }
        return new Pred(PlanExpr.newBuilder().setNullExpr(NullExpr.newBuilder().setColumnInfo(c.info())
                .setOp(ctx.NOT() != null ? NullExpr.NullOp.IS_NOT_NULL : NullExpr.NullOp.IS_NULL)).build());
    }

    @Override
    public Operand visitExists(FilterParser.ExistsContext ctx) {
        Operand o = visit(ctx.expr());
        if (!(o instanceof Column c) || c.kind() != Kind.JSON || c.info().getNestedPathCount() == 0) {
            throw error(ctx, "exists operation is only supported on a JSON path such as f[\"key\"], got '" + text(ctx.expr()) + "'");
        }
        return new Pred(PlanExpr.newBuilder().setExistsExpr(ExistsExpr.newBuilder().setInfo(c.info())).build());
    }

    @Override
    public Operand visitContains(FilterParser.ContainsContext ctx) {
        String fn = ctx.fn.getText().toLowerCase(java.util.Locale.ROOT);
        Column c = columnOf(visit(ctx.expr(0)), ctx.expr(0), "the first argument of " + fn);
        boolean array = c.kind() == Kind.ARRAY;
        if (!array && c.kind() != Kind.JSON) {
            throw error(ctx, fn + " is only supported on JSON and array fields, but " + c.name() + " is " + c.typeLabel());
        }
        Object arg = constOf(visit(ctx.expr(1)), ctx.expr(1), "the second argument of " + fn).value();
        JSONContainsExpr.JSONOp op = switch (ctx.fn.getType()) {
            case FilterLexer.JSON_CONTAINS, FilterLexer.ARRAY_CONTAINS -> JSONContainsExpr.JSONOp.CONTAINS;
            case FilterLexer.JSON_CONTAINS_ALL, FilterLexer.ARRAY_CONTAINS_ALL -> JSONContainsExpr.JSONOp.CONTAINS_ALL;
            default -> JSONContainsExpr.JSONOp.CONTAINS_ANY;
        };
        List<Object> elements = new ArrayList<>();
        if (op == JSONContainsExpr.JSONOp.CONTAINS) {
            elements.add(arg);
        } else if (arg instanceof List<?> list) {
            elements.addAll(list);
        } else {
            throw error(ctx.expr(1), "the second argument of " + fn + " must be an array, got " + Literals.show(arg));
        }
        JSONContainsExpr.Builder b = JSONContainsExpr.newBuilder().setColumnInfo(c.info()).setOp(op);
        for (Object e : elements) {
            Object x = array ? coerceElement(c.info().getElementType(), e) : e;
            if (x == null) {
                throw error(ctx, fn + ": cannot compare elements of " + c.name() + " (" + c.typeLabel() + ") with "
                        + Literals.show(e) + " (" + Literals.typeName(e) + ")");
            }
            b.addElements(Literals.toGeneric(x));
        }
        b.setElementsSameType(Literals.sameType(elements));
        return new Pred(PlanExpr.newBuilder().setJsonContainsExpr(b).build());
    }

    @Override
    public Operand visitArrayLength(FilterParser.ArrayLengthContext ctx) {
        Column c = resolve(ctx.path());
        if (c.kind() != Kind.ARRAY && c.kind() != Kind.JSON) {
            throw error(ctx, "array_length is only supported on array and JSON fields, but " + c.name() + " is " + c.typeLabel());
        }
        return new Arith(c, ArithOpType.ARRAY_LENGTH, null, text(ctx));
    }

    // ---------------------------------------------------------------- text_match, phrase_match

    private static final long MAX_SLOP = 0xFFFF_FFFFL;

    /**
     * {@code text_match(f, 'words')} / {@code phrase_match(f, 'phrase'[, slop])}: f a VARCHAR field, the query a string
     * constant, slop a constant integer in [0, 2^32 - 1] (Milvus' planner rules and messages). A field without
     * {@code enable_match} has no text index: Milvus' error (segcore's code), not a parse error.
     */
    @Override
    public Operand visitTextMatch(FilterParser.TextMatchContext ctx) {
        boolean phrase = ctx.fn.getType() == FilterLexer.PHRASE_MATCH;
        String what = phrase ? "phrase match" : "text match";
        Column c = resolve(ctx.path());
        if (c.kind() != Kind.STRING || c.info().getNestedPathCount() > 0 || c.info().getDataType() != DataType.VarChar) {
            throw error(ctx, what + " operation on non-string is unsupported, got " + c.name() + " (" + c.typeLabel() + ")");
        }
        Object q = constOf(visit(ctx.expr(0)), ctx.expr(0), "the query of " + ctx.fn.getText()).value();
        if (!(q instanceof String query)) {
            throw error(ctx.expr(0), "the query of " + ctx.fn.getText() + " must be a string, got " + Literals.show(q));
        }
        long slop = 0;
        if (ctx.expr().size() > 1) {
            if (!phrase) {
                throw error(ctx, "text_match takes a field and a query string, got a third argument");
            }
            slop = slop(ctx.expr(1));
        }
        FieldSchema f = Schemas.byName(schema, ctx.path().getText()).orElseThrow();
        if (!TextFields.matchEnabled(f)) {
            throw new QuiverException(ErrorCode.TEXT_INDEX_NOT_FOUND, "field " + f.getName() + " does not set enable_match");
        }
        TextMatchExpr.Builder t = TextMatchExpr.newBuilder().setColumnInfo(c.info()).setQuery(query)
                .setType(phrase ? TextMatchExpr.MatchType.PHRASE : TextMatchExpr.MatchType.ANY_TOKEN).setSlop((int) slop);
        return new Pred(PlanExpr.newBuilder().setTextMatchExpr(t).build());
    }

    private long slop(FilterParser.ExprContext e) {
        Operand o = visit(e);
        if (!(o instanceof Const k) || !(k.value() instanceof Long slop)) {
            throw error(e, "\"slop\" should be a const integer expression with \"uint32\" value. \"slop\" expression passed: " + text(e));
        }
        if (slop < 0) {
            throw error(e, "\"slop\" should not be a negative integer. \"slop\" passed: " + text(e));
        }
        if (slop > MAX_SLOP) {
            throw error(e, "\"slop\" exceeds the range of \"uint32\". \"slop\" expression passed: " + text(e));
        }
        return slop;
    }

    // ---------------------------------------------------------------- logic

    @Override
    public Operand visitNot(FilterParser.NotContext ctx) {
        Operand o = visit(ctx.expr());
        if (o instanceof Const c && c.value() instanceof Boolean b) {
            return new Const(!b);
        }
        return new Pred(not(predicate(o, ctx.expr())));
    }

    @Override
    public Operand visitAnd(FilterParser.AndContext ctx) {
        return logic(ctx, BinaryExpr.BinaryOp.LOGICAL_AND);
    }

    @Override
    public Operand visitOr(FilterParser.OrContext ctx) {
        return logic(ctx, BinaryExpr.BinaryOp.LOGICAL_OR);
    }

    /**
     * A chain {@code a or b or c ...} arrives as a left-deep parse tree; it is flattened iteratively and
     * rebuilt as a balanced tree, so a 10,000-term chain neither overflows the stack here nor exceeds
     * protobuf's nesting limit (100) when the plan travels to a querynode. and/or are associative, also
     * under Milvus' validity rule (validity is OR-ed), so the regrouping does not change results.
     */
    private Operand logic(ParserRuleContext ctx, BinaryExpr.BinaryOp op) {
        Class<? extends ParserRuleContext> type = ctx.getClass();
        List<FilterParser.ExprContext> rights = new ArrayList<>();
        ParserRuleContext cur = ctx;
        while (type.isInstance(cur)) {
            rights.add(cur.getRuleContext(FilterParser.ExprContext.class, 1));
            cur = cur.getRuleContext(FilterParser.ExprContext.class, 0);
        }
        List<FilterParser.ExprContext> operands = new ArrayList<>(rights.size() + 1);
        operands.add((FilterParser.ExprContext) cur);
        operands.addAll(rights.reversed());
        boolean and = op == BinaryExpr.BinaryOp.LOGICAL_AND;
        List<Operand> visited = new ArrayList<>(operands.size());
        boolean allConst = true;
        for (FilterParser.ExprContext e : operands) {
            Operand o = visit(e);
            allConst &= o instanceof Const c && c.value() instanceof Boolean;
            visited.add(o);
        }
        if (allConst) {
            boolean r = and;
            for (Operand o : visited) {
                boolean b = (Boolean) ((Const) o).value();
                r = and ? r && b : r || b;
            }
            return new Const(r);
        }
        List<PlanExpr> preds = new ArrayList<>(visited.size());
        for (int i = 0; i < visited.size(); i++) {
            preds.add(predicate(visited.get(i), operands.get(i)));
        }
        return new Pred(balanced(preds, 0, preds.size(), op));
    }

    private static PlanExpr balanced(List<PlanExpr> preds, int from, int to, BinaryExpr.BinaryOp op) {
        if (to - from == 1) {
            return preds.get(from);
        }
        int mid = (from + to) >>> 1;
        return PlanExpr.newBuilder().setBinaryExpr(BinaryExpr.newBuilder().setOp(op)
                .setLeft(balanced(preds, from, mid, op)).setRight(balanced(preds, mid, to, op))).build();
    }
}
