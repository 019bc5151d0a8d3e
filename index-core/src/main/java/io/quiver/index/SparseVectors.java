package io.quiver.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Sparse float vectors in compressed-row form: row {@code r} holds the pairs {@code (indices[i], values[i])} for
 * {@code i} in {@code [offsets[r], offsets[r+1])}, indices strictly ascending as unsigned 32-bit integers.
 *
 * <p>Milvus encodes one sparse row as little-endian {@code (uint32 index, float32 value)} pairs
 * ({@code SparseFloatArray.contents}); {@link #fromMilvusRows} decodes and validates such rows with Milvus' rules:
 * an index below {@code 2^32-1}, indices sorted and unique, values finite and not negative. An empty row is allowed.
 */
public final class SparseVectors {
  /** Reads the little-endian uint32 index / float32 value of Milvus' row encoding. */
  public static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  public static final VarHandle LE_FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

  private final int[] offsets;
  private final int[] indices;
  private final float[] values;

  private SparseVectors(int[] offsets, int[] indices, float[] values) {
    this.offsets = offsets;
    this.indices = indices;
    this.values = values;
  }

  /** Rows from compressed-row arrays (not copied), validated. */
  public static SparseVectors of(int[] offsets, int[] indices, float[] values) {
    if (offsets.length == 0 || offsets[0] != 0 || offsets[offsets.length - 1] != indices.length
        || indices.length != values.length) {
      throw new IndexParamException("invalid sparse rows: offsets must run from 0 to the number of pairs");
    }
    for (int r = 0; r + 1 < offsets.length; r++) {
      if (offsets[r + 1] < offsets[r]) {
        throw new IndexParamException("invalid sparse rows: offsets must not decrease");
      }
      for (int i = offsets[r]; i < offsets[r + 1]; i++) {
        checkPair(indices, values, i, i > offsets[r]);
      }
    }
    return new SparseVectors(offsets, indices, values);
  }

  /** Decodes and validates the first {@code n} Milvus-encoded rows. */
  public static SparseVectors fromMilvusRows(byte[][] rows, int n) {
    int[] offsets = new int[n + 1];
    for (int r = 0; r < n; r++) {
      checkLength(rows[r]);
      offsets[r + 1] = offsets[r] + rows[r].length / 8;
    }
    int[] indices = new int[offsets[n]];
    float[] values = new float[offsets[n]];
    for (int r = 0; r < n; r++) {
      byte[] row = rows[r];
      for (int i = 0, at = offsets[r]; i < row.length; i += 8, at++) {
        indices[at] = (int) LE_INT.get(row, i);
        values[at] = (float) LE_FLOAT.get(row, i + 4);
        checkPair(indices, values, at, at > offsets[r]);
      }
    }
    return new SparseVectors(offsets, indices, values);
  }

  /**
   * Validates one Milvus-encoded row with Milvus' messages ({@code "unsorted or same indices in sparse float vector"},
   * ...): what the proxy checks on insert and a querynode on every query.
   */
  public static void validateMilvusRow(byte[] row) {
    checkLength(row);
    int prev = 0;
    for (int i = 0; i < row.length; i += 8) {
      int index = (int) LE_INT.get(row, i);
      checkPair(index, (float) LE_FLOAT.get(row, i + 4), prev, i > 0);
      prev = index;
    }
  }

  /** One row in Milvus' encoding. */
  public static byte[] encodeMilvusRow(int[] indices, float[] values, int from, int to) {
    byte[] b = new byte[(to - from) * 8];
    for (int i = from; i < to; i++) {
      LE_INT.set(b, (i - from) * 8, indices[i]);
      LE_FLOAT.set(b, (i - from) * 8 + 4, values[i]);
    }
    return b;
  }

  /** Row {@code r} in Milvus' encoding. */
  public byte[] milvusRow(int r) {
    return encodeMilvusRow(indices, values, offsets[r], offsets[r + 1]);
  }

  private static void checkLength(byte[] row) {
    if (row == null) {
      throw new IndexParamException("nil sparse float vector");
    }
    if (row.length % 8 != 0) {
      throw new IndexParamException("invalid data length in sparse float vector: " + row.length);
    }
  }

  private static void checkPair(int[] indices, float[] values, int at, boolean hasPrev) {
    checkPair(indices[at], values[at], hasPrev ? indices[at - 1] : 0, hasPrev);
  }

  private static void checkPair(int index, float value, int prev, boolean hasPrev) {
    if (index == -1) {
      throw new IndexParamException("invalid index in sparse float vector: must be less than 2^32-1");
    }
    if (hasPrev && Integer.compareUnsigned(index, prev) <= 0) {
      throw new IndexParamException("unsorted or same indices in sparse float vector");
    }
    if (Float.isNaN(value)) {
      throw new IndexParamException("float value in sparse float vector is NaN");
    }
    if (Float.isInfinite(value)) {
      throw new IndexParamException("float value in sparse float vector is infinity");
    }
    if (value < 0) {
      throw new IndexParamException("negative value in sparse float vector: " + value);
    }
  }

  public int rows() {
    return offsets.length - 1;
  }

  /** Start of row {@code r} in {@link #indices()} / {@link #values()}; row r ends at {@code start(r + 1)}. */
  public int start(int r) {
    return offsets[r];
  }

  public int nnz() {
    return indices.length;
  }

  /** The index arrays themselves (not copied): read only. */
  public int[] indices() {
    return indices;
  }

  /** The value arrays themselves (not copied): read only. */
  public float[] values() {
    return values;
  }

  /** Milvus' dim of these rows: the largest index plus one (0 when every row is empty). */
  public long dim() {
    long max = -1;
    for (int i : indices) {
      max = Math.max(max, Integer.toUnsignedLong(i));
    }
    return max + 1;
  }

  public long ramBytesUsed() {
    return 48L + 4L * offsets.length + 8L * indices.length;
  }

  /** Position of {@code key} in {@code sorted} (ascending as unsigned 32-bit values), or -1. */
  public static int indexOfUnsigned(int[] sorted, int key) {
    int lo = 0;
    int hi = sorted.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Integer.compareUnsigned(sorted[mid], key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }
}
