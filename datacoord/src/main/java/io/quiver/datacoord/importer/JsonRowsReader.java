package io.quiver.datacoord.importer;

import static io.quiver.datacoord.importer.ImportColumn.failed;
import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.schema.Schemas;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * JSON rows as Milvus imports them: {@code {"rows": [{...}, ...]}} or a bare {@code [{...}, ...]}, one object per row
 * keyed by field name; keys the schema does not name go to the dynamic field when there is one. Rows are streamed
 * (Gson's {@link JsonReader}), one parsed object at a time; opening counts the rows in a first pass.
 */
final class JsonRowsReader implements ImportReader {
    private final String path;
    private final Supplier<byte[]> content;
    private final long total;
    private JsonReader reader;

    JsonRowsReader(String path, Supplier<byte[]> content) {
        this.path = requireNonNull(path, "path is null");
        this.content = requireNonNull(content, "content is null");
        JsonReader r = open();
        long n = 0;
        try {
            while (r.hasNext()) {
                r.skipValue();
                n++;
            }
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw failed("failed to parse JSON file %s: %s", path, e.getMessage());
        }
        this.total = n;
    }

    private JsonReader open() {
        JsonReader r = new JsonReader(new InputStreamReader(new ByteArrayInputStream(content.get()), StandardCharsets.UTF_8));
        try {
            JsonToken t = r.peek();
            if (t == JsonToken.BEGIN_OBJECT) {
                r.beginObject();
                if (!r.hasNext() || !r.nextName().equals("rows")) {
                    throw failed("JSON file %s must be {\"rows\": [...]} or [...]", path);
                }
            }
            r.beginArray();
            return r;
        } catch (IOException | IllegalStateException e) {
            throw failed("JSON file %s must be {\"rows\": [...]} or [...]: %s", path, e.getMessage());
        }
    }

    @Override
    public long totalRows() {
        return total;
    }

    @Override
    public int read(ImportBatch batch, int maxRows) {
        if (reader == null) {
            reader = open();
        }
        int n = 0;
        try {
            while (n < maxRows && reader.hasNext()) {
                JsonElement row = JsonParser.parseReader(reader);
                if (!row.isJsonObject()) {
                    throw failed("row %d of %s is not a JSON object", n, path);
                }
                addRow(batch, row.getAsJsonObject());
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JsonParseException e) {
            throw failed("failed to parse JSON file %s: %s", path, e.getMessage());
        }
        return n;
    }

    private static void addRow(ImportBatch batch, JsonObject row) {
        batch.checkNames(row.keySet(), true);
        JsonObject extra = new JsonObject();
        Map<String, JsonElement> named = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : row.entrySet()) {
            if (Schemas.DYNAMIC_FIELD.equals(e.getKey()) || Schemas.byName(batch.schema(), e.getKey()).isEmpty()) {
                if (Schemas.DYNAMIC_FIELD.equals(e.getKey()) && e.getValue().isJsonObject()) {
                    e.getValue().getAsJsonObject().entrySet().forEach(x -> extra.add(x.getKey(), x.getValue()));
                } else {
                    extra.add(e.getKey(), e.getValue());
                }
            } else {
                named.put(e.getKey(), e.getValue());
            }
        }
        for (FieldSchema f : batch.fields()) {
            if (f.getIsDynamic()) {
                batch.column(f.getName()).add(extra.toString());
                continue;
            }
            JsonElement v = named.get(f.getName());
            if ((v == null || v.isJsonNull()) && !ImportBatch.optional(f)) {
                throw failed("value of field '%s' is missed", f.getName());
            }
            batch.column(f.getName()).add(v == null || v.isJsonNull() ? null : value(f, v));
        }
    }

    /** A JSON value as the Java value {@link ImportColumn} takes for the field. */
    static Object value(FieldSchema f, JsonElement v) {
        DataType t = f.getDataType();
        return switch (t) {
            case JSON -> v.isJsonPrimitive() && v.getAsJsonPrimitive().isString() ? v.getAsString() : v.toString();
            case FloatVector -> floats(v);
            case BinaryVector, Float16Vector, BFloat16Vector -> bytes(v);
            case SparseFloatVector -> sparse(v);
            case Array -> v.isJsonArray() ? list(v.getAsJsonArray()) : scalar(v);
            default -> scalar(v);
        };
    }

    private static Object scalar(JsonElement v) {
        if (!v.isJsonPrimitive()) {
            return v.isJsonArray() ? list(v.getAsJsonArray()) : Map.of();
        }
        JsonPrimitive p = v.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isString()) {
            return p.getAsString();
        }
        BigDecimal d = p.getAsBigDecimal();
        if (d.scale() <= 0 || d.stripTrailingZeros().scale() <= 0) {
            try {
                return d.longValueExact();
            } catch (ArithmeticException e) {
                return d.doubleValue();
            }
        }
        return d.doubleValue();
    }

    private static List<Object> list(JsonArray a) {
        List<Object> out = new ArrayList<>(a.size());
        a.forEach(e -> out.add(scalar(e)));
        return out;
    }

    private static Object floats(JsonElement v) {
        if (!v.isJsonArray()) {
            return scalar(v);
        }
        JsonArray a = v.getAsJsonArray();
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsFloat();
        }
        return out;
    }

    private static Object bytes(JsonElement v) {
        if (!v.isJsonArray()) {
            return scalar(v);
        }
        JsonArray a = v.getAsJsonArray();
        byte[] out = new byte[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) a.get(i).getAsInt();
        }
        return out;
    }

    /** {@code {"index": value, ...}} or {@code {"indices": [..], "values": [..]}}. */
    private static Object sparse(JsonElement v) {
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()) {
            v = JsonParser.parseString(v.getAsString());
        }
        if (!v.isJsonObject()) {
            return scalar(v);
        }
        JsonObject o = v.getAsJsonObject();
        Map<Long, Float> out = new HashMap<>();
        if (o.has("indices") && o.has("values")) {
            JsonArray idx = o.getAsJsonArray("indices");
            JsonArray val = o.getAsJsonArray("values");
            for (int i = 0; i < idx.size(); i++) {
                out.put(idx.get(i).getAsLong(), val.get(i).getAsFloat());
            }
        } else {
            o.entrySet().forEach(e -> out.put(Long.parseLong(e.getKey()), e.getValue().getAsFloat()));
        }
        return out;
    }

    @Override
    public void close() {
        reader = null;
    }
}
