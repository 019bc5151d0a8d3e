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
}
