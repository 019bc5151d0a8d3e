package io.quiver.common.text;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A text's distinct terms as the BM25 function keys them ({@link TermHash}) with their counts, terms ascending
 * (unsigned): a document's row of its BM25 output field, or a query's terms.
 *
 * @param terms  term keys, unsigned 32-bit values held in ints, ascending as unsigned
 * @param counts how often each term occurs
 */
public record TermCounts(int[] terms, int[] counts) {
    public static final TermCounts EMPTY = new TermCounts(new int[0], new int[0]);

    /** The analysed text's term counts ({@code null} or empty text: no terms). */
    public static TermCounts of(Analyzer analyzer, String text) {
        if (text == null || text.isEmpty()) {
            return EMPTY;
        }
        List<AnalyzerToken> tokens = analyzer.analyze(text);
        int n = tokens.size();
        int[] keys = new int[n];
        for (int i = 0; i < n; i++) {
            keys[i] = (int) TermHash.of(tokens.get(i).text()) ^ Integer.MIN_VALUE; // signed order = unsigned order
        }
        Arrays.sort(keys);
        int distinct = 0;
        int[] counts = new int[n];
        for (int i = 0; i < n; i++) {
            if (distinct > 0 && keys[distinct - 1] == keys[i]) {
                counts[distinct - 1]++;
            } else {
                keys[distinct] = keys[i];
                counts[distinct++] = 1;
            }
        }
        int[] terms = new int[distinct];
        for (int i = 0; i < distinct; i++) {
            terms[i] = keys[i] ^ Integer.MIN_VALUE;
        }
        return new TermCounts(terms, Arrays.copyOf(counts, distinct));
    }

    public int size() {
        return terms.length;
    }

    /** The sum of the counts: the text's length in BM25's sense. */
    public long length() {
        long len = 0;
        for (int c : counts) {
            len += c;
        }
        return len;
    }

    /** Milvus' sparse row encoding: (little-endian uint32 term, float32 count) pairs, terms ascending. */
    public byte[] sparseRow() {
        ByteBuffer b = ByteBuffer.allocate(8 * terms.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < terms.length; i++) {
            b.putInt(terms[i]).putFloat(counts[i]);
        }
        return b.array();
    }
}
