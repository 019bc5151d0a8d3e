package io.quiver.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import io.quiver.common.column.StringColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** TEXT_MATCH and PHRASE_MATCH over an index with Milvus' analyzers, growing and built, against a scan. */
class TextIndexTest {
    private static final Analyzer STANDARD = AnalyzerParams.parse(null);
    private static final Analyzer ENGLISH = AnalyzerParams.parse("{\"type\": \"english\"}");
    private static final Analyzer CHINESE = AnalyzerParams.parse("{\"type\": \"chinese\"}");

    static StringColumn column(String... texts) {
        StringColumn c = new StringColumn(100, DataType.VarChar, true);
        append(c, texts);
        return c;
    }

    static void append(StringColumn c, String... texts) {
        StringArray.Builder a = StringArray.newBuilder();
        List<Boolean> valid = new ArrayList<>();
        for (String t : texts) {
            a.addData(t == null ? "" : t);
            valid.add(t != null);
        }
        c.append(FieldData.newBuilder().setType(DataType.VarChar).setScalars(ScalarField.newBuilder().setStringData(a))
                .addAllValidData(valid).build(), texts.length);
    }

    private static List<Integer> rows(long[] words, int n) {
        return IntStream.range(0, n).filter(i -> (words[i >>> 6] & (1L << i)) != 0).boxed().toList();
    }

    private static List<Integer> any(TextIndex index, String query, int n) {
        long[] out = new long[(n + 63) >>> 6];
        index.matchAny(query, n, out);
        return rows(out, n);
    }

    private static List<Integer> phrase(TextIndex index, String query, long slop, int n) {
        long[] out = new long[(n + 63) >>> 6];
        index.matchPhrase(query, slop, n, out);
        return rows(out, n);
    }

    @Test
    void textMatchFindsRowsWithAnyTokenInEitherCase() {
        StringColumn c = column("The quick brown fox", "a lazy dog", null, "Quick thinking", "", "dog's toy: 32.3");
        TextIndex index = TextIndex.build(STANDARD, c, 6);
        assertThat(any(index, "QUICK", 6)).containsExactly(0, 3);
        assertThat(any(index, "fox dog", 6)).containsExactly(0, 1, 5);
        assertThat(any(index, "s 3", 6)).containsExactly(5); // the standard tokenizer splits dog's and 32.3
        assertThat(any(index, "cat", 6)).isEmpty();
        assertThat(any(index, "", 6)).isEmpty();
        assertThat(any(index, "?!", 6)).isEmpty();
        assertThat(index.termCount()).isEqualTo(12);
        assertThat(index.ramBytesUsed()).isPositive();
    }

    @Test
    void englishStemsQueryAndDocumentsAlike() {
        StringColumn c = column("The dogs are running", "a runner jumped", "jumping jacks");
        TextIndex index = TextIndex.build(ENGLISH, c, 3);
        assertThat(any(index, "run", 3)).containsExactly(0);
        assertThat(any(index, "JUMPS", 3)).containsExactly(1, 2);
        assertThat(any(index, "the are", 3)).isEmpty(); // stop words have no postings
        // stop words keep their positions: "dogs are running" is "dog" at 1 and "run" at 3
        assertThat(phrase(index, "dog running", 0, 3)).isEmpty();
        assertThat(phrase(index, "dog running", 1, 3)).containsExactly(0);
        assertThat(phrase(index, "dogs are running", 0, 3)).containsExactly(0);
    }

    @Test
    void phraseSlopCases() {
        StringColumn c = column(
                "machine learning is fun",            // 0 exact
                "machine deep learning",              // 1 one word between
                "learning machine",                   // 2 reversed adjacent pair
                "machine very deep learning",         // 3 two words between
                "a x b c", "a b x c", "a x b x c");    // 4, 5, 6 a three-term budget
        TextIndex index = TextIndex.build(STANDARD, c, 7);
        assertThat(phrase(index, "machine learning", 0, 7)).containsExactly(0);
        assertThat(phrase(index, "Machine Learning", 1, 7)).containsExactly(0, 1);
        assertThat(phrase(index, "machine learning", 2, 7)).containsExactly(0, 1, 2, 3);
        assertThat(phrase(index, "learning machine", 0, 7)).containsExactly(2);
        assertThat(phrase(index, "learning machine", 1, 7)).containsExactly(2);
        assertThat(phrase(index, "learning machine", 2, 7)).containsExactly(0, 2);
        assertThat(phrase(index, "a b c", 0, 7)).isEmpty();
        assertThat(phrase(index, "a b c", 1, 7)).containsExactly(4, 5);
        assertThat(phrase(index, "a b c", 2, 7)).containsExactly(4, 5, 6);
        // one token: PHRASE_MATCH acts like TEXT_MATCH
        assertThat(phrase(index, "learning", 0, 7)).containsExactly(0, 1, 2, 3);
        assertThat(phrase(index, "learning ...", 0, 7)).containsExactly(0, 1, 2, 3);
        assertThat(phrase(index, "", 0, 7)).isEmpty();
        assertThat(phrase(index, "machine unicorn", 5, 7)).isEmpty();
    }

    @Test
    void chinesePositionsAreCharacterOffsets() {
        // jieba (search mode): 我们 0, 喜欢 2, 向量 4, 数据 6, 据库 7, 数据库 6; slop counts characters
        StringColumn c = column("我们喜欢向量数据库", "向量是数据库的基础", "数据库和向量");
        TextIndex index = TextIndex.build(CHINESE, c, 3);
        assertThat(any(index, "数据库", 3)).containsExactly(0, 1, 2);
        assertThat(any(index, "喜欢", 3)).containsExactly(0);
        assertThat(phrase(index, "向量数据库", 0, 3)).containsExactly(0);
        // 向量 at 0, 数据库 at 3 in row 1: one character (是) between, so slop 1 finds it
        assertThat(phrase(index, "向量数据库", 1, 3)).containsExactly(0, 1);
        // row 2 has 数据库 before 向量 (数据库 at 0, 向量 at 4): shifted 1 and 7, six characters of slop
        assertThat(phrase(index, "向量数据库", 5, 3)).containsExactly(0, 1);
        assertThat(phrase(index, "向量数据库", 6, 3)).containsExactly(0, 1, 2);
    }

    @Test
    void growingIndexCatchesUpAndReadsOnlyItsSnapshot() {
        StringColumn c = column("red apple", "green apple");
        TextIndex index = new TextIndex(STANDARD);
        index.catchUp(c, 2);
        assertThat(index.indexedRows()).isEqualTo(2);
        append(c, "red red wine", null, "apple red");
        assertThat(any(index, "red", 5)).containsExactly(0); // rows 2.. not indexed yet
        index.catchUp(c, 5);
        assertThat(any(index, "red", 5)).containsExactly(0, 2, 4);
        assertThat(any(index, "red", 3)).containsExactly(0, 2);  // a reader's snapshot of 3 rows
        assertThat(phrase(index, "red apple", 0, 5)).containsExactly(0);
        assertThat(phrase(index, "red apple", 2, 5)).containsExactly(0, 4);
        assertThat(phrase(index, "red wine", 0, 2)).isEmpty();
        index.catchUp(c, 3); // never goes back
        assertThat(index.indexedRows()).isEqualTo(5);
    }

    /** Random documents over a small vocabulary: the index equals a scan that applies the same rules row by row. */
    @Test
    void matchesAScanOnRandomDocuments() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        String[] vocab = {"alpha", "beta", "gamma", "delta", "eps"};
        int n = 3000;
        String[] texts = new String[n];
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(12); k > 0; k--) {
                sb.append(vocab[r.nextInt(vocab.length)]).append(' ');
            }
            texts[i] = r.nextInt(20) == 0 ? null : sb.toString();
        }
        StringColumn c = column(texts);
        TextIndex index = TextIndex.build(STANDARD, c, n);
        PhraseMatcher matcher = new PhraseMatcher();
        for (int q = 0; q < 40; q++) {
            int len = 1 + r.nextInt(3);
            String[] words = new String[len];
            for (int k = 0; k < len; k++) {
                words[k] = vocab[r.nextInt(vocab.length)];
            }
            String query = String.join(" ", words);
            long slop = r.nextInt(4);
            List<Integer> expectedAny = new ArrayList<>();
            List<Integer> expectedPhrase = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (texts[i] == null) continue;
                List<String> doc = Arrays.asList(texts[i].trim().split(" "));
                if (Arrays.stream(words).anyMatch(doc::contains)) expectedAny.add(i);
                if (len == 1 ? doc.contains(words[0]) : scanPhrase(matcher, doc, words, slop)) expectedPhrase.add(i);
            }
            assertThat(any(index, query, n)).as("seed %d text_match %s", seed, query).isEqualTo(expectedAny);
            assertThat(phrase(index, query, slop, n)).as("seed %d phrase_match %s slop %d", seed, query, slop).isEqualTo(expectedPhrase);
        }
    }

    private static boolean scanPhrase(PhraseMatcher m, List<String> doc, String[] words, long slop) {
        int[][] shifted = new int[words.length][];
        int[] lengths = new int[words.length];
        for (int t = 0; t < words.length; t++) {
            String w = words[t];
            int shift = words.length - 1 - t;
            shifted[t] = IntStream.range(0, doc.size()).filter(p -> doc.get(p).equals(w)).map(p -> p + shift).toArray();
            lengths[t] = shifted[t].length;
            if (lengths[t] == 0) return false;
        }
        return m.matches(shifted, lengths, slop);
    }
}
