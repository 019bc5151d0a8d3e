package io.quiver.common.text;

import java.util.List;

/** Milvus' {@code whitespace} tokenizer (tantivy's): maximal runs of characters that are not ASCII whitespace. */
public final class WhitespaceTokenizer implements Tokenizer {
    public static final WhitespaceTokenizer INSTANCE = new WhitespaceTokenizer();

    private WhitespaceTokenizer() {}

    /** Rust's {@code char::is_ascii_whitespace}: space, tab, line feed, form feed, carriage return. */
    static boolean isAsciiWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\f' || cp == '\r';
    }

    @Override
    public List<AnalyzerToken> tokenize(String text) {
        return SimpleTokenizer.runs(text, cp -> !isAsciiWhitespace(cp));
    }
}
