package io.quiver.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** SimpleTokenizer, WhitespaceTokenizer and JiebaTokenizer: Milvus' tokens, positions and byte offsets. */
class TokenizersTest {
    private static List<String> texts(List<AnalyzerToken> tokens) {
        return tokens.stream().map(AnalyzerToken::text).toList();
    }

    @Test
    void standardSplitsOnEveryNonAlphanumericCharacter() {
        assertThat(texts(SimpleTokenizer.INSTANCE.tokenize("dog's 32.3 e-mail, Ünïcode_x²"))).containsExactly("dog", "s", "32", "3", "e", "mail", "Ünïcode", "x²");
        assertThat(texts(SimpleTokenizer.INSTANCE.tokenize("向量数据库 Milvus"))).containsExactly("向量数据库", "Milvus");
        assertThat(SimpleTokenizer.INSTANCE.tokenize("  ,.;")).isEmpty();
    }

    @Test
    void standardReportsOrdinalPositionsAndUtf8ByteOffsets() {
        List<AnalyzerToken> t = SimpleTokenizer.INSTANCE.tokenize("héllo wörld");
        assertThat(t).containsExactly(new AnalyzerToken("héllo", 0, 6, 0, 1), new AnalyzerToken("wörld", 7, 13, 1, 1));
        // a supplementary character (4 bytes in UTF-8, 2 chars in Java) inside a token
        assertThat(SimpleTokenizer.INSTANCE.tokenize("a𝒳b c")).containsExactly(new AnalyzerToken("a𝒳b", 0, 6, 0, 1),
                new AnalyzerToken("c", 7, 8, 1, 1));
    }

    @Test
    void whitespaceSplitsOnAsciiWhitespaceOnly() {
        assertThat(texts(WhitespaceTokenizer.INSTANCE.tokenize("dog's  32.3\tnew\nline\u00a0nbsp"))).containsExactly("dog's", "32.3", "new",
                "line\u00a0nbsp");
    }

    @Test
    void jiebaSearchModeAddsTheDictionaryWordsInsideLongWordsBeforeTheWord() {
        JiebaTokenizer search = new JiebaTokenizer(JiebaTokenizer.Mode.SEARCH);
        assertThat(texts(search.tokenize("中华人民共和国"))).containsExactly("中华", "华人", "人民", "共和", "共和国", "中华人民共和国");
        JiebaTokenizer exact = new JiebaTokenizer(JiebaTokenizer.Mode.EXACT);
        assertThat(texts(exact.tokenize("结巴分词器"))).containsExactly("结巴", "分词器");
    }

    @Test
    void jiebaKeepsTheInputTextAndCountsPositionsInCharacters() {
        List<AnalyzerToken> t = new JiebaTokenizer(JiebaTokenizer.Mode.EXACT).tokenize("Milvus是数据库");
        assertThat(texts(t)).containsExactly("Milvus", "是", "数据库"); // not lower-cased by the segmenter
        assertThat(t.get(1)).isEqualTo(new AnalyzerToken("是", 6, 9, 6, 1));
        assertThat(t.get(2)).isEqualTo(new AnalyzerToken("数据库", 9, 18, 7, 3));
    }
}
