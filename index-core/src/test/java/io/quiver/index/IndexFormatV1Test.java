package io.quiver.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Pins file format version 1: deterministic indexes over fixed data must serialise to exactly the same
 * bytes (checked by CRC32 of the whole file) and keep loading. A change here means a new format version,
 * never an edit of version 1 (CONVENTIONS "Formats").
 */
class IndexFormatV1Test {

  static float[] fixedData(int n, int dim) {
    float[] v = new float[n * dim];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.sin(i * 0.37) * 3;
    }
    return v;
  }

  /** Row r: five terms {@code r % 97 + 100 * j}, values from integer arithmetic only (no platform-dependent math). */
  static SparseVectors fixedSparse(int n) {
    int[] offsets = new int[n + 1];
    int[] indices = new int[n * 5];
    float[] values = new float[n * 5];
    for (int r = 0; r < n; r++) {
      offsets[r + 1] = offsets[r] + 5;
      for (int j = 0; j < 5; j++) {
        indices[r * 5 + j] = r % 97 + 100 * j;
        values[r * 5 + j] = (r * 5 + j) % 13 * 0.25f + 0.125f;
      }
    }
    return SparseVectors.of(offsets, indices, values);
  }

  static long crc(byte[] b) {
    CRC32 c = new CRC32();
    c.update(b);
    return c.getValue();
  }

  /**
   * Only indexes whose bytes do not depend on float arithmetic are pinned (HNSW graphs and k-means
   * centroids may differ by an ulp between kernel implementations or vector widths); the others must load.
   */
  static final Map<String, Long> PINNED = Map.of(
      "FLAT", 2410342204L,
      "BIN_FLAT", 2025149102L,
      "SPARSE_INVERTED_INDEX", 3818419707L);

  @Test
  void headerLayout() {
    byte[] b = VectorIndexes.toBytes(VectorIndexes.build(IndexSpec.of("FLAT", MetricType.L2, 4), fixedData(3, 4), 3, 1));
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0x58495651, bb.getInt(0), "magic QVIX");
    assertEquals(1, bb.getInt(4), "version");
    assertEquals(4, bb.getInt(8), "length of type name");
    assertEquals("FLAT", new String(b, 12, 4, java.nio.charset.StandardCharsets.UTF_8));
    b[4] = 3; // unknown version (2 is the 16-bit format) (checksum fixed up so the version check is what fails)
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    c.update(b, 0, b.length - 4);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length - 4, (int) c.getValue());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> VectorIndexes.load(b));
    assertEquals(true, e.getMessage().contains("version 3"), e.getMessage());
  }

  @Test
  void pinnedBytes() {
    float[] d = fixedData(300, 16);
    byte[] bin = new byte[300 * 4];
    for (int i = 0; i < bin.length; i++) {
      bin[i] = (byte) (i * 31 + (i >> 3));
    }
    Map<String, byte[]> files = Map.of(
        "FLAT", VectorIndexes.toBytes(VectorIndexes.build(IndexSpec.of("FLAT", MetricType.IP, 16), d, 300, 1)),
        "HNSW", VectorIndexes.toBytes(VectorIndexes.build(
            IndexSpec.of("HNSW", MetricType.L2, 16, "M", "8", "efConstruction", "40"), d, 300, 1)),
        "IVF_SQ8", VectorIndexes.toBytes(VectorIndexes.build(
            IndexSpec.of("IVF_SQ8", MetricType.COSINE, 16, "nlist", "4"), d, 300, 1)),
        "BIN_FLAT", VectorIndexes.toBytes(VectorIndexes.buildBinary(
            IndexSpec.of("BIN_FLAT", MetricType.HAMMING, 32), bin, 300, 1)),
        "SPARSE_INVERTED_INDEX", VectorIndexes.toBytes(VectorIndexes.buildSparse(
            IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.IP, 0), fixedSparse(300))));
    StringBuilder actual = new StringBuilder();
    for (var e : files.entrySet()) {
      actual.append(e.getKey()).append('=').append(crc(e.getValue())).append("L ");
      VectorIndex loaded = VectorIndexes.load(e.getValue());
      assertEquals(300, loaded.size());
    }
    for (var e : PINNED.entrySet()) {
      assertEquals((long) e.getValue(), crc(files.get(e.getKey())), "format v1 bytes changed for " + e.getKey()
          + " (actual: " + actual + ")");
    }
  }
}
