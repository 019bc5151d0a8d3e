package io.quiver.common.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Milvus' {@code standard} tokenizer, which is tantivy's SimpleTokenizer: a token is a maximal run of Unicode
 * alphanumeric characters (Rust's {@code char::is_alphanumeric}: the Alphabetic property or a numeric general
 * category), so {@code dog's} gives {@code dog}, {@code s}, {@code 32.3} gives {@code 32}, {@code 3} and a run of CJK
 * characters stays one token. Positions are token ordinals; offsets are UTF-8 bytes.
 */
public final class SimpleTokenizer implements Tokenizer {
    public static final SimpleTokenizer INSTANCE = new SimpleTokenizer();

    private SimpleTokenizer() {}

    static boolean isAlphanumeric(int cp) {
        if (Character.isAlphabetic(cp)) {
            return true;
        }
        int t = Character.getType(cp);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    @Override
    public List<AnalyzerToken> tokenize(String text) {
        return runs(text, SimpleTokenizer::isAlphanumeric);
    }

    /** Maximal runs of code points {@code inToken} accepts, as tokens numbered 0, 1, 2, ... */
    static List<AnalyzerToken> runs(String text, java.util.function.IntPredicate inToken) {
        List<AnalyzerToken> out = new ArrayList<>();
        int bytePos = 0;
        int start = -1;
        int startByte = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (inToken.test(cp)) {
                if (start < 0) {
                    start = i;
                    startByte = bytePos;
                }
            } else if (start >= 0) {
                out.add(new AnalyzerToken(text.substring(start, i), startByte, bytePos, out.size(), 1));
                start = -1;
            }
            bytePos += Utf8Offsets.bytes(cp);
            i += len;
        }
        if (start >= 0) {
            out.add(new AnalyzerToken(text.substring(start), startByte, bytePos, out.size(), 1));
        }
        return out;
    }
}
