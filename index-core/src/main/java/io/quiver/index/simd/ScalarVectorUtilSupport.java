package io.quiver.index.simd;

import io.quiver.index.HalfFloats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Plain-Java kernels: the fallback and the reference the Panama kernels are tested against. */
final class ScalarVectorUtilSupport implements VectorUtilSupport {

  static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  @Override
  public float squareDistance(float[] a, int ao, float[] b, int bo, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int bound = len & ~3; i < bound; i += 4) {
      float d0 = a[ao + i] - b[bo + i];
      float d1 = a[ao + i + 1] - b[bo + i + 1];
      float d2 = a[ao + i + 2] - b[bo + i + 2];
      float d3 = a[ao + i + 3] - b[bo + i + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < len; i++) {
      float d = a[ao + i] - b[bo + i];
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float dotProduct(float[] a, int ao, float[] b, int bo, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int bound = len & ~3; i < bound; i += 4) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
    }
    for (; i < len; i++) {
      s0 += a[ao + i] * b[bo + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float cosine(float[] a, float[] b, int len) {
    float dot = 0, na = 0, nb = 0;
    for (int i = 0; i < len; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return cosineFrom(dot, na, nb);
  }

  static float cosineFrom(float dot, float na, float nb) {
    if (na == 0f || nb == 0f) {
      return 0f;
    }
    return (float) (dot / Math.sqrt((double) na * (double) nb));
  }

  @Override
  public float squareDistance(float[] q, MemorySegment data, long off, int len) {
    float s0 = 0, s1 = 0;
    int i = 0;
    for (int bound = len & ~1; i < bound; i += 2) {
      float d0 = q[i] - data.get(F32, off + 4L * i);
      float d1 = q[i + 1] - data.get(F32, off + 4L * i + 4);
      s0 += d0 * d0;
      s1 += d1 * d1;
    }
    for (; i < len; i++) {
      float d = q[i] - data.get(F32, off + 4L * i);
      s0 += d * d;
    }
    return s0 + s1;
  }

  @Override
  public float dotProduct(float[] q, MemorySegment data, long off, int len) {
    float s0 = 0, s1 = 0;
    int i = 0;
    for (int bound = len & ~1; i < bound; i += 2) {
      s0 += q[i] * data.get(F32, off + 4L * i);
      s1 += q[i + 1] * data.get(F32, off + 4L * i + 4);
    }
    for (; i < len; i++) {
      s0 += q[i] * data.get(F32, off + 4L * i);
    }
    return s0 + s1;
  }

  @Override
  public void squareDistanceBatch(float[] q, float[] data, int[] rows, int count, int dim, float[] out) {
    for (int r = 0; r < count; r++) {
      out[r] = squareDistance(q, 0, data, rows[r] * dim, dim);
    }
  }

  @Override
  public void dotProductBatch(float[] q, float[] data, int[] rows, int count, int dim, float[] out) {
    for (int r = 0; r < count; r++) {
      out[r] = dotProduct(q, 0, data, rows[r] * dim, dim);
    }
  }

  @Override
  public void squareDistanceBatch(float[] q, MemorySegment data, int[] rows, int count, int dim, float[] out) {
    for (int r = 0; r < count; r++) {
      out[r] = squareDistance(q, data, (long) rows[r] * dim * 4, dim);
    }
  }

  @Override
  public void dotProductBatch(float[] q, MemorySegment data, int[] rows, int count, int dim, float[] out) {
    for (int r = 0; r < count; r++) {
      out[r] = dotProduct(q, data, (long) rows[r] * dim * 4, dim);
    }
  }

  // ---------------------------------------------------------------- float[] x 16-bit rows

  /** One FLOAT16 / BFLOAT16 component (little-endian) widened to float32, exactly. */
  static float half(MemorySegment data, long byteOffset, HalfFloats.Kind kind) {
    return HalfFloats.toFloat(data.get(I16, byteOffset), kind);
  }

  @Override
  public float squareDistance(float[] q, MemorySegment data, long off, int len, HalfFloats.Kind kind) {
    float s0 = 0, s1 = 0;
    int i = 0;
    for (int bound = len & ~1; i < bound; i += 2) {
      float d0 = q[i] - half(data, off + 2L * i, kind);
      float d1 = q[i + 1] - half(data, off + 2L * i + 2, kind);
      s0 += d0 * d0;
      s1 += d1 * d1;
    }
    for (; i < len; i++) {
      float d = q[i] - half(data, off + 2L * i, kind);
      s0 += d * d;
    }
    return s0 + s1;
  }

  @Override
  public float dotProduct(float[] q, MemorySegment data, long off, int len, HalfFloats.Kind kind) {
    float s0 = 0, s1 = 0;
    int i = 0;
    for (int bound = len & ~1; i < bound; i += 2) {
      s0 += q[i] * half(data, off + 2L * i, kind);
      s1 += q[i + 1] * half(data, off + 2L * i + 2, kind);
    }
    for (; i < len; i++) {
      s0 += q[i] * half(data, off + 2L * i, kind);
    }
    return s0 + s1;
  }

  @Override
  public float squareDistance(float[] q, byte[] data, int off, int len, HalfFloats.Kind kind) {
    return squareDistance(q, MemorySegment.ofArray(data), off, len, kind);
  }

  @Override
  public float dotProduct(float[] q, byte[] data, int off, int len, HalfFloats.Kind kind) {
    return dotProduct(q, MemorySegment.ofArray(data), off, len, kind);
  }

  @Override
  public void squareDistanceBatch(float[] q, byte[] data, int[] rows, int count, int dim, HalfFloats.Kind kind,
      float[] out) {
    squareDistanceBatch(q, MemorySegment.ofArray(data), rows, count, dim, kind, out);
  }

  @Override
  public void dotProductBatch(float[] q, byte[] data, int[] rows, int count, int dim, HalfFloats.Kind kind,
      float[] out) {
    dotProductBatch(q, MemorySegment.ofArray(data), rows, count, dim, kind, out);
  }

  /** One FLOAT16 / BFLOAT16 component (little-endian) of a heap array widened to float32, exactly. */
  static float half(byte[] data, int byteOffset, HalfFloats.Kind kind) {
    return HalfFloats.toFloat((data[byteOffset] & 0xff) | (data[byteOffset + 1] & 0xff) << 8, kind);
  }

  @Override
  public void squareDistanceBatch(float[] q, MemorySegment data, int[] rows, int count, int dim,
      HalfFloats.Kind kind, float[] out) {
    for (int r = 0; r < count; r++) {
      out[r] = squareDistance(q, data, (long) rows[r] * dim * 2, dim, kind);
    }
  }

  @Override
  public void dotProductBatch(float[] q, MemorySegment data, int[] rows, int count, int dim, HalfFloats.Kind kind,
      float[] out) {
    for (int r = 0; r < count; r++) {
      out[r] = dotProduct(q, data, (long) rows[r] * dim * 2, dim, kind);
    }
  }

  @Override
  public void squareDistanceRange(float[] q, float[] data, int firstRow, int count, int dim, float[] out) {
    for (int r = 0; r < count; r++) {
      out[r] = squareDistance(q, 0, data, (firstRow + r) * dim, dim);
    }
  }

  @Override
  public void dotProductRange(float[] q, float[] data, int firstRow, int count, int dim, float[] out) {
    for (int r = 0; r < count; r++) {
      out[r] = dotProduct(q, 0, data, (firstRow + r) * dim, dim);
    }
  }

  @Override
  public void dotProductTile4x4(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int length,
      float[] out, int outOff) {
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        out[outOff + 4 * i + j] = dotProduct(a, aOff + i * aStride, b, bOff + j * bStride, length);
      }
    }
  }

  @Override
  public int int8DotProduct(byte[] a, int ao, byte[] b, int bo, int len) {
    int s = 0;
    for (int i = 0; i < len; i++) {
      s += a[ao + i] * b[bo + i];
    }
    return s;
  }

  @Override
  public int int8SquareDistance(byte[] a, int ao, byte[] b, int bo, int len) {
    int s = 0;
    for (int i = 0; i < len; i++) {
      int d = a[ao + i] - b[bo + i];
      s += d * d;
    }
    return s;
  }

  @Override
  public float dotProductF32I8(float[] q, byte[] codes, int co, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int bound = len & ~3; i < bound; i += 4) {
      s0 += q[i] * codes[co + i];
      s1 += q[i + 1] * codes[co + i + 1];
      s2 += q[i + 2] * codes[co + i + 2];
      s3 += q[i + 3] * codes[co + i + 3];
    }
    for (; i < len; i++) {
      s0 += q[i] * codes[co + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float dotProductF32I8(float[] q, MemorySegment codes, long off, int len) {
    float s = 0;
    for (int i = 0; i < len; i++) {
      s += q[i] * codes.get(ValueLayout.JAVA_BYTE, off + i);
    }
    return s;
  }

  @Override
  public float pqAdc(float[] lut, int ksub, byte[] codes, int co, int m) {
    float s0 = 0, s1 = 0;
    int j = 0;
    int base = 0;
    for (int bound = m & ~1; j < bound; j += 2, base += 2 * ksub) {
      s0 += lut[base + (codes[co + j] & 0xFF)];
      s1 += lut[base + ksub + (codes[co + j + 1] & 0xFF)];
    }
    if (j < m) {
      s0 += lut[base + (codes[co + j] & 0xFF)];
    }
    return s0 + s1;
  }

  @Override
  public void pqLut(float[] v, int vOff, float[] cbT, int cbOff, int dsub, int ksub, float[] lut, int lutOff,
      boolean l2) {
    for (int c = 0; c < ksub; c++) {
      lut[lutOff + c] = 0f;
    }
    for (int d = 0; d < dsub; d++) {
      float x = v[vOff + d];
      int to = cbOff + d * ksub;
      if (l2) {
        for (int c = 0; c < ksub; c++) {
          float diff = x - cbT[to + c];
          lut[lutOff + c] += diff * diff;
        }
      } else {
        for (int c = 0; c < ksub; c++) {
          lut[lutOff + c] -= x * cbT[to + c];
        }
      }
    }
  }

  @Override
  public int hamming(long[] a, int ao, long[] b, int bo, int words) {
    int s = 0;
    for (int i = 0; i < words; i++) {
      s += Long.bitCount(a[ao + i] ^ b[bo + i]);
    }
    return s;
  }

  @Override
  public long andOrCount(long[] a, int ao, long[] b, int bo, int words) {
    int and = 0, or = 0;
    for (int i = 0; i < words; i++) {
      and += Long.bitCount(a[ao + i] & b[bo + i]);
      or += Long.bitCount(a[ao + i] | b[bo + i]);
    }
    return ((long) and << 32) | (or & 0xFFFFFFFFL);
  }
}
