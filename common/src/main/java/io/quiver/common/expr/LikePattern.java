package io.quiver.common.expr;

import io.quiver.proto.plan.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * SQL {@code like} patterns: {@code %} any run of characters, {@code _} one character, a backslash
 * escapes the next character ({@code \%} is a literal percent sign). The planner classifies a pattern
 * so that the common shapes run without a regex: {@code abc} (EQUAL), {@code abc%} (PREFIX_MATCH),
 * {@code %abc} (POSTFIX_MATCH), {@code %abc%} (INNER_MATCH); everything else is MATCH and keeps the
 * raw pattern, which the evaluator compiles once per evaluation with {@link #toRegex}.
 */
final class LikePattern {
    private LikePattern() {}

    record Classified(OpType op, String operand) {}

    private static final Object PCT = new Object();

    static Classified classify(String pattern) {
        List<Object> tokens = new ArrayList<>();   // PCT or String (merged literal run)
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                lit.append(pattern.charAt(++i));
            } else if (c == '_') {
                return new Classified(OpType.MATCH, pattern);
            } else if (c == '%') {
                if (!lit.isEmpty()) {
                    tokens.add(lit.toString());
                    lit.setLength(0);
                }
                if (tokens.isEmpty() || tokens.getLast() != PCT) {
                    tokens.add(PCT);
                }
            } else {
                lit.append(c);
            }
        }
        if (!lit.isEmpty()) {
            tokens.add(lit.toString());
        }
        int n = tokens.size();
        if (n == 0) return new Classified(OpType.EQUAL, "");
        if (n == 1) return tokens.get(0) == PCT ? new Classified(OpType.PREFIX_MATCH, "") : new Classified(OpType.EQUAL, (String) tokens.get(0));
        if (n == 2 && tokens.get(1) == PCT) return new Classified(OpType.PREFIX_MATCH, (String) tokens.get(0));
        if (n == 2) return new Classified(OpType.POSTFIX_MATCH, (String) tokens.get(1));
        if (n == 3 && tokens.get(0) == PCT && tokens.get(2) == PCT) return new Classified(OpType.INNER_MATCH, (String) tokens.get(1));
        return new Classified(OpType.MATCH, pattern);
    }

    static Pattern toRegex(String pattern) {
        StringBuilder re = new StringBuilder();
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                lit.append(pattern.charAt(++i));
            } else if (c == '%' || c == '_') {
                if (!lit.isEmpty()) {
                    re.append(Pattern.quote(lit.toString()));
                    lit.setLength(0);
                }
                re.append(c == '%' ? ".*" : ".");
            } else {
                lit.append(c);
            }
        }
        if (!lit.isEmpty()) {
            re.append(Pattern.quote(lit.toString()));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
