package io.quiver.common.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StrictJsonTest {
    @Test
    void strictJsonParses() {
        assertThat(StrictJson.parse("{\"a\": [1, 2.5, \"x\", null, true]}").getAsJsonObject().get("a").getAsJsonArray()).hasSize(5);
        assertThat(StrictJson.parse(" 7 ").getAsInt()).isEqualTo(7);
        assertThat(StrictJson.parse("\"\\ud83d\\ude00\"").getAsString()).isEqualTo("\ud83d\ude00");
    }

    @Test
    void whatGsonTakesLenientlyIsRefused() {
        for (String bad : List.of("{\"a\": NaN}", "{\"a\": -Infinity}", "{'a': 1}", "{a: 1}", "{\"a\": 1,}", "[1,]", "{\"a\": 1} x",
                "{\"a\": 1}{}", "// c\n{}", "{", "nul", "", "  ")) {
            assertThatThrownBy(() -> StrictJson.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
