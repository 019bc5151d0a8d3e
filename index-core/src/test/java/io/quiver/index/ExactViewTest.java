package io.quiver.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The exact view over raw (growing) rows answers as a FLAT index built over a copy of the same rows. */
class ExactViewTest {
  private static final int DIM = 19; // not a multiple of any SIMD width: tails are exercised

  private static float[] random(Random r, int n) {
    float[] v = new float[n * DIM];
    for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() * 2 - 1;
    return v;
  }

  @ParameterizedTest
  @EnumSource(value = MetricType.class, names = {"L2", "IP", "COSINE"})
  void topKAndRangeEqualFlat(MetricType metric) {
    Random r = new Random(7);
    int n = 700; // more than one scan block
    float[] data = random(r, n + 100); // the array is longer than the rows (a growing column's spare capacity)
    Arrays.fill(data, 5 * DIM, 6 * DIM, 0f); // a zero row: COSINE score 0, as FLAT
    float[] q = random(r, 3);
    RowNorms norms = new RowNorms();
    VectorIndex view = VectorIndexes.exactView(metric, DIM, data, n, norms);
    VectorIndex flat = VectorIndexes.build(new IndexSpec("FLAT", metric, DIM, Map.of()), data, n, 1);
    FixedBits filter = new FixedBits(n);
    for (int i = 0; i < n; i += 3) filter.set(i);
    for (Bits f : new Bits[] {null, filter}) {
      SearchResult a = view.search(q, 3, 10, Map.of(), f);
      SearchResult b = flat.search(q, 3, 10, Map.of(), f);
      assertArrayEquals(b.rows(), a.rows());
      for (int i = 0; i < a.scores().length; i++) {
        assertEquals(b.scores()[i], a.scores()[i], 1e-4f, "score " + i);
      }
    }
    float radius = metric == MetricType.L2 ? 6f : 0.2f;
    RangeResult ra = view.rangeSearch(q, 3, radius, Float.NaN, Map.of(), filter);
    RangeResult rb = flat.rangeSearch(q, 3, radius, Float.NaN, Map.of(), filter);
    assertArrayEquals(rb.offsets(), ra.offsets());
    assertArrayEquals(rb.rows(), ra.rows());
  }

  @Test
  void normsFollowTheRowsAsTheyGrow() {
    Random r = new Random(3);
    float[] data = random(r, 50);
    RowNorms norms = new RowNorms();
    float[] q = random(r, 1);
    VectorIndexes.exactView(MetricType.COSINE, DIM, data, 10, norms).search(q, 1, 5, Map.of(), null);
    SearchResult grown = VectorIndexes.exactView(MetricType.COSINE, DIM, data, 50, norms).search(q, 1, 5, Map.of(), null);
    SearchResult flat = VectorIndexes.build(new IndexSpec("FLAT", MetricType.COSINE, DIM, Map.of()), data, 50, 1)
        .search(q, 1, 5, Map.of(), null);
    assertArrayEquals(flat.rows(), grown.rows());
  }

  @Test
  void aViewIsNotAnIndexFile() {
    VectorIndex v = VectorIndexes.exactView(MetricType.L2, DIM, new float[DIM], 1, new RowNorms());
    assertThrows(IndexParamException.class, () -> v.write(OutputStream.nullOutputStream()));
  }
}
