package io.quiver.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each filter's rule, on tokens from the standard tokenizer; positions and offsets survive every filter. */
class TokenFiltersTest {
    private static List<String> run(TokenFilter f, String... tokens) {
        List<AnalyzerToken> in = new java.util.ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            in.add(new AnalyzerToken(tokens[i], i, i + 1, i, 1));
        }
        return f.apply(in).stream().map(AnalyzerToken::text).toList();
    }

    @Test
    void stringFilters() {
        assertThat(run(TokenFilters.named("lowercase"), "HeLLo", "ÀÉÎ", "ΟΔΟΣ")).containsExactly("hello", "àéî", "οδος");
        assertThat(run(TokenFilters.named("asciifolding"), "Café", "naïve", "straße")).containsExactly("Cafe", "naive", "strasse");
        assertThat(run(TokenFilters.named("alphanumonly"), "abc123", "abc_1", "café", "x")).containsExactly("abc123", "x");
        assertThat(run(TokenFilters.named("cnalphanumonly"), "中文", "abc", "，", "  ", "a-b", "é")).containsExactly("中文", "abc", "a-b");
        assertThat(run(TokenFilters.named("cncharonly"), "中文", "abc", "混合mix")).containsExactly("中文", "混合mix");
        assertThat(run(TokenFilters.named("removepunct"), "abc", "a,b", "，", " ", "中文")).containsExactly("abc", "中文");
        assertThat(TokenFilters.named("nosuch")).isNull();
    }

    @Test
    void lengthKeepsTokensOfAtMostMaxUtf8Bytes() {
        assertThat(run(TokenFilters.length(3), "abc", "abcd", "éa", "中文")).containsExactly("abc", "éa");
    }

    @Test
    void stopStemmerDecompounderRegex() {
        assertThat(run(TokenFilters.stop(List.of("the", "of")), "the", "The", "book", "of")).containsExactly("The", "book");
        assertThat(run(TokenFilters.stemmer("english"), "running", "dogs", "happily", "generously")).containsExactly("run", "dog", "happili",
                "generous");
        assertThat(run(TokenFilters.stemmer("French"), "continuellement")).containsExactly("continuel");
        assertThat(TokenFilters.stemmer("klingon")).isNull();
        TokenFilter d = TokenFilters.decompounder(List.of("dampf", "schiff", "fahrt", "brot", "backstube", "back"));
        assertThat(run(d, "dampfschifffahrt", "brotbackstube", "brotx", "dampf")).containsExactly("dampf", "schiff", "fahrt", "brot",
                "backstube", "brotx", "dampf");
        assertThat(run(TokenFilters.regex(Pattern.compile("^[a-z]+$")), "abc", "Abc", "a1")).containsExactly("abc");
    }

    @Test
    void filtersKeepPositionsAndOffsets() {
        List<AnalyzerToken> out = TokenFilters.named("lowercase").apply(List.of(new AnalyzerToken("AB", 3, 5, 7, 1)));
        assertThat(out).containsExactly(new AnalyzerToken("ab", 3, 5, 7, 1));
    }
}
