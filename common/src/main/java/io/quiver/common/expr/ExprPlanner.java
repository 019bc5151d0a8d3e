package io.quiver.common.expr;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.TemplateValue;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.plan.AlwaysTrueExpr;
import io.quiver.proto.plan.PlanExpr;
import java.util.Map;
import java.util.Objects;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;

/**
 * Turns a Milvus boolean filter expression into a typed {@link PlanExpr}: parse with the ANTLR grammar
 * {@code Filter.g4}, then resolve names and check types against the collection schema
 * ({@link PlanBuilder}). Every problem is a {@link QuiverException} with code
 * {@link ErrorCode#PARAMETER_INVALID} whose message reads
 * {@code cannot parse expression: <expr>, error: <problem> ...}, naming the position, so bad
 * expressions never reach a querynode.
 *
 * <p>Parsing runs ANTLR's fast SLL prediction first and falls back to full LL only when SLL reports
 * an error (the standard two-stage strategy), so long {@code in} lists stay cheap. Stateless and
 * thread-safe.
 */
public final class ExprPlanner {
    private ExprPlanner() {}

    /** Parses and type-checks; empty/blank expr -> AlwaysTrue. */
    public static PlanExpr plan(String expr, CollectionSchema schema, Map<String, TemplateValue> templateValues) {
        Objects.requireNonNull(schema, "schema is null");
        if (expr == null || expr.isBlank()) {
            return PlanExpr.newBuilder().setAlwaysTrueExpr(AlwaysTrueExpr.getDefaultInstance()).build();
        }
        try {
            FilterParser.FilterContext tree = parse(expr);
            return new PlanBuilder(schema, templateValues == null ? Map.of() : templateValues).build(tree);
        } catch (PlanBuilder.PlanError e) {
            throw fail(expr, e.getMessage());
        } catch (StackOverflowError e) {
            throw fail(expr, "expression is nested too deeply");
        }
    }

    private static QuiverException fail(String expr, String detail) {
        return new QuiverException(ErrorCode.PARAMETER_INVALID, "cannot parse expression: " + expr + ", error: " + detail);
    }

    private static FilterParser.FilterContext parse(String expr) {
        FilterLexer lexer = new FilterLexer(CharStreams.fromString(expr));
        lexer.removeErrorListeners();
        lexer.addErrorListener(ThrowingListener.INSTANCE);
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        tokens.fill();
        for (Token t : tokens.getTokens()) {
            if (t.getType() == FilterLexer.UnterminatedString) {
                throw new PlanBuilder.PlanError("unterminated string literal at " + t.getLine() + ":" + t.getCharPositionInLine());
            }
        }
        FilterParser parser = new FilterParser(tokens);
        parser.removeErrorListeners();
        parser.addErrorListener(ThrowingListener.INSTANCE);
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        try {
            return parser.filter();
        } catch (PlanBuilder.PlanError sllError) {
            tokens.seek(0);
            parser.reset();
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            return parser.filter();
        }
    }

    /** Fails on the first lexer or parser error with ANTLR's own message ("line 1:5 extraneous input ..."). */
    private static final class ThrowingListener extends BaseErrorListener {
        static final ThrowingListener INSTANCE = new ThrowingListener();

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
                String msg, RecognitionException e) {
            throw new PlanBuilder.PlanError("line " + line + ":" + charPositionInLine + " " + msg);
        }
    }
}
