package io.quiver.common.schema;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;

/**
 * JSON as RFC 8259 and Go's {@code encoding/json} (hence Milvus) read it: one value and nothing after it; no
 * {@code NaN}, {@code Infinity}, comments, single quotes or unquoted names, which Gson's default lenient parsing
 * takes. Every user-given JSON (JSON fields, {@code $meta}, search and index {@code params}) goes through here.
 */
public final class StrictJson {
    private StrictJson() {}

    /** The value of {@code text}; {@link IllegalArgumentException} with the reason when it is not strict JSON. */
    public static JsonElement parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty value");
        }
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("text after the JSON value");
            }
            return e;
        } catch (JsonParseException | IOException | IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
