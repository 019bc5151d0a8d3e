package io.quiver.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.bench.SparseData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Metric BM25 over rows of term counts: every sparse index configuration returns the exact view's rows and scores bit
 * for bit, the exact view's scores are Okapi BM25 computed by hand in double precision, and the term statistics (rows,
 * summed length, document frequencies) are those of the allowed rows. Reproduce with -Dtests.seed=N.
 */
class Bm25IndexTest {
  static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  static final int N = 2000;
  static final int VOCAB = 1500;
  static final SparseVectors ROWS = counts(SparseData.generate(N, VOCAB, 30, SEED));
  static final byte[][] RAW = SparseData.milvusRows(ROWS);
  static final SparseVectors QUERIES = SparseData.generate(25, VOCAB, 4, SEED + 1);
  static final Map<String, String> PARAMS = Map.of("bm25_k1", "1.2", "bm25_b", "0.75", "bm25_avgdl", "31.5");
  static final VectorIndex EXACT = VectorIndexes.sparseExactView(MetricType.BM25, RAW, N);

  /** The same rows with every value turned into a term count in 1..6. */
  static SparseVectors counts(SparseVectors v) {
    int[] offsets = new int[v.rows() + 1];
    for (int r = 0; r < v.rows(); r++) {
      offsets[r + 1] = v.start(r + 1);
    }
    float[] values = new float[v.values().length];
    Random rnd = new Random(SEED);
    for (int i = 0; i < values.length; i++) {
      values[i] = 1 + rnd.nextInt(6);
    }
    return SparseVectors.of(offsets, v.indices().clone(), values);
  }

  static Stream<IndexSpec> specs() {
    List<IndexSpec> s = new ArrayList<>();
    for (String algo : new String[] {"TAAT_NAIVE", "DAAT_WAND", "DAAT_MAXSCORE"}) {
      s.add(IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.BM25, 0, "inverted_index_algo", algo));
    }
    s.add(IndexSpec.of("SPARSE_WAND", MetricType.BM25, 0));
    return s.stream();
  }

  static FixedBits filter(double keep, long seed) {
    return SparseIndexTest.randomFilter(N, keep, seed);
  }

  @ParameterizedTest
  @MethodSource("specs")
  void indexEqualsExactBm25(IndexSpec spec) throws IOException {
    VectorIndex index = VectorIndexes.buildSparse(spec, ROWS);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    index.write(bytes);
    for (VectorIndex ix : new VectorIndex[] {index, VectorIndexes.load(bytes.toByteArray())}) {
      for (int k : new int[] {1, 10, 200}) {
        for (Bits f : new Bits[] {null, filter(0.5, SEED + k), filter(0.02, SEED - k)}) {
          String at = "seed=" + SEED + " " + spec + " k=" + k + " filter=" + (f != null);
          SearchResult want = EXACT.searchSparse(QUERIES, k, PARAMS, f);
          SearchResult got = ix.searchSparse(QUERIES, k, PARAMS, f);
          assertArrayEquals(want.rows(), got.rows(), at);
          assertArrayEquals(want.scores(), got.scores(), 0f, at);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("specs")
  void indexSurvivesAWriteReadRoundTrip(IndexSpec spec, @TempDir Path dir) throws IOException {
    VectorIndex index = VectorIndexes.buildSparse(spec, ROWS);
    Path file = dir.resolve("bm25.idx");
    try (var out = Files.newOutputStream(file)) {
      index.write(out);
    }
    VectorIndex read = VectorIndexes.load(file);
    assertEquals(MetricType.BM25, read.spec().metric());
    SearchResult want = index.searchSparse(QUERIES, 10, PARAMS, null);
    SearchResult got = read.searchSparse(QUERIES, 10, PARAMS, null);
    assertArrayEquals(want.rows(), got.rows());
    assertArrayEquals(want.scores(), got.scores(), 0f);
    int[] terms = {QUERIES.indices()[0], QUERIES.indices()[1]};
    assertArrayEquals(index.termStats(terms, null).docFreq(), read.termStats(terms, null).docFreq());
  }

  @Test
  void exactScoresAreOkapiBm25() {
    double k1 = 1.2;
    double b = 0.75;
    double avgdl = 31.5;
    SearchResult r = EXACT.searchSparse(QUERIES, 20, PARAMS, null);
    for (int q = 0; q < QUERIES.rows(); q++) {
      for (int i = 0; i < r.k(); i++) {
        int row = r.rows()[q * r.k() + i];
        if (row < 0) {
          continue;
        }
        double dl = 0;
        for (int p = ROWS.start(row); p < ROWS.start(row + 1); p++) {
          dl += ROWS.values()[p];
        }
        double want = 0;
        for (int j = QUERIES.start(q); j < QUERIES.start(q + 1); j++) {
          for (int p = ROWS.start(row); p < ROWS.start(row + 1); p++) {
            if (ROWS.indices()[p] == QUERIES.indices()[j]) {
              double tf = ROWS.values()[p];
              want += QUERIES.values()[j] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl));
            }
          }
        }
        assertEquals(want, r.scores()[q * r.k() + i], 1e-4 * Math.max(1, want), "seed=" + SEED + " q=" + q + " row=" + row);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("specs")
  void termStatsCountAllowedRowsOnly(IndexSpec spec) {
    VectorIndex index = VectorIndexes.buildSparse(spec, ROWS);
    int[] terms = {ROWS.indices()[0], ROWS.indices()[5], ROWS.indices()[17], 123_456_789};
    for (Bits f : new Bits[] {null, filter(0.9, SEED + 3), filter(0.1, SEED + 4)}) {
      long rows = 0;
      double len = 0;
      long[] df = new long[terms.length];
      for (int r = 0; r < N; r++) {
        if (f != null && !f.get(r)) {
          continue;
        }
        rows++;
        for (int p = ROWS.start(r); p < ROWS.start(r + 1); p++) {
          len += ROWS.values()[p];
          for (int t = 0; t < terms.length; t++) {
            df[t] += ROWS.indices()[p] == terms[t] ? 1 : 0;
          }
        }
      }
      for (VectorIndex ix : new VectorIndex[] {index, EXACT}) {
        TermStats s = ix.termStats(terms, f);
        assertEquals(rows, s.rows());
        assertEquals(len, s.totalLength(), 1e-6 * len);
        assertArrayEquals(df, s.docFreq());
      }
    }
  }

  @Test
  void bm25ParamsAreChecked() {
    VectorIndex index = VectorIndexes.buildSparse(IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.BM25, 0), ROWS);
    IndexParamException e = assertThrows(IndexParamException.class,
        () -> index.searchSparse(QUERIES, 10, Map.of("bm25_k1", "4"), null));
    assertTrue(e.getMessage().contains("bm25_k1"), e.getMessage());
    assertThrows(IndexParamException.class, () -> index.searchSparse(QUERIES, 10, Map.of("bm25_b", "-0.1"), null));
    assertThrows(IndexParamException.class, () -> index.searchSparse(QUERIES, 10, Map.of("bm25_avgdl", "0"), null));
    assertThrows(IndexParamException.class,
        () -> VectorIndexes.build(IndexSpec.of("HNSW", MetricType.BM25, 8, "M", "8", "efConstruction", "40"), new float[8], 1, 1));
    // k1 and b from the build parameters when the search does not give them
    VectorIndex k1Zero = VectorIndexes.buildSparse(IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.BM25, 0, "bm25_k1", "0"), ROWS);
    SearchResult r = k1Zero.searchSparse(QUERIES, 1, Map.of(), null);
    // k1 = 0: every matching term weighs exactly its query weight, whatever its count and the row's length
    int row = r.rows()[0];
    float want = 0f;
    for (int j = QUERIES.start(0); j < QUERIES.start(1); j++) {
      for (int p = ROWS.start(row); p < ROWS.start(row + 1); p++) {
        if (ROWS.indices()[p] == QUERIES.indices()[j]) {
          want += QUERIES.values()[j];
        }
      }
    }
    assertEquals(want, r.scores()[0], 1e-5f * want);
  }
}
