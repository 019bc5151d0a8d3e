package io.quiver.index.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Scalar vs Panama kernels over sizes 1..4098 (every size, which includes all primes in range), checked
 * against a double-precision reference with a size-scaled tolerance. Seed: -Dtests.seed.
 */
class VectorUtilSupportTest {
  static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  final VectorUtilSupport scalar = VectorizationProvider.scalar();
  final VectorUtilSupport panama = VectorizationProvider.panamaOrNull();

  static List<Integer> sizes() {
    List<Integer> s = new ArrayList<>();
    for (int i = 1; i <= 4098; i++) {
      s.add(i);
    }
    return s;
  }

  /**
   * Size-scaled tolerance: float summation error grows like eps * sqrt(len) * sum|terms| for the multi-
   * accumulator kernels; 8 * eps * sqrt(len) leaves headroom while a dropped element still fails.
   */
  static float tol(int len, double sumAbs) {
    return (float) (1e-5 + 8 * 6e-8 * Math.sqrt(len) * Math.max(1.0, sumAbs));
  }

  static float[] randomFloats(Random r, int len) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) {
      a[i] = r.nextFloat() * 2 - 1;
    }
    return a;
  }

  static MemorySegment seg(float[] a, int padFloats) {
    MemorySegment s = MemorySegment.ofArray(new byte[4 * (a.length + padFloats)]);
    for (int i = 0; i < a.length; i++) {
      s.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * (i + padFloats), a[i]);
    }
    return s;
  }

  @Test
  void panamaIsAvailableInTests() {
    assertNotNull(panama, "surefire runs with --add-modules jdk.incubator.vector");
  }

  @Test
  void floatKernels() {
    Random r = new Random(SEED);
    for (int len : sizes()) {
      float[] a = randomFloats(r, len + 3);
      float[] b = randomFloats(r, len + 5);
      double sq = 0, dot = 0, na = 0, nb = 0, dotAbs = 0;
      for (int i = 0; i < len; i++) {
        double d = a[i + 3] - b[i + 5];
        sq += d * d;
        dot += (double) a[i + 3] * b[i + 5];
        dotAbs += Math.abs((double) a[i + 3] * b[i + 5]);
        na += (double) a[i] * a[i];
        nb += (double) b[i] * b[i];
      }
      String ctx = "seed=" + SEED + " len=" + len;
      float t = tol(len, sq);
      float td = tol(len, dotAbs);
      for (VectorUtilSupport impl : new VectorUtilSupport[] {scalar, panama}) {
        assertEquals(sq, impl.squareDistance(a, 3, b, 5, len), t, ctx + " squareDistance " + impl);
        assertEquals(dot, impl.dotProduct(a, 3, b, 5, len), td, ctx + " dotProduct " + impl);
        float[] a0 = java.util.Arrays.copyOf(a, len), b0 = java.util.Arrays.copyOf(b, len);
        double dot0 = 0;
        for (int i = 0; i < len; i++) {
          dot0 += (double) a0[i] * b0[i];
        }
        assertEquals(dot0 / Math.sqrt(na * nb), impl.cosine(a0, b0, len), 1e-4, ctx + " cosine " + impl);
        float[] q = java.util.Arrays.copyOfRange(a, 3, 3 + len);
        MemorySegment s = seg(java.util.Arrays.copyOfRange(b, 5, 5 + len), 2);
        assertEquals(sq, impl.squareDistance(q, s, 8, len), t, ctx + " squareDistance(seg) " + impl);
        assertEquals(dot, impl.dotProduct(q, s, 8, len), td, ctx + " dotProduct(seg) " + impl);
      }
    }
  }

  @Test
  void zeroVectorCosineIsZero() {
    float[] z = new float[37];
    float[] a = randomFloats(new Random(SEED), 37);
    assertEquals(0f, scalar.cosine(z, a, 37));
    assertEquals(0f, panama.cosine(z, a, 37));
    assertEquals(0f, panama.cosine(z, z, 37));
  }

  @Test
  void batchKernels() {
    Random r = new Random(SEED);
    int[] dims = {1, 3, 16, 17, 31, 32, 33, 64, 100, 128, 257, 784, 1031};
    for (int dim : dims) {
      int n = 11;
      float[] data = randomFloats(r, n * dim);
      float[] q = randomFloats(r, dim);
      int[] rows = {3, 0, 10, 7, 7, 1, 9};
      float[] out = new float[rows.length];
      float[] ref = new float[rows.length];
      MemorySegment s = seg(data, 0);
      String ctx = "seed=" + SEED + " dim=" + dim;
      float t = tol(dim, dim);
      for (VectorUtilSupport impl : new VectorUtilSupport[] {scalar, panama}) {
        impl.squareDistanceBatch(q, data, rows, rows.length, dim, out);
        for (int i = 0; i < rows.length; i++) {
          assertEquals(scalar.squareDistance(q, 0, data, rows[i] * dim, dim), out[i], t, ctx);
        }
        impl.dotProductBatch(q, data, rows, rows.length, dim, out);
        for (int i = 0; i < rows.length; i++) {
          assertEquals(scalar.dotProduct(q, 0, data, rows[i] * dim, dim), out[i], t, ctx);
        }
        impl.squareDistanceBatch(q, s, rows, rows.length, dim, out);
        for (int i = 0; i < rows.length; i++) {
          assertEquals(scalar.squareDistance(q, 0, data, rows[i] * dim, dim), out[i], t, ctx);
        }
        impl.dotProductBatch(q, s, rows, rows.length, dim, out);
        for (int i = 0; i < rows.length; i++) {
          assertEquals(scalar.dotProduct(q, 0, data, rows[i] * dim, dim), out[i], t, ctx);
        }
        float[] ref9 = new float[9];
        impl.squareDistanceRange(q, data, 2, 9, dim, ref9);
        for (int i = 0; i < 9; i++) {
          assertEquals(scalar.squareDistance(q, 0, data, (2 + i) * dim, dim), ref9[i], t, ctx);
        }
        impl.dotProductRange(q, data, 2, 9, dim, ref9);
        for (int i = 0; i < 9; i++) {
          assertEquals(scalar.dotProduct(q, 0, data, (2 + i) * dim, dim), ref9[i], t, ctx);
        }
      }
    }
  }

  @Test
  void int8Kernels() {
    Random r = new Random(SEED);
    for (int len : sizes()) {
      byte[] a = new byte[len + 1];
      byte[] b = new byte[len + 2];
      r.nextBytes(a);
      r.nextBytes(b);
      float[] q = randomFloats(r, len);
      long dot = 0, sq = 0;
      double fdot = 0, fabs = 0;
      for (int i = 0; i < len; i++) {
        dot += a[i + 1] * b[i + 2];
        int d = a[i + 1] - b[i + 2];
        sq += d * d;
        fdot += q[i] * (double) b[i + 2];
        fabs += Math.abs(q[i] * (double) b[i + 2]);
      }
      String ctx = "seed=" + SEED + " len=" + len;
      for (VectorUtilSupport impl : new VectorUtilSupport[] {scalar, panama}) {
        assertEquals(dot, impl.int8DotProduct(a, 1, b, 2, len), ctx);
        assertEquals(sq, impl.int8SquareDistance(a, 1, b, 2, len), ctx);
        assertEquals(fdot, impl.dotProductF32I8(q, b, 2, len), tol(len, fabs), ctx);
        MemorySegment s = MemorySegment.ofArray(b);
        assertEquals(fdot, impl.dotProductF32I8(q, s, 2, len), tol(len, fabs), ctx);
      }
    }
  }

  @Test
  void binaryKernels() {
    Random r = new Random(SEED);
    for (int words = 1; words <= 200; words++) {
      long[] a = new long[words + 1];
      long[] b = new long[words];
      for (int i = 0; i < a.length; i++) {
        a[i] = r.nextLong();
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = r.nextLong();
      }
      int ham = 0, and = 0, or = 0;
      for (int i = 0; i < words; i++) {
        ham += Long.bitCount(a[i + 1] ^ b[i]);
        and += Long.bitCount(a[i + 1] & b[i]);
        or += Long.bitCount(a[i + 1] | b[i]);
      }
      for (VectorUtilSupport impl : new VectorUtilSupport[] {scalar, panama}) {
        assertEquals(ham, impl.hamming(a, 1, b, 0, words), "seed=" + SEED + " words=" + words);
        long ao = impl.andOrCount(a, 1, b, 0, words);
        assertEquals(and, (int) (ao >>> 32));
        assertEquals(or, (int) ao);
      }
    }
    byte[] x = {(byte) 0xFF, 0, 1};
    byte[] y = {0, 0, 3};
    assertEquals(9, VectorUtil.hamming(x, y));
    assertEquals(1f - 1f / 10f, VectorUtil.jaccard(x, y), 1e-6);
    assertEquals(0f, VectorUtil.jaccard(new byte[4], new byte[4]));
  }

  @Test
  void dotProductTile4x4() {
    Random r = new Random(SEED);
    for (int len = 1; len <= 300; len++) {
      int aStride = len + 3, bStride = len + 1;
      float[] a = randomFloats(r, 2 + 4 * aStride);
      float[] b = randomFloats(r, 5 + 4 * bStride);
      for (VectorUtilSupport impl : new VectorUtilSupport[] {scalar, panama}) {
        float[] out = new float[17];
        impl.dotProductTile4x4(a, 2, aStride, b, 5, bStride, len, out, 1);
        for (int i = 0; i < 4; i++) {
          for (int j = 0; j < 4; j++) {
            double ref = 0, abs = 0;
            for (int d = 0; d < len; d++) {
              double t = (double) a[2 + i * aStride + d] * b[5 + j * bStride + d];
              ref += t;
              abs += Math.abs(t);
            }
            assertEquals(ref, out[1 + 4 * i + j], tol(len, abs), "seed=" + SEED + " len=" + len + " " + impl);
          }
        }
      }
    }
  }

  @Test
  void pqLut() {
    Random r = new Random(SEED);
    for (int ksub : new int[] {2, 16, 17, 256}) {
      for (int dsub = 1; dsub <= 12; dsub++) {
        float[] v = randomFloats(r, dsub + 2);
        float[] cbT = randomFloats(r, dsub * ksub + 5);
        for (boolean l2 : new boolean[] {true, false}) {
          float[] a = new float[ksub + 3], b = new float[ksub + 3];
          scalar.pqLut(v, 2, cbT, 5, dsub, ksub, a, 3, l2);
          panama.pqLut(v, 2, cbT, 5, dsub, ksub, b, 3, l2);
          for (int c = 0; c < ksub; c++) {
            double ref = 0;
            for (int d = 0; d < dsub; d++) {
              double x = v[2 + d], y = cbT[5 + d * ksub + c];
              ref += l2 ? (x - y) * (x - y) : -x * y;
            }
            assertEquals(ref, a[3 + c], tol(dsub, dsub * 4), "seed=" + SEED);
            assertEquals(ref, b[3 + c], tol(dsub, dsub * 4), "seed=" + SEED);
          }
        }
      }
    }
  }

  @Test
  void pqAdc() {
    Random r = new Random(SEED);
    for (int m = 1; m <= 97; m++) {
      int ksub = 256;
      float[] lut = randomFloats(r, m * ksub);
      byte[] codes = new byte[m + 3];
      r.nextBytes(codes);
      double ref = 0;
      for (int j = 0; j < m; j++) {
        ref += lut[j * ksub + (codes[3 + j] & 0xFF)];
      }
      assertEquals(ref, scalar.pqAdc(lut, ksub, codes, 3, m), tol(m, m));
      assertEquals(ref, panama.pqAdc(lut, ksub, codes, 3, m), tol(m, m));
    }
  }
}
