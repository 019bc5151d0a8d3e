package io.quiver.common.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.QuiverException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsTest {
    private static KeyValuePair kv(String k, String v) {
        return KeyValuePair.newBuilder().setKey(k).setValue(v).build();
    }

    @Test
    void explicitPairsWinOverTheParamsJson() {
        Map<String, String> p = Params.flatten(List.of(kv("params", "{\"ef\": 64, \"limit\": 3, \"nested\": {\"a\": 1}}"), kv("limit", "10")));
        assertThat(p).containsExactly(Map.entry("ef", "64"), Map.entry("limit", "10"), Map.entry("nested", "{\"a\":1}"));
    }

    @Test
    void theParamsJsonCanBeReadByTheCaller() {
        List<String> parsed = new ArrayList<>();
        Map<String, String> p = Params.flatten(List.of(kv("params", "{\"ef\":64}"), kv("topk", "5")), json -> {
            parsed.add(json);
            return Params.jsonObject(json);
        });
        assertThat(parsed).containsExactly("{\"ef\":64}");
        assertThat(p).containsExactly(Map.entry("ef", "64"), Map.entry("topk", "5"));
    }

    @Test
    void badJsonIsAnInvalidParameter() {
        assertThatThrownBy(() -> Params.jsonObject("[1]")).isInstanceOf(QuiverException.class).hasMessageContaining("params must be a JSON object");
        assertThatThrownBy(() -> Params.jsonObject("{")).isInstanceOf(QuiverException.class).hasMessageContaining("params is not valid JSON");
        assertThat(Params.jsonObject("{\"a\":\"x\"}")).isUnmodifiable();
    }
}
