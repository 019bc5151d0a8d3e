package io.quiver.index.internal;

import io.quiver.index.SparseVectors;

/**
 * Inner product of sparse rows: a merge of two index-sorted pair lists. Products are added in ascending index order
 * from 0, the order every sparse search in index-core uses, so an index's score of a row equals the exact one bit for
 * bit (when no drop ratio removed a pair).
 */
public final class SparseDot {
  private SparseDot() {}

  /** Row {@code ra} of {@code a} against row {@code rb} of {@code b}. */
  public static float dot(SparseVectors a, int ra, SparseVectors b, int rb) {
    return dot(a.indices(), a.values(), a.start(ra), a.start(ra + 1), b.indices(), b.values(), b.start(rb),
        b.start(rb + 1));
  }

  /** Pairs {@code [af, at)} of one row against pairs {@code [bf, bt)} of another. */
  public static float dot(int[] ai, float[] av, int af, int at, int[] bi, float[] bv, int bf, int bt) {
    float s = 0f;
    int i = af;
    int j = bf;
    while (i < at && j < bt) {
      int c = Integer.compareUnsigned(ai[i], bi[j]);
      if (c == 0) {
        s += av[i++] * bv[j++];
      } else if (c < 0) {
        i++;
      } else {
        j++;
      }
    }
    return s;
  }

  /** Query pairs {@code [qf, qt)} against one row in Milvus' encoding (little-endian uint32 index, float32 value). */
  public static float dot(int[] qi, float[] qv, int qf, int qt, byte[] row) {
    float s = 0f;
    int i = qf;
    int end = row.length;
    int j = 0;
    while (i < qt && j < end) {
      int c = Integer.compareUnsigned(qi[i], (int) SparseVectors.LE_INT.get(row, j));
      if (c == 0) {
        s += qv[i++] * (float) SparseVectors.LE_FLOAT.get(row, j + 4);
        j += 8;
      } else if (c < 0) {
        i++;
      } else {
        j += 8;
      }
    }
    return s;
  }

  /** The length of a Milvus-encoded row: the sum of its values (BM25's row length over term counts). */
  public static float length(byte[] row) {
    float len = 0f;
    for (int j = 0; j < row.length; j += 8) {
      len += (float) SparseVectors.LE_FLOAT.get(row, j + 4);
    }
    return len;
  }

  /**
   * BM25 score of query pairs {@code [qf, qt)} (term weights) against one row of term counts in Milvus' encoding:
   * each common term adds its weight times {@link Bm25Norm#norm} of its count and the row's length.
   */
  public static float bm25(int[] qi, float[] qv, int qf, int qt, byte[] row, Bm25Norm norm) {
    float dl = length(row);
    float s = 0f;
    int i = qf;
    int end = row.length;
    int j = 0;
    while (i < qt && j < end) {
      int c = Integer.compareUnsigned(qi[i], (int) SparseVectors.LE_INT.get(row, j));
      if (c == 0) {
        s += qv[i++] * norm.norm((float) SparseVectors.LE_FLOAT.get(row, j + 4), dl);
        j += 8;
      } else if (c < 0) {
        i++;
      } else {
        j += 8;
      }
    }
    return s;
  }

  /** True when a Milvus-encoded row has term {@code term} with a value above 0 (binary search: rows are sorted). */
  public static boolean contains(byte[] row, int term) {
    int lo = 0;
    int hi = row.length / 8 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Integer.compareUnsigned((int) SparseVectors.LE_INT.get(row, mid * 8), term);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return (float) SparseVectors.LE_FLOAT.get(row, mid * 8 + 4) > 0f;
      }
    }
    return false;
  }
}
