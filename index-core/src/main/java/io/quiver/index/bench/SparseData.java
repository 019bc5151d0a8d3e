package io.quiver.index.bench;

import io.quiver.index.SparseVectors;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded SPLADE-like sparse rows for benchmarks and tests: each row holds about {@code avgNnz} distinct terms of a
 * {@code vocabulary}, drawn with a skew towards low term ids (a few frequent terms with long lists, a long tail of rare
 * ones, as learned sparse encoders produce), with positive weights from an exponential distribution.
 */
public final class SparseData {
  private SparseData() {}

  public static SparseVectors generate(int rows, int vocabulary, int avgNnz, long seed) {
    Random rnd = new Random(seed);
    int[] offsets = new int[rows + 1];
    int[] indices = new int[rows * (avgNnz + avgNnz / 2 + 1)];
    float[] values = new float[indices.length];
    int[] row = new int[avgNnz * 2 + 2];
    for (int r = 0; r < rows; r++) {
      int want = Math.min(vocabulary, avgNnz / 2 + rnd.nextInt(avgNnz + 1));
      int c = 0;
      while (c < want) {
        for (int i = c; i < want; i++) {
          row[i] = (int) (vocabulary * Math.pow(rnd.nextDouble(), 2.5));
        }
        Arrays.sort(row, 0, want);
        c = 0;
        for (int i = 0; i < want; i++) {
          if (i == 0 || row[i] != row[i - 1]) {
            row[c++] = row[i];
          }
        }
      }
      int at = offsets[r];
      for (int i = 0; i < want; i++) {
        indices[at + i] = row[i];
        values[at + i] = (float) (0.05 - Math.log(1 - rnd.nextDouble()));
      }
      offsets[r + 1] = at + want;
    }
    int nnz = offsets[rows];
    return SparseVectors.of(offsets, Arrays.copyOf(indices, nnz), Arrays.copyOf(values, nnz));
  }

  /** The rows in Milvus' encoding, one byte array per row (what a segment's column holds). */
  public static byte[][] milvusRows(SparseVectors v) {
    byte[][] rows = new byte[v.rows()][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = v.milvusRow(r);
    }
    return rows;
  }
}
