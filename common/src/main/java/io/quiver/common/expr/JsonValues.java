package io.quiver.common.expr;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import java.io.InputStreamReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON access for filter evaluation: parse one row, follow a path, turn the value found into a
 * comparable Java object. A path step on an array is an index, on an object a key (Milvus' JSON
 * pointer semantics). Nothing is cached across rows.
 */
final class JsonValues {
    private JsonValues() {}

    /** A JSON object (never equal to any literal). */
    static final Object OBJECT = new Object() {
        @Override public String toString() { return "{object}"; }
    };
    /** An explicit JSON null. */
    static final Object NULL = new Object() {
        @Override public String toString() { return "null"; }
    };

    /** The parsed document, or null for empty or malformed bytes. */
    static JsonElement parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        try {
            JsonReader r = new JsonReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8));
            r.setStrictness(com.google.gson.Strictness.LENIENT);
            return JsonParser.parseReader(r);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The element at {@code path} below {@code root}, or null when absent. */
    static JsonElement navigate(JsonElement root, List<String> path) {
        JsonElement cur = root;
        for (int i = 0, n = path.size(); i < n && cur != null; i++) {
            String step = path.get(i);
            if (cur instanceof JsonObject o) {
                cur = o.get(step);
            } else if (cur instanceof JsonArray a) {
                int idx = index(step);
                cur = idx >= 0 && idx < a.size() ? a.get(idx) : null;
            } else {
                return null;
            }
        }
        return cur;
    }

    private static int index(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** A JSON number as Long when it is written as an integer that fits, else Double. */
    static Object number(JsonPrimitive p) {
        String s = p.getAsString();
        if (s.indexOf('.') < 0 && s.indexOf('e') < 0 && s.indexOf('E') < 0) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                // falls through to double
            }
        }
        return p.getAsDouble();
    }

    /** Long, Double, Boolean, String, List, {@link #OBJECT}, {@link #NULL}; null when absent. */
    static Object value(JsonElement e) {
        if (e == null) {
            return null;
        }
        if (e instanceof JsonPrimitive p) {
            if (p.isBoolean()) return p.getAsBoolean();
            if (p.isString()) return p.getAsString();
            return number(p);
        }
        if (e instanceof JsonArray a) {
            List<Object> out = new ArrayList<>(a.size());
            for (JsonElement x : a) {
                out.add(value(x));
            }
            return out;
        }
        if (e.isJsonNull()) {
            return NULL;
        }
        return OBJECT;
    }
}
