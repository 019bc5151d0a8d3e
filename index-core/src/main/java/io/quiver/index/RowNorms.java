package io.quiver.index;

import io.quiver.index.simd.VectorUtil;
import java.util.Arrays;

/**
 * Inverse L2 norms of the rows of an append-only row-major array (a growing segment's vectors), computed once per
 * row as rows arrive, so that an exact COSINE scan over raw rows never recomputes them per request. A zero row has
 * inverse norm 0 (its COSINE score is 0). Thread-safe: readers get an array covering at least the rows they asked
 * for; rows already covered never change.
 */
public final class RowNorms {
  private volatile float[] inverse = new float[0];
  private int computed; // guarded by this

  /** Inverse norms covering at least rows {@code 0..rows-1} of {@code data} (dim floats per row). */
  public float[] upTo(float[] data, int dim, int rows) {
    float[] cur = inverse;
    if (cur.length >= rows && computedAtLeast(rows)) {
      return cur;
    }
    synchronized (this) {
      cur = inverse;
      if (computed >= rows) {
        return cur;
      }
      float[] next = cur.length >= rows ? cur : Arrays.copyOf(cur, Math.max(rows, cur.length + (cur.length >> 1)));
      for (int i = computed; i < rows; i++) {
        float n = (float) Math.sqrt(VectorUtil.dotProduct(data, i * dim, data, i * dim, dim));
        next[i] = n == 0 ? 0f : 1f / n;
      }
      computed = rows;
      inverse = next; // volatile write after the values: a reader that sees the array sees them
      return next;
    }
  }

  private synchronized boolean computedAtLeast(int rows) {
    return computed >= rows;
  }

  public long ramBytesUsed() {
    return 16L + 4L * inverse.length;
  }
}
