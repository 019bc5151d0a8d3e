package io.quiver.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SparseVectorsTest {

  static byte[] row(long[] indices, float[] values) {
    int[] idx = new int[indices.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = (int) indices[i];
    }
    return SparseVectors.encodeMilvusRow(idx, values, 0, idx.length);
  }

  @Test
  void decodesMilvusRowsAndEncodesThemBack() {
    byte[] a = row(new long[] {3, 70000, 0xFFFF_FFFEL}, new float[] {0.5f, 2f, 1f});
    byte[] empty = new byte[0];
    byte[] b = row(new long[] {1}, new float[] {0.25f});
    SparseVectors v = SparseVectors.fromMilvusRows(new byte[][] {a, empty, b}, 3);
    assertEquals(3, v.rows());
    assertEquals(4, v.nnz());
    assertEquals(0, v.start(0));
    assertEquals(3, v.start(1));
    assertEquals(3, v.start(2));
    assertEquals(0xFFFF_FFFFL, v.dim(), "largest index (unsigned) plus one");
    assertArrayEquals(a, v.milvusRow(0));
    assertArrayEquals(empty, v.milvusRow(1));
    assertArrayEquals(b, v.milvusRow(2));
    assertEquals(0xFFFF_FFFEL, Integer.toUnsignedLong(v.indices()[2]));
  }

  @Test
  void littleEndianPairs() {
    byte[] r = row(new long[] {0x01020304L}, new float[] {1f});
    assertArrayEquals(new byte[] {4, 3, 2, 1, 0, 0, (byte) 0x80, 0x3f}, r);
  }

  @Test
  void refusesWhatMilvusRefuses() {
    assertMessage("unsorted or same indices in sparse float vector", row(new long[] {2, 10, 2}, new float[] {1, 1, 1}));
    assertMessage("unsorted or same indices in sparse float vector", row(new long[] {5, 5}, new float[] {1, 1}));
    assertMessage("invalid index in sparse float vector: must be less than 2^32-1",
        row(new long[] {0xFFFF_FFFFL}, new float[] {0.4f}));
    assertMessage("float value in sparse float vector is NaN", row(new long[] {1}, new float[] {Float.NaN}));
    assertMessage("float value in sparse float vector is infinity",
        row(new long[] {1}, new float[] {Float.POSITIVE_INFINITY}));
    assertMessage("negative value in sparse float vector: -1.0", row(new long[] {1}, new float[] {-1}));
    assertMessage("invalid data length in sparse float vector: 7", new byte[7]);
    assertMessage("nil sparse float vector", null);
    // indices compare unsigned: 2^31 sorts after 1
    SparseVectors.validateMilvusRow(row(new long[] {1, 0x8000_0000L}, new float[] {1, 1}));
    assertMessage("unsorted or same indices in sparse float vector", row(new long[] {0x8000_0000L, 1}, new float[] {1, 1}));
  }

  private static void assertMessage(String message, byte[] row) {
    assertEquals(message, assertThrows(IndexParamException.class, () -> SparseVectors.validateMilvusRow(row)).getMessage());
    assertEquals(message, assertThrows(IndexParamException.class,
        () -> SparseVectors.fromMilvusRows(new byte[][] {new byte[0], row}, 2)).getMessage());
  }

  @Test
  void compressedRowsAreValidatedToo() {
    assertThrows(IndexParamException.class, () -> SparseVectors.of(new int[] {0, 2}, new int[] {4, 3}, new float[] {1, 1}));
    assertThrows(IndexParamException.class, () -> SparseVectors.of(new int[] {0, 3}, new int[] {1, 2}, new float[] {1, 1}));
    assertEquals(2, SparseVectors.of(new int[] {0, 1, 1, 2}, new int[] {4, 3}, new float[] {1, 0}).start(3));
  }
}
