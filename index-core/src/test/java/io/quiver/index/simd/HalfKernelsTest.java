package io.quiver.index.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.HalfFloats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float32 x FLOAT16 / BFLOAT16 kernels, scalar vs Panama, over sizes 1..4098 and unaligned rows, against a
 * double-precision reference over the exactly widened values, and the in-register widening of every 16-bit pattern.
 * Seed: -Dtests.seed.
 */
class HalfKernelsTest {
  static final long SEED = VectorUtilSupportTest.SEED;
  static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  final VectorUtilSupport scalar = VectorizationProvider.scalar();
  final VectorUtilSupport panama = VectorizationProvider.panamaOrNull();

  static short round(float f, HalfFloats.Kind kind) {
    return kind == HalfFloats.Kind.FLOAT16 ? Float.floatToFloat16(f) : (short) (Float.floatToRawIntBits(f) >>> 16);
  }

  /** {@code values} rounded to 16 bits, after {@code padBytes} bytes of padding (so rows may be unaligned). */
  static MemorySegment halfSegment(float[] values, int padBytes, HalfFloats.Kind kind) {
    MemorySegment s = MemorySegment.ofArray(new byte[padBytes + 2 * values.length]);
    for (int i = 0; i < values.length; i++) {
      s.set(I16, padBytes + 2L * i, round(values[i], kind));
    }
    return s;
  }

  static float widened(MemorySegment s, long off, HalfFloats.Kind kind) {
    return HalfFloats.toFloat(s.get(I16, off), kind);
  }

  @Test
  void kernelsMatchTheReferenceAtEverySize() {
    Random r = new Random(SEED);
    for (HalfFloats.Kind kind : HalfFloats.Kind.values()) {
      for (int len = 1; len <= 4098; len++) {
        float[] q = VectorUtilSupportTest.randomFloats(r, len);
        int pad = len % 3; // 0, 1 or 2 bytes: rows at odd and even addresses
        MemorySegment s = halfSegment(VectorUtilSupportTest.randomFloats(r, len), pad, kind);
        double sq = 0, dot = 0, dotAbs = 0;
        for (int i = 0; i < len; i++) {
          double x = widened(s, pad + 2L * i, kind);
          sq += (q[i] - x) * (q[i] - x);
          dot += q[i] * x;
          dotAbs += Math.abs(q[i] * x);
        }
        String ctx = "seed=" + SEED + " kind=" + kind + " len=" + len;
        for (VectorUtilSupport impl : new VectorUtilSupport[] {scalar, panama}) {
          assertEquals(sq, impl.squareDistance(q, s, pad, len, kind), VectorUtilSupportTest.tol(len, sq),
              ctx + " squareDistance " + impl);
          assertEquals(dot, impl.dotProduct(q, s, pad, len, kind), VectorUtilSupportTest.tol(len, dotAbs),
              ctx + " dotProduct " + impl);
          byte[] heap = s.toArray(ValueLayout.JAVA_BYTE);
          assertEquals(sq, impl.squareDistance(q, heap, pad, len, kind), VectorUtilSupportTest.tol(len, sq),
              ctx + " squareDistance(byte[]) " + impl);
          assertEquals(dot, impl.dotProduct(q, heap, pad, len, kind), VectorUtilSupportTest.tol(len, dotAbs),
              ctx + " dotProduct(byte[]) " + impl);
        }
      }
    }
  }

  @Test
  void batchesScoreEachRowAsTheSingleKernel() {
    Random r = new Random(SEED);
    int[] dims = {1, 3, 16, 17, 31, 32, 33, 64, 100, 128, 257, 784, 1031};
    int[] rows = {3, 0, 10, 7, 7, 1, 9};
    float[] out = new float[rows.length];
    for (HalfFloats.Kind kind : HalfFloats.Kind.values()) {
      for (int dim : dims) {
        MemorySegment s = halfSegment(VectorUtilSupportTest.randomFloats(r, 11 * dim), 0, kind);
        float[] q = VectorUtilSupportTest.randomFloats(r, dim);
        String ctx = "seed=" + SEED + " kind=" + kind + " dim=" + dim;
        float t = VectorUtilSupportTest.tol(dim, dim);
        for (VectorUtilSupport impl : new VectorUtilSupport[] {scalar, panama}) {
          impl.squareDistanceBatch(q, s, rows, rows.length, dim, kind, out);
          for (int i = 0; i < rows.length; i++) {
            assertEquals(scalar.squareDistance(q, s, 2L * rows[i] * dim, dim, kind), out[i], t, ctx);
          }
          impl.dotProductBatch(q, s, rows, rows.length, dim, kind, out);
          for (int i = 0; i < rows.length; i++) {
            assertEquals(scalar.dotProduct(q, s, 2L * rows[i] * dim, dim, kind), out[i], t, ctx);
          }
          byte[] heap = s.toArray(ValueLayout.JAVA_BYTE);
          impl.squareDistanceBatch(q, heap, rows, rows.length, dim, kind, out);
          for (int i = 0; i < rows.length; i++) {
            assertEquals(scalar.squareDistance(q, s, 2L * rows[i] * dim, dim, kind), out[i], t, ctx + " byte[]");
          }
          impl.dotProductBatch(q, heap, rows, rows.length, dim, kind, out);
          for (int i = 0; i < rows.length; i++) {
            assertEquals(scalar.dotProduct(q, s, 2L * rows[i] * dim, dim, kind), out[i], t, ctx + " byte[]");
          }
        }
      }
    }
  }

  /**
   * Every 16-bit pattern, repeated over a row long enough for the vector body: a finite value is widened exactly
   * (its squared distance to the float it stands for is 0), infinities and NaNs keep their class and sign.
   */
  @Test
  void everyPatternWidensExactly() {
    int len = 4 * 64;
    float[] q = new float[len];
    float[] ones = new float[len];
    java.util.Arrays.fill(ones, 1f);
    for (HalfFloats.Kind kind : HalfFloats.Kind.values()) {
      for (int bits = 0; bits < 65536; bits++) {
        MemorySegment s = MemorySegment.ofArray(new byte[2 * len]);
        for (int i = 0; i < len; i++) {
          s.set(I16, 2L * i, (short) bits);
        }
        float x = HalfFloats.toFloat(bits, kind);
        String ctx = "kind=" + kind + " bits=0x" + Integer.toHexString(bits);
        for (VectorUtilSupport impl : new VectorUtilSupport[] {scalar, panama}) {
          byte[] heap = s.toArray(ValueLayout.JAVA_BYTE);
          if (Float.isFinite(x)) {
            java.util.Arrays.fill(q, x);
            assertEquals(0f, impl.squareDistance(q, s, 0, len, kind), ctx + " " + impl);
            assertEquals(0f, impl.squareDistance(q, heap, 0, len, kind), ctx + " byte[] " + impl);
          } else {
            float sum = impl.dotProduct(ones, s, 0, len, kind);
            assertTrue(Float.isNaN(x) ? Float.isNaN(sum) : sum == x, ctx + " " + impl + " sum=" + sum);
            float sumHeap = impl.dotProduct(ones, heap, 0, len, kind);
            assertTrue(Float.isNaN(x) ? Float.isNaN(sumHeap) : sumHeap == x, ctx + " byte[] " + impl);
          }
        }
      }
    }
  }
}
