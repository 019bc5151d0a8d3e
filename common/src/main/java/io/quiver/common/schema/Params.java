package io.quiver.common.schema;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.QuiverException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Key-value parameters as the SDKs send them: each as its own pair (Java) and/or as one {@code params} JSON
 * object (Node, and Java search params). Flattened into one map; explicit pairs win over the JSON.
 */
public final class Params {
    private Params() {}

    public static Map<String, String> flatten(List<KeyValuePair> kvs) {
        return flatten(kvs, Params::jsonObject);
    }

    /**
     * {@link #flatten(List)} with the {@code params} JSON read by {@code jsonObject} (a caller that sees the same JSON
     * on every request can cache {@link #jsonObject}; the map it returns is only read).
     */
    public static Map<String, String> flatten(List<KeyValuePair> kvs, Function<String, Map<String, String>> jsonObject) {
        Map<String, String> out = new LinkedHashMap<>();
        for (KeyValuePair kv : kvs) {
            if (kv.getKey().equals("params") && !kv.getValue().isBlank()) {
                for (Map.Entry<String, String> e : jsonObject.apply(kv.getValue()).entrySet()) {
                    out.putIfAbsent(e.getKey(), e.getValue());
                }
            }
        }
        for (KeyValuePair kv : kvs) {
            if (!kv.getKey().equals("params")) {
                out.put(kv.getKey(), kv.getValue());
            }
        }
        return out;
    }

    /** A {@code params} JSON object as key to value (primitives as their string, anything else as JSON), unmodifiable. */
    public static Map<String, String> jsonObject(String json) {
        JsonObject o;
        JsonElement e;
        try {
            e = StrictJson.parse(json);
        } catch (IllegalArgumentException ex) {
            throw QuiverException.invalid("params is not valid JSON: %s", json);
        }
        if (!e.isJsonObject()) {
            throw QuiverException.invalid("params must be a JSON object, got: %s", json);
        }
        o = e.getAsJsonObject();
        Map<String, String> out = new LinkedHashMap<>();
        for (var kv : o.entrySet()) {
            JsonElement v = kv.getValue();
            out.putIfAbsent(kv.getKey(), v.isJsonPrimitive() ? v.getAsJsonPrimitive().getAsString() : v.toString());
        }
        return Collections.unmodifiableMap(out);
    }

    public static List<KeyValuePair> toPairs(Map<String, String> m) {
        return m.entrySet().stream().map(e -> KeyValuePair.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build()).toList();
    }
}
