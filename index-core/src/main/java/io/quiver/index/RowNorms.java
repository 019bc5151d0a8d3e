package io.quiver.index;

import io.quiver.index.internal.HalfVectors;
import io.quiver.index.simd.VectorUtil;
import java.util.Arrays;

/**
 * Inverse L2 norms of the rows of an append-only row-major array (a growing segment's vectors), computed once per
 * row as rows arrive, so that an exact COSINE scan over raw rows never recomputes them per request. A zero row has
 * inverse norm 0 (its COSINE score is 0). Thread-safe: readers get an array covering at least the rows they asked
 * for, without a lock once those rows are covered; rows already covered never change.
 */
public final class RowNorms {
  private volatile float[] inverse = new float[0];
  /** Rows covered by {@link #inverse}; written after it (volatile), so a reader that sees a count sees its values. */
  private volatile int computed;

  /** Inverse norms covering at least rows {@code 0..rows-1} of {@code data} (dim floats per row). */
  public float[] upTo(float[] data, int dim, int rows) {
    return computed >= rows ? inverse : extend(rows, (from, to, out) -> {
      for (int i = from; i < to; i++) {
        float n = (float) Math.sqrt(VectorUtil.dotProduct(data, i * dim, data, i * dim, dim));
        out[i] = n == 0 ? 0f : 1f / n;
      }
    });
  }

  /** As {@link #upTo(float[], int, int)} over FLOAT16 / BFLOAT16 rows (dim components of two bytes, little-endian). */
  public float[] upTo(byte[] data, HalfFloats.Kind kind, int dim, int rows) {
    return computed >= rows ? inverse
        : extend(rows, (from, to, out) -> HalfVectors.inverseNorms(data, kind, dim, from, to, out));
  }

  /** Fills rows {@code from..to-1} of {@code out}. */
  private interface Fill {
    void rows(int from, int to, float[] out);
  }

  private synchronized float[] extend(int rows, Fill fill) {
    int from = computed;
    if (from >= rows) {
      return inverse;
    }
    float[] cur = inverse;
    float[] next = cur.length >= rows ? cur : Arrays.copyOf(cur, Math.max(rows, cur.length + (cur.length >> 1)));
    fill.rows(from, rows, next);
    inverse = next;
    computed = rows;
    return next;
  }

  public long ramBytesUsed() {
    return 16L + 4L * inverse.length;
  }
}
