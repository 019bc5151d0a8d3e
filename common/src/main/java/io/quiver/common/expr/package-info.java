/**
 * The boolean filter language of Milvus 2.5: {@link io.quiver.common.expr.ExprPlanner} (proxy side)
 * parses and type-checks an expression against a collection schema into a
 * {@link io.quiver.proto.plan.PlanExpr}; {@link io.quiver.common.expr.ExprEvaluator} (querynode side)
 * evaluates that plan over a segment's columns into a bitset.
 *
 * <h2>Language</h2>
 * Grammar: {@code src/main/antlr4/io/quiver/common/expr/Filter.g4}.
 * <ul>
 *   <li>Literals: integers (decimal, {@code 0x} hex, {@code 0o} or leading-{@code 0} octal, {@code 0b}
 *       binary), floats (with exponent, hex floats {@code 0x1.8p1}), bools ({@code true True TRUE ...}),
 *       strings in single or double quotes with C escapes, arrays {@code [1, 2]}, templates {@code {name}}
 *       bound from {@code expr_template_values}. Constant sub-expressions are folded ({@code age > 1 + 2}).</li>
 *   <li>Names: fields, {@code $meta}, bare dynamic keys ({@code color} means {@code $meta["color"]} when
 *       the dynamic field exists), JSON paths {@code f["a"][0]["b"]}, array elements {@code arr[0]}.</li>
 *   <li>{@code == != < <= > >=} against constants or another field; chained ranges {@code 1 < a <= 10};
 *       {@code in}/{@code not in}; {@code like} with {@code %}, {@code _}, and {@code \%} / {@code \_}
 *       escapes; {@code field <+ - * / %> const <cmp> const}; {@code is [not] null}; {@code exists};
 *       {@code json_contains[_all|_any]}, {@code array_contains[_all|_any]}, {@code array_length};
 *       {@code text_match(f, 'words')} and {@code phrase_match(f, 'phrase'[, slop])} on VARCHAR fields with
 *       {@code enable_match} (see {@link io.quiver.common.text.TextIndex});
 *       {@code and && AND}, {@code or || OR}, {@code not ! NOT} (lower precedence than comparisons, so
 *       {@code not a > 1} is {@code not (a > 1)}), parentheses.</li>
 *   <li>Rejected at plan time with PARAMETER_INVALID (1100): unknown fields, vector fields, type
 *       mismatches (string vs Int64, like on numbers, arithmetic on VarChar, ordering on Bool), bit
 *       operators, function calls other than the built-ins, division by zero, missing templates,
 *       syntax errors and unterminated strings. Positions are {@code line:column}, column 0-based as in
 *       ANTLR's own messages.</li>
 * </ul>
 *
 * <h2>Semantics (Milvus 2.5 segcore)</h2>
 * NULL compares false and a null row is also "invalid": {@code not} flips only valid rows, so
 * {@code not (a > 1)} and {@code a not in [..]} are false where {@code a} is null; {@code and}/{@code or}
 * OR the validity of their operands. A JSON value that is absent or of another type compares false,
 * except {@code !=} which Milvus evaluates as "not ==" (true there). Integer fields compared with float
 * constants compare numerically; FLOAT fields compare at float precision (the constant is rounded to
 * float, as Milvus casts it). An array index out of bounds is false for every operator.
 */
package io.quiver.common.expr;
