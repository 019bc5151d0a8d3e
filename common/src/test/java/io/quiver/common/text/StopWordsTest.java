package io.quiver.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopWordsTest {
    @Test
    void languageListsExpandAndOtherEntriesAreWords() {
        assertThat(StopWords.ENGLISH).hasSize(33).contains("the", "with");
        assertThat(StopWords.language("_german_").orElseThrow()).contains("und", "der", "über");
        assertThat(StopWords.language("_klingon_")).isEmpty();
        assertThat(StopWords.expand(List.of("_english_", "foo", "_bar_"))).contains("a", "will", "foo", "_bar_").hasSize(35);
        for (String lang : List.of("danish", "dutch", "finnish", "french", "german", "hungarian", "italian", "norwegian", "portuguese",
                "russian", "spanish", "swedish")) {
            assertThat(StopWords.language("_" + lang + "_").orElseThrow()).as(lang).hasSizeGreaterThan(40).allMatch(w -> !w.isBlank());
        }
    }
}
