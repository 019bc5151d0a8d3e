package io.quiver.proxy.rest;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.milvus.grpc.MilvusServiceGrpc.MilvusServiceBlockingStub;
import io.milvus.grpc.Status;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One REST request as the routes see it: the JSON body with typed getters that refuse a missing or mistyped field with
 * Milvus' REST codes (1802, 1801), the database (body {@code dbName}, then the {@code DB-Name} header, then
 * {@code default}), the gRPC stub that carries the caller's credentials and deadline, and how int64 values are written.
 */
public final class RestCall {
    private final JsonObject body;
    private final String db;
    private final MilvusServiceBlockingStub stub;
    private final boolean int64AsNumber;
    private final Map<String, JsonElement> extras = new LinkedHashMap<>();

    RestCall(JsonObject body, String db, MilvusServiceBlockingStub stub, boolean int64AsNumber) {
        this.body = requireNonNull(body, "body is null");
        this.db = requireNonNull(db, "db is null");
        this.stub = requireNonNull(stub, "stub is null");
        this.int64AsNumber = int64AsNumber;
    }

    public JsonObject body() {
        return body;
    }

    public String db() {
        return db;
    }

    /** The service, called as a gRPC client of this proxy would call it (same interceptors, same handlers). */
    public MilvusServiceBlockingStub stub() {
        return stub;
    }

    /** False when the caller sent {@code Accept-Type-Allow-Int64: false}: int64 values go out as JSON strings. */
    public boolean int64AsNumber() {
        return int64AsNumber;
    }

    /** A top-level member of the response beside {@code code} and {@code data} (e.g. {@code topks}). */
    public void extra(String key, JsonElement value) {
        extras.put(key, value);
    }

    Map<String, JsonElement> extras() {
        return extras;
    }

    public boolean has(String key) {
        JsonElement e = body.get(key);
        return e != null && !e.isJsonNull();
    }

    public String string(String key) {
        if (!has(key)) {
            throw missing(key);
        }
        String s = primitive(key, body.get(key)).getAsString();
        if (s.isEmpty()) {
            throw missing(key);
        }
        return s;
    }

    public String string(String key, String absent) {
        return has(key) ? primitive(key, body.get(key)).getAsString() : absent;
    }

    public long number(String key, long absent) {
        if (!has(key)) {
            return absent;
        }
        try {
            return primitive(key, body.get(key)).getAsLong();
        } catch (NumberFormatException e) {
            throw badFormat(key, "a number");
        }
    }

    public boolean bool(String key, boolean absent) {
        return has(key) ? primitive(key, body.get(key)).getAsBoolean() : absent;
    }

    public List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        if (has(key)) {
            for (JsonElement e : array(key)) {
                out.add(primitive(key, e).getAsString());
            }
        }
        return out;
    }

    public JsonArray array(String key) {
        JsonElement e = body.get(key);
        if (e == null || e.isJsonNull()) {
            throw missing(key);
        }
        if (!e.isJsonArray()) {
            throw badFormat(key, "an array");
        }
        return e.getAsJsonArray();
    }

    public JsonObject object(String key) {
        JsonElement e = body.get(key);
        if (e == null || e.isJsonNull()) {
            return new JsonObject();
        }
        if (!e.isJsonObject()) {
            throw badFormat(key, "an object");
        }
        return e.getAsJsonObject();
    }

    /** Throws the response's status unless it is a success (its code and reason become the REST envelope). */
    public static void check(Status status) {
        if (!Statuses.isOk(status)) {
            throw new RestStatusException(status);
        }
    }

    static QuiverException missing(String key) {
        return QuiverException.of(ErrorCode.HTTP_MISSING_PARAMETER, "'%s' is required", key);
    }

    static QuiverException badFormat(String key, String expected) {
        return QuiverException.of(ErrorCode.HTTP_BAD_FORMAT, "'%s' must be %s", key, expected);
    }

    private static JsonElement primitive(String key, JsonElement e) {
        if (!e.isJsonPrimitive()) {
            throw badFormat(key, "a string, number or boolean");
        }
        return e;
    }
}
