package io.quiver.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Indexes over FLOAT16 / BFLOAT16 rows stored as 16 bits: the same answers as float32 storage of the same values,
 * about half the memory, HNSW recall within 0.005 of float32, file format version 2 (version 1 still written for
 * float32 and read). Seed: -Dtests.seed.
 */
class HalfIndexTest {
  static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  static final int DIM = 64;

  /** Gaussian rows rounded to {@code kind}: the values a FLOAT_VECTOR twin collection holds as float32. */
  static float[] roundedData(Random r, int n, HalfFloats.Kind kind) {
    float[] v = VectorIndexConformanceTest.randomData(r, n, DIM);
    HalfFloats.decode(HalfFloats.encode(v, v.length, kind), 0, v.length, kind, v, 0);
    return v;
  }

  static IndexSpec hnsw(MetricType m) {
    return IndexSpec.of("HNSW", m, DIM, "M", "16", "efConstruction", "100");
  }

  @Test
  void flatOverHalfRowsAnswersAsFloat32OverTheSameValues() {
    for (HalfFloats.Kind kind : HalfFloats.Kind.values()) {
      for (MetricType m : new MetricType[] {MetricType.L2, MetricType.IP, MetricType.COSINE}) {
        Random r = new Random(SEED);
        float[] data = roundedData(r, 500, kind);
        float[] q = VectorIndexConformanceTest.randomData(r, 8, DIM);
        IndexSpec spec = IndexSpec.of("FLAT", m, DIM);
        SearchResult f32 = VectorIndexes.build(spec, data, 500, 1).search(q, 8, 10, Map.of(), null);
        VectorIndex half = VectorIndexes.buildHalf(spec, HalfFloats.encode(data, data.length, kind), kind, 500, 1);
        SearchResult f16 = half.search(q, 8, 10, Map.of(), null);
        String ctx = "seed=" + SEED + " " + kind + " " + m;
        assertArrayEquals(f32.rows(), f16.rows(), ctx);
        assertArrayEquals(f32.scores(), f16.scores(), 1e-4f * DIM, ctx);
        RowNorms norms = new RowNorms();
        VectorIndex view = VectorIndexes.halfExactView(m, DIM, HalfFloats.encode(data, data.length, kind), kind, 500,
            norms);
        SearchResult v = view.search(q, 8, 10, Map.of(), null);
        assertArrayEquals(f32.rows(), v.rows(), ctx + " exact view");
        assertArrayEquals(f32.scores(), v.scores(), 1e-4f * DIM, ctx + " exact view");
      }
    }
  }

  @Test
  void sixteenBitStorageTakesAboutHalfTheMemoryAndFileSize() {
    int n = 2000;
    for (String type : new String[] {"FLAT", "HNSW", "IVF_FLAT"}) {
      IndexSpec spec = IndexSpec.of(type, MetricType.L2, DIM, "M", "16", "efConstruction", "64", "nlist", "16");
      float[] data = roundedData(new Random(SEED), n, HalfFloats.Kind.FLOAT16);
      VectorIndex f32 = VectorIndexes.build(spec, data, n, 2);
      VectorIndex f16 = VectorIndexes.buildHalf(spec, HalfFloats.encode(data, data.length, HalfFloats.Kind.FLOAT16),
          HalfFloats.Kind.FLOAT16, n, 2);
      long rawSaved = 2L * DIM * n; // two bytes a component
      String ctx = type + " f32=" + f32.ramBytesUsed() + " f16=" + f16.ramBytesUsed();
      assertTrue(f32.ramBytesUsed() - f16.ramBytesUsed() >= rawSaved - 256, ctx);
      assertTrue(VectorIndexes.toBytes(f32).length - VectorIndexes.toBytes(f16).length >= rawSaved - 256, ctx);
    }
  }

  /**
   * HNSW recall@10 over 16-bit rows matches the same graph parameters over the same values as float32. The margin is
   * 0.02, not the 0.005: 200 queries x 10 estimate a recall near 0.9 to about +-0.007, and two graphs built in
   * parallel differ, so two runs of float32 alone differ by more than 0.005 at times (CI: BFLOAT16 L2 0.9005 vs
   * 0.9065). A broken kernel or storage loses far more. The 0.005 target is measured by `quiver bench half` on
   * 100,000 rows (docs/benchmarks.md).
   */
  @Test
  void hnswRecallMatchesFloat32OnTheSameData() {
    int n = 4000, nq = 200, k = 10;
    for (HalfFloats.Kind kind : HalfFloats.Kind.values()) {
      for (MetricType m : new MetricType[] {MetricType.L2, MetricType.COSINE}) {
        Random r = new Random(SEED);
        float[] data = roundedData(r, n, kind);
        float[] q = VectorIndexConformanceTest.randomData(r, nq, DIM);
        SearchResult truth = VectorIndexes.build(IndexSpec.of("FLAT", m, DIM), data, n, 1).search(q, nq, k, Map.of(), null);
        Map<String, String> ef = Map.of("ef", "48");
        double f32 = recall(truth, VectorIndexes.build(hnsw(m), data, n, 2).search(q, nq, k, ef, null));
        VectorIndex half = VectorIndexes.buildHalf(hnsw(m), HalfFloats.encode(data, data.length, kind), kind, n, 2);
        double f16 = recall(truth, half.search(q, nq, k, ef, null));
        assertTrue(f16 >= f32 - 0.02, "seed=" + SEED + " " + kind + " " + m + " recall f32=" + f32 + " half=" + f16);
      }
    }
  }

  static double recall(SearchResult truth, SearchResult got) {
    long hits = 0;
    for (int q = 0; q < truth.nq(); q++) {
      for (int j = 0; j < truth.k(); j++) {
        for (int i = 0; i < got.k(); i++) {
          if (got.row(q, i) == truth.row(q, j)) {
            hits++;
            break;
          }
        }
      }
    }
    return (double) hits / ((long) truth.nq() * truth.k());
  }

  @Test
  void halfIndexesAreWrittenAsVersion2WithTheirElementType() {
    float[] data = roundedData(new Random(SEED), 50, HalfFloats.Kind.BFLOAT16);
    byte[] rows = HalfFloats.encode(data, data.length, HalfFloats.Kind.BFLOAT16);
    byte[] file = VectorIndexes.toBytes(VectorIndexes.buildHalf(IndexSpec.of("FLAT", MetricType.IP, DIM), rows,
        HalfFloats.Kind.BFLOAT16, 50, 1));
    ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0x58495651, bb.getInt());
    assertEquals(2, bb.getInt());
    bb.position(bb.position() + 4 + bb.getInt(bb.position())); // "FLAT"
    bb.position(bb.position() + 4 + bb.getInt(bb.position())); // "IP"
    assertEquals(DIM, bb.getInt());
    assertEquals(2, bb.getInt(), "element type BFLOAT16");
    VectorIndex loaded = VectorIndexes.load(file);
    assertEquals(50, loaded.size());
    assertArrayEquals(file, VectorIndexes.toBytes(loaded));
    // float32 indexes still write version 1
    byte[] f32 = VectorIndexes.toBytes(VectorIndexes.build(IndexSpec.of("FLAT", MetricType.IP, DIM), data, 50, 1));
    assertEquals(1, ByteBuffer.wrap(f32).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
    // IVF_SQ8 keeps only codes: nothing 16-bit to record
    byte[] sq8 = VectorIndexes.toBytes(VectorIndexes.buildHalf(IndexSpec.of("IVF_SQ8", MetricType.L2, DIM, "nlist", "4"),
        rows, HalfFloats.Kind.BFLOAT16, 50, 1));
    assertEquals(1, ByteBuffer.wrap(sq8).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
  }

  @Test
  void badHalfInputIsAParameterError() {
    IndexSpec spec = IndexSpec.of("FLAT", MetricType.L2, DIM);
    assertThrows(IndexParamException.class, () -> VectorIndexes.buildHalf(spec, new byte[2 * DIM - 1],
        HalfFloats.Kind.FLOAT16, 1, 1));
    assertThrows(IndexParamException.class, () -> VectorIndexes.buildHalf(IndexSpec.of("BIN_FLAT", MetricType.HAMMING,
        DIM), new byte[2 * DIM], HalfFloats.Kind.FLOAT16, 1, 1));
  }
}
