package io.quiver.common.text;

import com.huaban.analysis.jieba.JiebaSegmenter;
import com.huaban.analysis.jieba.SegToken;
import java.util.ArrayList;
import java.util.List;

/**
 * Milvus' {@code jieba} tokenizer (jieba-rs with its default dictionary and the HMM for unknown words) through the Java
 * port of jieba, which has the same dictionary, DAG segmentation and HMM. Mode {@code search} (Milvus' default) also
 * emits the dictionary words of two and three characters inside longer words, before the word itself, as jieba's
 * {@code cut_for_search}; mode {@code exact} emits the plain segmentation. Every character is covered, spaces and
 * punctuation included (the {@code chinese} analyzer drops them with {@code cnalphanumonly}). Token text is taken from
 * the input unchanged; positions and position lengths count characters (Milvus' jieba positions), offsets are bytes.
 * The dictionary (about 5 MB) is loaded once, on first use.
 */
public final class JiebaTokenizer implements Tokenizer {
    public enum Mode { EXACT, SEARCH }

    private static final class Holder {
        static final JiebaSegmenter SEGMENTER = new JiebaSegmenter();
    }

    private final Mode mode;

    public JiebaTokenizer(Mode mode) {
        this.mode = mode;
    }

    public Mode mode() { return mode; }

    @Override
    public List<AnalyzerToken> tokenize(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        // char index -> code point index and byte offset
        int[] cpAt = new int[text.length() + 1];
        int[] byteAt = new int[text.length() + 1];
        int cps = 0;
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            for (int k = 0; k < len; k++) {
                cpAt[i + k] = cps;
                byteAt[i + k] = bytes;
            }
            cps++;
            bytes += Utf8Offsets.bytes(cp);
            i += len;
        }
        cpAt[text.length()] = cps;
        byteAt[text.length()] = bytes;
        List<SegToken> seg = Holder.SEGMENTER.process(text, mode == Mode.SEARCH ? JiebaSegmenter.SegMode.INDEX : JiebaSegmenter.SegMode.SEARCH);
        List<AnalyzerToken> out = new ArrayList<>(seg.size());
        for (SegToken t : seg) {
            int s = Math.max(0, Math.min(text.length(), t.startOffset));
            int e = Math.max(s, Math.min(text.length(), t.endOffset));
            if (e > s) {
                out.add(new AnalyzerToken(text.substring(s, e), byteAt[s], byteAt[e], cpAt[s], cpAt[e] - cpAt[s]));
            }
        }
        return out;
    }
}
