package io.quiver.common.schema;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.QuiverException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Key-value parameters as the SDKs send them: each as its own pair (Java) and/or as one {@code params} JSON
 * object (Node, and Java search params). Flattened into one map; explicit pairs win over the JSON.
 */
public final class Params {
    private Params() {}

    public static Map<String, String> flatten(List<KeyValuePair> kvs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (KeyValuePair kv : kvs) {
            if (kv.getKey().equals("params") && !kv.getValue().isBlank()) {
                JsonObject o;
                try {
                    JsonElement e = JsonParser.parseString(kv.getValue());
                    if (!e.isJsonObject()) {
                        throw QuiverException.invalid("params must be a JSON object, got: %s", kv.getValue());
                    }
                    o = e.getAsJsonObject();
                } catch (JsonSyntaxException ex) {
                    throw QuiverException.invalid("params is not valid JSON: %s", kv.getValue());
                }
                for (var e : o.entrySet()) {
                    JsonElement v = e.getValue();
                    String s = v.isJsonPrimitive() ? v.getAsJsonPrimitive().getAsString() : v.toString();
                    out.putIfAbsent(e.getKey(), s);
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

    public static List<KeyValuePair> toPairs(Map<String, String> m) {
        return m.entrySet().stream().map(e -> KeyValuePair.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build()).toList();
    }
}
