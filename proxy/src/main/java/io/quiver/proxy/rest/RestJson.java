package io.quiver.proxy.rest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Small JSON helpers shared by the routes: key-value pairs both ways, name lists, enum names. */
final class RestJson {
    private RestJson() {}

    static JsonObject empty() {
        return new JsonObject();
    }

    static JsonObject has(boolean has) {
        JsonObject o = new JsonObject();
        o.addProperty("has", has);
        return o;
    }

    static JsonArray names(Collection<String> names) {
        JsonArray a = new JsonArray();
        names.forEach(a::add);
        return a;
    }

    /** {@code {"k": v, ...}} (any JSON values) to pairs; strings as they are, anything else as JSON text. */
    static List<KeyValuePair> pairs(JsonObject o) {
        List<KeyValuePair> out = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            out.add(KeyValuePair.newBuilder().setKey(e.getKey()).setValue(text(e.getValue())).build());
        }
        return out;
    }

    static String text(JsonElement v) {
        return v.isJsonPrimitive() ? v.getAsString() : v.toString();
    }

    /** Pairs as Milvus' REST writes them: {@code [{"key": k, "value": v}, ...]}. */
    static JsonArray keyValues(List<KeyValuePair> pairs) {
        JsonArray a = new JsonArray();
        for (KeyValuePair p : pairs) {
            JsonObject o = new JsonObject();
            o.addProperty("key", p.getKey());
            o.addProperty("value", p.getValue());
            a.add(o);
        }
        return a;
    }

    static ConsistencyLevel consistency(String name) {
        for (ConsistencyLevel l : ConsistencyLevel.values()) {
            if (l != ConsistencyLevel.UNRECOGNIZED && l.name().equalsIgnoreCase(name)) {
                return l;
            }
        }
        throw QuiverException.of(ErrorCode.PARAMETER_INVALID, "consistencyLevel must be one of Strong, Session, Bounded, Eventually,"
                + " Customized, got '%s'", name);
    }
}
