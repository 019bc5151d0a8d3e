package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.milvus.grpc.QueryRequest;
import java.util.function.Consumer;

/**
 * Milvus' {@code Dummy} RPC: {@code request_type} is a JSON object; {@code {"request_type": "query", "dbname": ...,
 * "collection_name": ..., "partition_names": [...], "output_fields": [...]}} runs that query (with an empty filter)
 * and answers {@code {"status": "success"}}; anything else, and a query that fails, answers
 * {@code {"status": "fail"}} (Milvus' proxy {@code Dummy}, which never answers an error: its response has no status
 * field). Quiver answers "fail" for a query that fails with a status too, where Milvus looks only at transport errors.
 */
final class DummyRequests {
    static final String SUCCESS = "{\"status\": \"success\"}";
    static final String FAIL = "{\"status\": \"fail\"}";
    private final Consumer<QueryRequest> query;

    /** {@code query}: runs a query, throwing when it fails. */
    DummyRequests(Consumer<QueryRequest> query) {
        this.query = requireNonNull(query, "query is null");
    }

    String answer(String requestType) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(requestType);
            if (!e.isJsonObject()) {
                return FAIL;
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            return FAIL;
        }
        if (!"query".equals(string(o, "request_type"))) {
            return FAIL;
        }
        try {
            QueryRequest.Builder q = QueryRequest.newBuilder().setDbName(string(o, "dbname")).setCollectionName(string(o, "collection_name"));
            strings(o, "partition_names").forEach(p -> q.addPartitionNames(p.getAsString()));
            strings(o, "output_fields").forEach(f -> q.addOutputFields(f.getAsString()));
            query.accept(q.build());
            return SUCCESS;
        } catch (RuntimeException e) {
            return FAIL;
        }
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
    }

    private static JsonArray strings(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e != null && !e.isJsonArray()) {
            throw new IllegalArgumentException(key + " is not a list");
        }
        return e == null ? new JsonArray() : e.getAsJsonArray();
    }
}
