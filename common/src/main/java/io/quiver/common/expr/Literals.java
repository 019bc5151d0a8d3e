package io.quiver.common.expr;

import com.google.protobuf.ByteString;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.milvus.grpc.TemplateArrayValue;
import io.milvus.grpc.TemplateValue;
import io.quiver.proto.plan.Array;
import io.quiver.proto.plan.GenericValue;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversions between the planner's constant representation (plain Java objects: {@code Long},
 * {@code Double}, {@code Boolean}, {@code String}, {@code List<Object>}) and the plan's
 * {@link GenericValue}, plus literal parsing (integers in every base, C-style string escapes).
 */
final class Literals {
    private Literals() {}

    static GenericValue toGeneric(Object v) {
        GenericValue.Builder b = GenericValue.newBuilder();
        switch (v) {
            case Long l -> b.setInt64Val(l);
            case Double d -> b.setFloatVal(d);
            case Boolean z -> b.setBoolVal(z);
            case String s -> b.setStringVal(s);
            case List<?> list -> {
                Array.Builder a = Array.newBuilder();
                for (Object o : list) {
                    a.addArray(toGeneric(o));
                }
                a.setSameType(sameType(list));
                b.setArrayVal(a);
            }
            default -> throw new IllegalArgumentException("not a constant: " + v);
        }
        return b.build();
    }

    static Object fromGeneric(GenericValue g) {
        return switch (g.getValCase()) {
            case BOOL_VAL -> g.getBoolVal();
            case INT64_VAL -> g.getInt64Val();
            case FLOAT_VAL -> g.getFloatVal();
            case STRING_VAL -> g.getStringVal();
            case ARRAY_VAL -> {
                List<Object> out = new ArrayList<>(g.getArrayVal().getArrayCount());
                for (GenericValue e : g.getArrayVal().getArrayList()) {
                    out.add(fromGeneric(e));
                }
                yield out;
            }
            case VAL_NOT_SET -> null;
        };
    }

    static boolean sameType(List<?> list) {
        Class<?> c = null;
        for (Object o : list) {
            Class<?> k = o instanceof List ? List.class : o.getClass();
            if (c == null) {
                c = k;
            } else if (c != k) {
                return false;
            }
        }
        return true;
    }

    /** The user-facing type name of a constant, as used in error messages. */
    static String typeName(Object v) {
        return switch (v) {
            case Long l -> "int64";
            case Double d -> "float";
            case Boolean b -> "bool";
            case String s -> "string";
            case List<?> l -> "array";
            default -> "unknown";
        };
    }

    /** A constant rendered for an error message: strings single-quoted, lists bracketed. */
    static String show(Object v) {
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        if (v instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(show(list.get(i)));
            }
            return sb.append(']').toString();
        }
        return String.valueOf(v);
    }

    /** Parses an IntegerConstant token; null when it does not fit in a signed 64-bit integer. */
    static BigInteger parseInteger(String text) {
        String t = text;
        int radix = 10;
        if (t.length() > 1 && t.charAt(0) == '0') {
            char c = Character.toLowerCase(t.charAt(1));
            if (c == 'x') {
                radix = 16;
                t = t.substring(2);
            } else if (c == 'b') {
                radix = 2;
                t = t.substring(2);
            } else if (c == 'o') {
                radix = 8;
                t = t.substring(2);
            } else {
                radix = 8;
                t = t.substring(1);
            }
        }
        return new BigInteger(t, radix);
    }

    static boolean fitsLong(BigInteger b) {
        return b.bitLength() < 64;
    }

    /**
     * Removes the quotes of a StringLiteral and resolves C escapes ({@code \n \t \r \b \f \v \a \0-7 \xHH
     * \\uXXXX \\UXXXXXXXX \\ \' \" \?}). An unknown escape such as {@code \%} keeps its backslash, so
     * {@code like "100\%"} reaches the like-pattern parser as an escaped percent sign.
     */
    static String unquote(String token) {
        String s = token.substring(1, token.length() - 1);
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000B');
                case 'a' -> sb.append('\u0007');
                case '\\', '\'', '"', '?' -> sb.append(e);
                case 'x' -> {
                    int j = i + 1;
                    while (j < s.length() && j < i + 3 && Character.digit(s.charAt(j), 16) >= 0) j++;
                    if (j == i + 1) {
                        sb.append("\\x");
                    } else {
                        sb.append((char) Integer.parseInt(s.substring(i + 1, j), 16));
                        i = j - 1;
                    }
                }
                case 'u', 'U' -> {
                    int n = e == 'u' ? 4 : 8;
                    if (i + n < s.length() && s.substring(i + 1, i + 1 + n).chars().allMatch(ch -> Character.digit(ch, 16) >= 0)
                            && Long.parseLong(s.substring(i + 1, i + 1 + n), 16) <= Character.MAX_CODE_POINT) {
                        sb.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 1 + n), 16));
                        i += n;
                    } else {
                        sb.append('\\').append(e);
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int j = i;
                        while (j < s.length() && j < i + 3 && s.charAt(j) >= '0' && s.charAt(j) <= '7') j++;
                        sb.append((char) Integer.parseInt(s.substring(i, j), 8));
                        i = j - 1;
                    } else {
                        sb.append('\\').append(e);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** A template value bound from {@code expr_template_values}. */
    static Object fromTemplate(TemplateValue v) {
        return switch (v.getValCase()) {
            case BOOL_VAL -> v.getBoolVal();
            case INT64_VAL -> v.getInt64Val();
            case FLOAT_VAL -> v.getFloatVal();
            case STRING_VAL -> v.getStringVal();
            case ARRAY_VAL -> fromTemplateArray(v.getArrayVal());
            case VAL_NOT_SET -> null;
        };
    }

    private static List<Object> fromTemplateArray(TemplateArrayValue a) {
        List<Object> out = new ArrayList<>();
        switch (a.getDataCase()) {
            case BOOL_DATA -> out.addAll(a.getBoolData().getDataList());
            case LONG_DATA -> out.addAll(a.getLongData().getDataList());
            case DOUBLE_DATA -> out.addAll(a.getDoubleData().getDataList());
            case STRING_DATA -> out.addAll(a.getStringData().getDataList());
            case ARRAY_DATA -> {
                for (TemplateArrayValue e : a.getArrayData().getDataList()) {
                    out.add(fromTemplateArray(e));
                }
            }
            case JSON_DATA -> {
                for (ByteString b : a.getJsonData().getDataList()) {
                    Object o = fromJson(JsonParser.parseString(b.toStringUtf8()));
                    if (o == null) {
                        throw new IllegalArgumentException("unsupported JSON template element " + b.toStringUtf8());
                    }
                    out.add(o);
                }
            }
            case DATA_NOT_SET -> { }
        }
        return out;
    }

    /** A JSON scalar or array as a constant; null for objects and JSON null. */
    static Object fromJson(JsonElement e) {
        if (e instanceof JsonPrimitive p) {
            if (p.isBoolean()) return p.getAsBoolean();
            if (p.isString()) return p.getAsString();
            return JsonValues.number(p);
        }
        if (e instanceof JsonArray arr) {
            List<Object> out = new ArrayList<>(arr.size());
            for (JsonElement x : arr) {
                Object o = fromJson(x);
                if (o == null) return null;
                out.add(o);
            }
            return out;
        }
        return null;
    }
}
