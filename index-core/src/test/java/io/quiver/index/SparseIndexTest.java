package io.quiver.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.bench.SparseData;
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
 * Every sparse index configuration against the exact view (brute force over the Milvus-encoded rows) on seeded
 * SPLADE-like data: with no drop ratio the top-k rows and scores must be identical, with and without filters, for
 * top-k and range search, and after a serialisation round trip. Reproduce with -Dtests.seed=N.
 */
class SparseIndexTest {
  static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  static final int N = 3000;
  static final int VOCAB = 2000;

  static final SparseVectors ROWS = SparseData.generate(N, VOCAB, 40, SEED);
  static final byte[][] RAW = SparseData.milvusRows(ROWS);
  static final SparseVectors QUERIES = SparseData.generate(30, VOCAB, 8, SEED + 1);
  static final VectorIndex EXACT = VectorIndexes.sparseExactView(RAW, N);

  static Stream<IndexSpec> specs() {
    List<IndexSpec> s = new ArrayList<>();
    for (String algo : new String[] {"TAAT_NAIVE", "DAAT_WAND", "DAAT_MAXSCORE"}) {
      s.add(IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.IP, 0, "inverted_index_algo", algo));
    }
    s.add(IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.IP, 0));
    s.add(IndexSpec.of("SPARSE_WAND", MetricType.IP, 0));
    return s.stream();
  }

  static FixedBits randomFilter(double keep, long seed) {
    return randomFilter(N, keep, seed);
  }

  /** {@code n} rows, each allowed with probability {@code keep} (seeded). */
  static FixedBits randomFilter(int n, double keep, long seed) {
    Random r = new Random(seed);
    FixedBits b = new FixedBits(n);
    for (int i = 0; i < n; i++) {
      if (r.nextDouble() < keep) {
        b.set(i);
      }
    }
    return b;
  }

  static void assertSame(SearchResult expected, SearchResult actual, String at) {
    assertArrayEquals(expected.rows(), actual.rows(), at);
    assertArrayEquals(expected.scores(), actual.scores(), 0f, at);
  }

  @ParameterizedTest
  @MethodSource("specs")
  void topKEqualsExactSearch(IndexSpec spec) {
    VectorIndex index = VectorIndexes.buildSparse(spec, ROWS);
    for (int k : new int[] {1, 10, 100}) {
      for (Bits filter : new Bits[] {null, randomFilter(0.5, SEED + k), randomFilter(0.01, SEED - k)}) {
        String at = "seed=" + SEED + " " + spec + " k=" + k + " filter=" + (filter != null);
        assertSame(EXACT.searchSparse(QUERIES, k, Map.of(), filter), index.searchSparse(QUERIES, k, Map.of(), filter), at);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("specs")
  void exactScoresAreInnerProductsAndOnlyPositiveScoresAreHits(IndexSpec spec) {
    VectorIndex index = VectorIndexes.buildSparse(spec, ROWS);
    SearchResult r = index.searchSparse(QUERIES, N, Map.of(), null);
    for (int q = 0; q < QUERIES.rows(); q++) {
      int hits = 0;
      for (int row = 0; row < N; row++) {
        hits += io.quiver.index.internal.SparseDot.dot(QUERIES, q, ROWS, row) > 0 ? 1 : 0;
      }
      for (int i = 0; i < N; i++) {
        int row = r.row(q, i);
        assertEquals(i < hits, row >= 0, "seed=" + SEED + " q=" + q + " rank=" + i);
        if (row >= 0) {
          assertEquals(io.quiver.index.internal.SparseDot.dot(QUERIES, q, ROWS, row), r.score(q, i), 0f);
        } else {
          assertEquals(Float.NEGATIVE_INFINITY, r.score(q, i));
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("specs")
  void rangeSearchEqualsExactRangeSearch(IndexSpec spec) {
    VectorIndex index = VectorIndexes.buildSparse(spec, ROWS);
    float median = EXACT.searchSparse(QUERIES, 50, Map.of(), null).score(0, 25);
    for (float[] rr : new float[][] {{median, Float.NaN}, {0.5f, median}, {-1f, Float.NaN}}) {
      RangeResult e = EXACT.rangeSearchSparse(QUERIES, rr[0], rr[1], Map.of(), randomFilter(0.7, SEED));
      RangeResult a = index.rangeSearchSparse(QUERIES, rr[0], rr[1], Map.of(), randomFilter(0.7, SEED));
      String at = "seed=" + SEED + " " + spec + " radius=" + rr[0] + " range_filter=" + rr[1];
      assertArrayEquals(e.offsets(), a.offsets(), at);
      assertArrayEquals(e.rows(), a.rows(), at);
      assertArrayEquals(e.scores(), a.scores(), 0f, at);
      for (int i = 0; i < a.scores().length; i++) {
        float s = a.scores()[i];
        assertTrue(s > rr[0] && s > 0 && (Float.isNaN(rr[1]) || s <= rr[1]), at + " score " + s);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("specs")
  void serialisedIndexSearchesTheSame(IndexSpec spec, @TempDir Path dir) throws Exception {
    VectorIndex index = VectorIndexes.buildSparse(spec, ROWS);
    byte[] bytes = VectorIndexes.toBytes(index);
    Path file = dir.resolve("sparse.idx");
    Files.write(file, bytes);
    SearchResult expected = index.searchSparse(QUERIES, 10, Map.of(), null);
    for (VectorIndex loaded : new VectorIndex[] {VectorIndexes.load(bytes), VectorIndexes.load(file)}) {
      assertEquals(spec.indexType(), loaded.spec().indexType());
      assertEquals(N, loaded.size());
      assertSame(expected, loaded.searchSparse(QUERIES, 10, Map.of(), null), "seed=" + SEED + " " + spec);
    }
  }

  @Test
  void dropRatioSearchLeavesOutTheQuerysSmallestWeights() {
    SparseVectors q = SparseVectors.of(new int[] {0, 4}, new int[] {1, 2, 3, 4}, new float[] {0.4f, 0.1f, 0.3f, 0.2f});
    SparseVectors kept = SparseVectors.of(new int[] {0, 2}, new int[] {1, 3}, new float[] {0.4f, 0.3f});
    SparseVectors rows = SparseVectors.of(new int[] {0, 1, 2, 3, 4}, new int[] {1, 2, 3, 4}, new float[] {1, 1, 1, 1});
    byte[][] raw = SparseData.milvusRows(rows);
    VectorIndex exact = VectorIndexes.sparseExactView(raw, 4);
    SearchResult r = exact.searchSparse(q, 4, Map.of("drop_ratio_search", "0.5"), null);
    assertArrayEquals(new int[] {0, 2, -1, -1}, r.rows(), "the two smallest of four weights are dropped");
    specs().forEach(spec -> assertSame(exact.searchSparse(kept, 4, Map.of(), null),
        VectorIndexes.buildSparse(spec, rows).searchSparse(q, 4, Map.of("drop_ratio_search", "0.5"), null), spec.toString()));
    assertArrayEquals(new int[] {0, 2, 3, 1}, exact.searchSparse(q, 4, Map.of("drop_ratio_search", "0.2"), null).rows(),
        "0.2 of four weights drops none");
  }

  @Test
  void dropRatioBuildLeavesOutTheSmallestValuesOfAllRows() {
    SparseVectors rows = SparseVectors.of(new int[] {0, 2, 4}, new int[] {1, 2, 1, 2}, new float[] {0.1f, 0.9f, 0.8f, 0.2f});
    SparseVectors q = SparseVectors.of(new int[] {0, 1}, new int[] {1}, new float[] {1f});
    VectorIndex full = VectorIndexes.buildSparse(IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.IP, 0), rows);
    VectorIndex dropped = VectorIndexes.buildSparse(
        IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.IP, 0, "drop_ratio_build", "0.5"), rows);
    assertArrayEquals(new int[] {1, 0}, full.searchSparse(q, 2, Map.of(), null).rows());
    assertArrayEquals(new int[] {1, -1}, dropped.searchSparse(q, 2, Map.of(), null).rows(), "0.1 and 0.2 are dropped");
    assertTrue(dropped.ramBytesUsed() < full.ramBytesUsed());
  }

  @Test
  void smallBoundRatioMayPruneButNeverInventsHits() {
    VectorIndex index = VectorIndexes.buildSparse(
        IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.IP, 0, "inverted_index_algo", "DAAT_MAXSCORE"), ROWS);
    SearchResult exact = EXACT.searchSparse(QUERIES, 10, Map.of(), null);
    SearchResult approx = index.searchSparse(QUERIES, 10, Map.of("dim_max_score_ratio", "0.5"), null);
    for (int i = 0; i < approx.rows().length; i++) {
      int row = approx.rows()[i];
      if (row >= 0) {
        assertEquals(io.quiver.index.internal.SparseDot.dot(QUERIES, i / 10, ROWS, row), approx.scores()[i], 0f);
        assertTrue(approx.scores()[i] <= exact.scores()[(i / 10) * 10]);
      }
    }
  }

  @Test
  void emptyQueriesAndEmptyIndexesReturnNothing() {
    SparseVectors empty = SparseVectors.of(new int[] {0, 0}, new int[0], new float[0]);
    VectorIndex index = VectorIndexes.buildSparse(IndexSpec.of("SPARSE_WAND", MetricType.IP, 0), ROWS);
    assertArrayEquals(new int[] {-1, -1}, index.searchSparse(empty, 2, Map.of(), null).rows());
    VectorIndex none = VectorIndexes.buildSparse(IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.IP, 0), empty);
    assertEquals(1, none.size());
    int[] noHits = new int[QUERIES.rows()];
    java.util.Arrays.fill(noHits, -1);
    assertArrayEquals(noHits, none.searchSparse(QUERIES, 1, Map.of(), null).rows(), "an empty row matches nothing");
  }

  @Test
  void parametersAreCheckedWithMilvusMessages() {
    assertMessage("metric type not found or not supported, supported: [IP BM25]",
        () -> VectorIndexes.validate(IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.L2, 0)));
    assertMessage("sparse inverted index algo FOO not found or not supported, supported: [TAAT_NAIVE DAAT_WAND DAAT_MAXSCORE]",
        () -> VectorIndexes.validate(IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.IP, 0, "inverted_index_algo", "FOO")));
    assertMessage("invalid drop_ratio_build: 1, must be in range [0, 1)",
        () -> VectorIndexes.validate(IndexSpec.of("SPARSE_WAND", MetricType.IP, 0, "drop_ratio_build", "1")));
    assertThrows(IndexParamException.class, () -> VectorIndexes.validate(
        IndexSpec.of("SPARSE_WAND", MetricType.IP, 0, "inverted_index_algo", "TAAT_NAIVE")));
    IndexSpec ok = IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.IP, 0);
    assertMessage("invalid drop_ratio_search: -0.1, must be in range [0, 1)",
        () -> VectorIndexes.validateSearchParams(ok, Map.of("drop_ratio_search", "-0.1")));
    assertMessage("invalid dim_max_score_ratio: 2, must be in range [0.5, 1.3]",
        () -> VectorIndexes.validateSearchParams(ok, Map.of("dim_max_score_ratio", "2")));
    VectorIndex index = VectorIndexes.buildSparse(ok, ROWS);
    assertMessage("invalid drop_ratio_search: x, must be a number in range [0, 1)",
        () -> index.searchSparse(QUERIES, 1, Map.of("drop_ratio_search", "x"), null));
    assertMessage("index type SPARSE_INVERTED_INDEX takes sparse float vectors, not dense vectors",
        () -> index.search(new float[4], 1, 1, Map.of(), null));
    assertMessage("index type SPARSE_INVERTED_INDEX takes sparse float vectors: use buildSparse",
        () -> VectorIndexes.build(ok, new float[4], 1, 1));
    assertMessage("index type HNSW does not take sparse float vectors",
        () -> VectorIndexes.buildSparse(IndexSpec.of("HNSW", MetricType.IP, 4), ROWS));
    assertTrue(VectorIndexes.isSparseIndexType("sparse_wand"));
  }

  private static void assertMessage(String message, org.junit.jupiter.api.function.Executable call) {
    assertEquals(message, assertThrows(IndexParamException.class, call).getMessage());
  }
}
