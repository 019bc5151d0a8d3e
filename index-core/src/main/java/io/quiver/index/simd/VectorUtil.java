package io.quiver.index.simd;

import io.quiver.index.HalfFloats;
import java.lang.foreign.MemorySegment;

/**
 * Static facade over the vector kernels chosen once at start-up by {@link VectorizationProvider}
 * (Panama when available, else scalar). All index code scores through this class.
 */
public final class VectorUtil {

  private static final VectorUtilSupport IMPL = VectorizationProvider.get();

  private VectorUtil() {}

  public static float squareDistance(float[] a, float[] b) {
    check(a.length, b.length);
    return IMPL.squareDistance(a, 0, b, 0, a.length);
  }

  public static float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int length) {
    return IMPL.squareDistance(a, aOffset, b, bOffset, length);
  }

  public static float dotProduct(float[] a, float[] b) {
    check(a.length, b.length);
    return IMPL.dotProduct(a, 0, b, 0, a.length);
  }

  public static float dotProduct(float[] a, int aOffset, float[] b, int bOffset, int length) {
    return IMPL.dotProduct(a, aOffset, b, bOffset, length);
  }

  /** Cosine similarity; 0 when either vector is all zero. */
  public static float cosine(float[] a, float[] b) {
    check(a.length, b.length);
    return IMPL.cosine(a, b, a.length);
  }

  public static float squareDistance(float[] q, MemorySegment data, long byteOffset, int length) {
    return IMPL.squareDistance(q, data, byteOffset, length);
  }

  public static float dotProduct(float[] q, MemorySegment data, long byteOffset, int length) {
    return IMPL.dotProduct(q, data, byteOffset, length);
  }

  /** Squared L2 distance of {@code q} to a FLOAT16 / BFLOAT16 row (little-endian) at {@code byteOffset}. */
  public static float squareDistance(float[] q, MemorySegment data, long byteOffset, int length, HalfFloats.Kind kind) {
    return IMPL.squareDistance(q, data, byteOffset, length, kind);
  }

  /** Dot product of {@code q} and a FLOAT16 / BFLOAT16 row (little-endian) at {@code byteOffset}. */
  public static float dotProduct(float[] q, MemorySegment data, long byteOffset, int length, HalfFloats.Kind kind) {
    return IMPL.dotProduct(q, data, byteOffset, length, kind);
  }

  /** Squared L2 distance of {@code q} to a FLOAT16 / BFLOAT16 row at {@code byteOffset} of a heap array. */
  public static float squareDistance(float[] q, byte[] data, int byteOffset, int length, HalfFloats.Kind kind) {
    return IMPL.squareDistance(q, data, byteOffset, length, kind);
  }

  /** Dot product of {@code q} and a FLOAT16 / BFLOAT16 row at {@code byteOffset} of a heap array. */
  public static float dotProduct(float[] q, byte[] data, int byteOffset, int length, HalfFloats.Kind kind) {
    return IMPL.dotProduct(q, data, byteOffset, length, kind);
  }

  public static void squareDistanceBatch(float[] q, byte[] data, int[] rows, int count, int dim,
      HalfFloats.Kind kind, float[] out) {
    IMPL.squareDistanceBatch(q, data, rows, count, dim, kind, out);
  }

  public static void dotProductBatch(float[] q, byte[] data, int[] rows, int count, int dim, HalfFloats.Kind kind,
      float[] out) {
    IMPL.dotProductBatch(q, data, rows, count, dim, kind, out);
  }

  public static void squareDistanceBatch(float[] q, MemorySegment data, int[] rows, int count, int dim,
      HalfFloats.Kind kind, float[] out) {
    IMPL.squareDistanceBatch(q, data, rows, count, dim, kind, out);
  }

  public static void dotProductBatch(float[] q, MemorySegment data, int[] rows, int count, int dim,
      HalfFloats.Kind kind, float[] out) {
    IMPL.dotProductBatch(q, data, rows, count, dim, kind, out);
  }

  public static void squareDistanceBatch(float[] q, float[] data, int[] rows, int count, int dim, float[] out) {
    IMPL.squareDistanceBatch(q, data, rows, count, dim, out);
  }

  public static void dotProductBatch(float[] q, float[] data, int[] rows, int count, int dim, float[] out) {
    IMPL.dotProductBatch(q, data, rows, count, dim, out);
  }

  public static void squareDistanceBatch(float[] q, MemorySegment data, int[] rows, int count, int dim, float[] out) {
    IMPL.squareDistanceBatch(q, data, rows, count, dim, out);
  }

  public static void dotProductBatch(float[] q, MemorySegment data, int[] rows, int count, int dim, float[] out) {
    IMPL.dotProductBatch(q, data, rows, count, dim, out);
  }

  public static void squareDistanceRange(float[] q, float[] data, int firstRow, int count, int dim, float[] out) {
    IMPL.squareDistanceRange(q, data, firstRow, count, dim, out);
  }

  public static void dotProductRange(float[] q, float[] data, int firstRow, int count, int dim, float[] out) {
    IMPL.dotProductRange(q, data, firstRow, count, dim, out);
  }

  /** 4x4 tile of dot products (rows of a with rows of b), see {@link VectorUtilSupport#dotProductTile4x4}. */
  public static void dotProductTile4x4(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
      int length, float[] out, int outOff) {
    IMPL.dotProductTile4x4(a, aOff, aStride, b, bOff, bStride, length, out, outOff);
  }

  public static int int8DotProduct(byte[] a, byte[] b) {
    check(a.length, b.length);
    return IMPL.int8DotProduct(a, 0, b, 0, a.length);
  }

  public static int int8DotProduct(byte[] a, int aOffset, byte[] b, int bOffset, int length) {
    return IMPL.int8DotProduct(a, aOffset, b, bOffset, length);
  }

  public static int int8SquareDistance(byte[] a, byte[] b) {
    check(a.length, b.length);
    return IMPL.int8SquareDistance(a, 0, b, 0, a.length);
  }

  public static int int8SquareDistance(byte[] a, int aOffset, byte[] b, int bOffset, int length) {
    return IMPL.int8SquareDistance(a, aOffset, b, bOffset, length);
  }

  public static float dotProductF32I8(float[] q, byte[] codes, int codeOffset, int length) {
    return IMPL.dotProductF32I8(q, codes, codeOffset, length);
  }

  public static float dotProductF32I8(float[] q, MemorySegment codes, long byteOffset, int length) {
    return IMPL.dotProductF32I8(q, codes, byteOffset, length);
  }

  public static float pqAdc(float[] lut, int ksub, byte[] codes, int codeOffset, int m) {
    return IMPL.pqAdc(lut, ksub, codes, codeOffset, m);
  }

  /** PQ lookup table of one sub-quantizer over transposed codebooks, see {@link VectorUtilSupport#pqLut}. */
  public static void pqLut(float[] v, int vOff, float[] cbT, int cbOff, int dsub, int ksub, float[] lut, int lutOff,
      boolean l2) {
    IMPL.pqLut(v, vOff, cbT, cbOff, dsub, ksub, lut, lutOff, l2);
  }

  public static int hamming(long[] a, int aOffset, long[] b, int bOffset, int words) {
    return IMPL.hamming(a, aOffset, b, bOffset, words);
  }

  /** Hamming distance of two packed bit vectors of equal byte length. */
  public static int hamming(byte[] a, byte[] b) {
    check(a.length, b.length);
    long[] x = pack(a), y = pack(b);
    return IMPL.hamming(x, 0, y, 0, x.length);
  }

  /** Jaccard distance 1 - |a AND b| / |a OR b| (0 when both are empty). */
  public static float jaccard(long[] a, int aOffset, long[] b, int bOffset, int words) {
    long ao = IMPL.andOrCount(a, aOffset, b, bOffset, words);
    return jaccardFrom(ao);
  }

  public static float jaccard(byte[] a, byte[] b) {
    check(a.length, b.length);
    long[] x = pack(a), y = pack(b);
    return jaccard(x, 0, y, 0, x.length);
  }

  static float jaccardFrom(long andOr) {
    int and = (int) (andOr >>> 32);
    int or = (int) andOr;
    return or == 0 ? 0f : 1f - (float) and / (float) or;
  }

  /** Packs bytes (little-endian) into longs, zero padded. */
  public static long[] pack(byte[] bytes) {
    long[] out = new long[(bytes.length + 7) >>> 3];
    packInto(bytes, 0, bytes.length, out, 0);
    return out;
  }

  public static void packInto(byte[] bytes, int offset, int length, long[] out, int outOffset) {
    int words = (length + 7) >>> 3;
    for (int w = 0; w < words; w++) {
      long v = 0;
      int base = offset + w * 8;
      int lim = Math.min(8, length - w * 8);
      for (int b = 0; b < lim; b++) {
        v |= (bytes[base + b] & 0xFFL) << (8 * b);
      }
      out[outOffset + w] = v;
    }
  }

  /** Normalises v in place to unit L2 norm; an all-zero vector stays zero. Returns the original norm. */
  public static float normalize(float[] v, int offset, int length) {
    float n2 = IMPL.dotProduct(v, offset, v, offset, length);
    if (n2 == 0f || !Float.isFinite(n2)) {
      return 0f;
    }
    float inv = (float) (1.0 / Math.sqrt(n2));
    for (int i = 0; i < length; i++) {
      v[offset + i] *= inv;
    }
    return (float) Math.sqrt(n2);
  }

  public static String implementationName() {
    return VectorizationProvider.implementationName();
  }

  private static void check(int a, int b) {
    if (a != b) {
      throw new IllegalArgumentException("vector dimensions differ: " + a + "!=" + b);
    }
  }
}
