package io.quiver.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Conformance for BIN_FLAT and BIN_IVF_FLAT (HAMMING, JACCARD). Seed: -Dtests.seed. */
class BinaryIndexTest {
  static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  static final int DIM = 136; // bits: 17 bytes, not a multiple of 64
  static final int BPR = DIM / 8;
  static final int K = 10;

  static double dist(MetricType m, byte[] d, int row, byte[] q, int qi) {
    int and = 0, or = 0, xor = 0;
    for (int b = 0; b < BPR; b++) {
      int x = d[row * BPR + b] & 0xFF, y = q[qi * BPR + b] & 0xFF;
      and += Integer.bitCount(x & y);
      or += Integer.bitCount(x | y);
      xor += Integer.bitCount(x ^ y);
    }
    return m == MetricType.HAMMING ? xor : or == 0 ? 0 : 1.0 - (double) and / or;
  }

  static byte[] data(Random r, int n) {
    byte[] b = new byte[n * BPR];
    byte[] centers = new byte[8 * BPR];
    r.nextBytes(centers);
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(8);
      for (int j = 0; j < BPR; j++) {
        b[i * BPR + j] = (byte) (centers[c * BPR + j] ^ (r.nextInt(4) == 0 ? r.nextInt(256) : 0));
      }
    }
    return b;
  }

  @ParameterizedTest
  @CsvSource({"BIN_FLAT,HAMMING", "BIN_FLAT,JACCARD", "BIN_IVF_FLAT,HAMMING", "BIN_IVF_FLAT,JACCARD"})
  void conformance(String type, MetricType metric, @TempDir Path dir) throws Exception {
    String ctx = "[seed=" + SEED + " " + type + "/" + metric + "]";
    Random r = new Random(SEED);
    int n = 1500;
    byte[] d = data(r, n);
    byte[] q = data(r, 20);
    IndexSpec spec = IndexSpec.of(type, metric, DIM, "nlist", "8");
    VectorIndex idx = VectorIndexes.buildBinary(spec, d, n, 2);
    Map<String, String> all = Map.of("nprobe", "8");
    SearchResult res = idx.searchBinary(q, 20, K, all, null);
    for (int qi = 0; qi < 20; qi++) {
      double[] s = new double[n];
      for (int i = 0; i < n; i++) {
        s[i] = dist(metric, d, i, q, qi);
      }
      Arrays.sort(s);
      for (int j = 0; j < K; j++) {
        assertEquals(s[j], res.score(qi, j), 1e-5, ctx + " exact rank " + j);
        assertEquals(dist(metric, d, res.row(qi, j), q, qi), res.score(qi, j), 1e-5, ctx);
      }
    }
    // approximate with fewer probes still returns k ordered rows
    SearchResult approx = idx.searchBinary(q, 20, K, Map.of("nprobe", "2"), null);
    for (int i = 0; i < approx.rows().length; i++) {
      assertTrue(approx.rows()[i] >= 0, ctx);
    }
    // selective filter -> exact over allowed rows
    FixedBits few = new FixedBits(n);
    for (int i = 0; i < 12; i++) {
      few.set(i * 97);
    }
    res = idx.searchBinary(q, 1, K, Map.of("nprobe", "1"), few);
    for (int j = 0; j < K; j++) {
      assertTrue(few.get(res.row(0, j)), ctx);
    }
    // range
    float radius = metric == MetricType.HAMMING ? 40 : 0.5f;
    RangeResult rr = idx.rangeSearchBinary(q, 20, radius, Float.NaN, all, null);
    long expected = 0;
    for (int qi = 0; qi < 20; qi++) {
      for (int i = 0; i < n; i++) {
        if (dist(metric, d, i, q, qi) < radius) {
          expected++;
        }
      }
    }
    assertEquals(expected, rr.rows().length, ctx + " range count");
    // k > size and empty
    VectorIndex small = VectorIndexes.buildBinary(spec, d, 3, 1);
    res = small.searchBinary(q, 1, K, all, null);
    assertEquals(-1, res.row(0, 3), ctx);
    VectorIndex empty = VectorIndexes.buildBinary(spec, new byte[0], 0, 1);
    assertEquals(-1, empty.searchBinary(q, 1, K, all, null).row(0, 0), ctx);
    // round trip
    Path f = dir.resolve("bin.qvix");
    byte[] bytes = VectorIndexes.toBytes(idx);
    Files.write(f, bytes);
    SearchResult want = idx.searchBinary(q, 20, K, all, null);
    assertArrayEquals(want.rows(), VectorIndexes.load(f).searchBinary(q, 20, K, all, null).rows(), ctx);
    assertArrayEquals(want.rows(), VectorIndexes.load(bytes).searchBinary(q, 20, K, all, null).rows(), ctx);
    assertThrows(IndexParamException.class, () -> idx.search(new float[DIM], 1, 1, all, null));
    assertTrue(idx.ramBytesUsed() >= n * BPR);
  }
}
