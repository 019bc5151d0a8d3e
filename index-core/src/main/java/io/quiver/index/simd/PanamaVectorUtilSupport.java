package io.quiver.index.simd;

import io.quiver.index.HalfFloats;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels over {@code jdk.incubator.vector} at the preferred species width.
 *
 * <p>Design (the shape of Lucene's {@code PanamaVectorUtilSupport}, our own code): a kernel
 * vectorises only when the input spans at least two vectors; the body runs four independent
 * accumulators over {@code loopBound} to hide FMA latency, then a one-accumulator vector tail, then a
 * scalar tail. Byte inputs are widened with {@code convertShape} to a float/int vector of the same lane
 * count. Batch kernels score four rows per pass so the query is loaded once and four independent
 * memory streams are in flight (the role prefetch plays in hnswlib). PQ lookups stay scalar: a gather
 * costs more than the adds it saves at {@code m <= 64}.
 */
final class PanamaVectorUtilSupport implements VectorUtilSupport {

  static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
  static final int FL = FS.length();
  static final VectorSpecies<Byte> BS =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(FS.vectorBitSize() / 4));
  static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
  /** Shorts with as many lanes as {@link #FS}, and ints of the float shape they widen into. */
  static final VectorSpecies<Short> SS =
      VectorSpecies.of(short.class, VectorShape.forBitSize(FS.vectorBitSize() / 2));
  static final VectorSpecies<Integer> HIS = VectorSpecies.of(int.class, FS.vectorShape());
  static final VectorSpecies<Byte> HBS = VectorSpecies.of(byte.class, SS.vectorShape());
  static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
  static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
  static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private final ScalarVectorUtilSupport scalar = new ScalarVectorUtilSupport();

  // ---------------------------------------------------------------- float[] x float[]

  @Override
  public float squareDistance(float[] a, int ao, float[] b, int bo, int len) {
    int i = 0;
    float res = 0;
    if (len >= 2 * FL) {
      i = FS.loopBound(len);
      res = squareBody(a, ao, b, bo, i);
    }
    for (; i < len; i++) {
      float d = a[ao + i] - b[bo + i];
      res += d * d;
    }
    return res;
  }

  private static float squareBody(float[] a, int ao, float[] b, int bo, int limit) {
    FloatVector acc1 = FloatVector.zero(FS), acc2 = FloatVector.zero(FS);
    FloatVector acc3 = FloatVector.zero(FS), acc4 = FloatVector.zero(FS);
    int i = 0;
    for (int unrolled = limit - 3 * FL; i < unrolled; i += 4 * FL) {
      FloatVector d1 = FloatVector.fromArray(FS, a, ao + i).sub(FloatVector.fromArray(FS, b, bo + i));
      FloatVector d2 = FloatVector.fromArray(FS, a, ao + i + FL).sub(FloatVector.fromArray(FS, b, bo + i + FL));
      FloatVector d3 =
          FloatVector.fromArray(FS, a, ao + i + 2 * FL).sub(FloatVector.fromArray(FS, b, bo + i + 2 * FL));
      FloatVector d4 =
          FloatVector.fromArray(FS, a, ao + i + 3 * FL).sub(FloatVector.fromArray(FS, b, bo + i + 3 * FL));
      acc1 = d1.fma(d1, acc1);
      acc2 = d2.fma(d2, acc2);
      acc3 = d3.fma(d3, acc3);
      acc4 = d4.fma(d4, acc4);
    }
    for (; i < limit; i += FL) {
      FloatVector d = FloatVector.fromArray(FS, a, ao + i).sub(FloatVector.fromArray(FS, b, bo + i));
      acc1 = d.fma(d, acc1);
    }
    return acc1.add(acc2).add(acc3.add(acc4)).reduceLanes(VectorOperators.ADD);
  }

  @Override
  public float dotProduct(float[] a, int ao, float[] b, int bo, int len) {
    int i = 0;
    float res = 0;
    if (len >= 2 * FL) {
      i = FS.loopBound(len);
      res = dotBody(a, ao, b, bo, i);
    }
    for (; i < len; i++) {
      res += a[ao + i] * b[bo + i];
    }
    return res;
  }

  private static float dotBody(float[] a, int ao, float[] b, int bo, int limit) {
    FloatVector acc1 = FloatVector.zero(FS), acc2 = FloatVector.zero(FS);
    FloatVector acc3 = FloatVector.zero(FS), acc4 = FloatVector.zero(FS);
    int i = 0;
    for (int unrolled = limit - 3 * FL; i < unrolled; i += 4 * FL) {
      acc1 = FloatVector.fromArray(FS, a, ao + i).fma(FloatVector.fromArray(FS, b, bo + i), acc1);
      acc2 = FloatVector.fromArray(FS, a, ao + i + FL).fma(FloatVector.fromArray(FS, b, bo + i + FL), acc2);
      acc3 = FloatVector.fromArray(FS, a, ao + i + 2 * FL)
          .fma(FloatVector.fromArray(FS, b, bo + i + 2 * FL), acc3);
      acc4 = FloatVector.fromArray(FS, a, ao + i + 3 * FL)
          .fma(FloatVector.fromArray(FS, b, bo + i + 3 * FL), acc4);
    }
    for (; i < limit; i += FL) {
      acc1 = FloatVector.fromArray(FS, a, ao + i).fma(FloatVector.fromArray(FS, b, bo + i), acc1);
    }
    return acc1.add(acc2).add(acc3.add(acc4)).reduceLanes(VectorOperators.ADD);
  }

  @Override
  public float cosine(float[] a, float[] b, int len) {
    int i = 0;
    float dot = 0, na = 0, nb = 0;
    if (len >= 2 * FL) {
      int limit = FS.loopBound(len);
      FloatVector vd = FloatVector.zero(FS), va = FloatVector.zero(FS), vb = FloatVector.zero(FS);
      for (; i < limit; i += FL) {
        FloatVector x = FloatVector.fromArray(FS, a, i);
        FloatVector y = FloatVector.fromArray(FS, b, i);
        vd = x.fma(y, vd);
        va = x.fma(x, va);
        vb = y.fma(y, vb);
      }
      dot = vd.reduceLanes(VectorOperators.ADD);
      na = va.reduceLanes(VectorOperators.ADD);
      nb = vb.reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return ScalarVectorUtilSupport.cosineFrom(dot, na, nb);
  }

  // ---------------------------------------------------------------- float[] x MemorySegment

  @Override
  public float squareDistance(float[] q, MemorySegment seg, long off, int len) {
    int i = 0;
    float res = 0;
    if (len >= 2 * FL) {
      int limit = FS.loopBound(len);
      FloatVector acc1 = FloatVector.zero(FS), acc2 = FloatVector.zero(FS);
      for (int unrolled = limit - FL; i < unrolled; i += 2 * FL) {
        FloatVector d1 = FloatVector.fromArray(FS, q, i).sub(FloatVector.fromMemorySegment(FS, seg, off + 4L * i, LE));
        FloatVector d2 = FloatVector.fromArray(FS, q, i + FL)
            .sub(FloatVector.fromMemorySegment(FS, seg, off + 4L * (i + FL), LE));
        acc1 = d1.fma(d1, acc1);
        acc2 = d2.fma(d2, acc2);
      }
      for (; i < limit; i += FL) {
        FloatVector d = FloatVector.fromArray(FS, q, i).sub(FloatVector.fromMemorySegment(FS, seg, off + 4L * i, LE));
        acc1 = d.fma(d, acc1);
      }
      res = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      float d = q[i] - seg.get(ScalarVectorUtilSupport.F32, off + 4L * i);
      res += d * d;
    }
    return res;
  }

  @Override
  public float dotProduct(float[] q, MemorySegment seg, long off, int len) {
    int i = 0;
    float res = 0;
    if (len >= 2 * FL) {
      int limit = FS.loopBound(len);
      FloatVector acc1 = FloatVector.zero(FS), acc2 = FloatVector.zero(FS);
      for (int unrolled = limit - FL; i < unrolled; i += 2 * FL) {
        acc1 = FloatVector.fromArray(FS, q, i).fma(FloatVector.fromMemorySegment(FS, seg, off + 4L * i, LE), acc1);
        acc2 = FloatVector.fromArray(FS, q, i + FL)
            .fma(FloatVector.fromMemorySegment(FS, seg, off + 4L * (i + FL), LE), acc2);
      }
      for (; i < limit; i += FL) {
        acc1 = FloatVector.fromArray(FS, q, i).fma(FloatVector.fromMemorySegment(FS, seg, off + 4L * i, LE), acc1);
      }
      res = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      res += q[i] * seg.get(ScalarVectorUtilSupport.F32, off + 4L * i);
    }
    return res;
  }

  // ---------------------------------------------------------------- float[] x 16-bit rows

  /**
   * FL 16-bit components at byte {@code off} of {@code arr} (heap, array loads) or else {@code seg} (native) widened
   * to float32 in registers. The bytes are loaded as bytes and reinterpreted as shorts (a short load from a heap
   * {@code byte[]} segment is not intrinsified and runs ~10x slower), then sign-extended to ints of the float shape. BFLOAT16 is the upper half of a float32: a shift left by
   * 16 gives its bits. FLOAT16 (as {@link Float#float16ToFloat}): sign to bit 31 and exponent and mantissa to bits
   * 13..27 (shift left 16, arithmetic shift right 3, mask), then a multiply by 2^112 rebiases the exponent (exact,
   * subnormals included); lanes with exponent 31 (infinity, NaN) get exponent 255 instead, on a rarely taken branch.
   */
  private static FloatVector widen(byte[] arr, MemorySegment seg, long off, boolean bf16) {
    ShortVector shorts;
    if (!NATIVE_LE) {
      shorts = ShortVector.fromMemorySegment(SS, arr != null ? MemorySegment.ofArray(arr) : seg, off, LE);
    } else if (arr != null) {
      shorts = ByteVector.fromArray(HBS, arr, (int) off).reinterpretAsShorts();
    } else {
      shorts = ByteVector.fromMemorySegment(HBS, seg, off, LE).reinterpretAsShorts();
    }
    IntVector bits = (IntVector) shorts.convertShape(VectorOperators.S2I, HIS, 0);
    IntVector high = bits.lanewise(VectorOperators.LSHL, 16);
    if (bf16) {
      return high.reinterpretAsFloats();
    }
    IntVector placed = high.lanewise(VectorOperators.ASHR, 3).and(0x8fffe000);
    FloatVector f = placed.reinterpretAsFloats().mul(0x1p112f);
    VectorMask<Integer> special = bits.and(0x7c00).compare(VectorOperators.EQ, 0x7c00);
    if (special.anyTrue()) {
      return f.reinterpretAsInts().blend(placed.or(0x7f800000), special).reinterpretAsFloats();
    }
    return f;
  }

  @Override
  public float squareDistance(float[] q, MemorySegment seg, long off, int len, HalfFloats.Kind kind) {
    return halfKernel(q, null, seg, off, len, kind, true);
  }

  @Override
  public float dotProduct(float[] q, MemorySegment seg, long off, int len, HalfFloats.Kind kind) {
    return halfKernel(q, null, seg, off, len, kind, false);
  }

  @Override
  public float squareDistance(float[] q, byte[] data, int off, int len, HalfFloats.Kind kind) {
    return halfKernel(q, data, null, off, len, kind, true);
  }

  @Override
  public float dotProduct(float[] q, byte[] data, int off, int len, HalfFloats.Kind kind) {
    return halfKernel(q, data, null, off, len, kind, false);
  }

  /**
   * Squared L2 ({@code l2}) or dot product over a 16-bit row in {@code arr} (heap) or else {@code seg} (native); the
   * flags are loop-invariant, so C2 unswitches them.
   */
  private static float halfKernel(float[] q, byte[] arr, MemorySegment seg, long off, int len, HalfFloats.Kind kind,
      boolean l2) {
    int i = 0;
    float res = 0;
    if (len >= 2 * FL) {
      boolean bf16 = kind == HalfFloats.Kind.BFLOAT16;
      int limit = FS.loopBound(len);
      FloatVector acc1 = FloatVector.zero(FS), acc2 = FloatVector.zero(FS);
      for (int unrolled = limit - FL; i < unrolled; i += 2 * FL) {
        acc1 = accumulate(FloatVector.fromArray(FS, q, i), widen(arr, seg, off + 2L * i, bf16), acc1, l2);
        acc2 = accumulate(FloatVector.fromArray(FS, q, i + FL), widen(arr, seg, off + 2L * (i + FL), bf16), acc2, l2);
      }
      for (; i < limit; i += FL) {
        acc1 = accumulate(FloatVector.fromArray(FS, q, i), widen(arr, seg, off + 2L * i, bf16), acc1, l2);
      }
      res = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
    }
    return res + halfTail(q, arr, seg, off, i, len, kind, l2);
  }

  private static FloatVector accumulate(FloatVector q, FloatVector x, FloatVector acc, boolean l2) {
    if (l2) {
      FloatVector d = q.sub(x);
      return d.fma(d, acc);
    }
    return q.fma(x, acc);
  }

  @Override
  public void squareDistanceBatch(float[] q, MemorySegment seg, int[] rows, int count, int dim, HalfFloats.Kind kind,
      float[] out) {
    halfBatch(q, null, seg, rows, count, dim, kind, true, out);
  }

  @Override
  public void dotProductBatch(float[] q, MemorySegment seg, int[] rows, int count, int dim, HalfFloats.Kind kind,
      float[] out) {
    halfBatch(q, null, seg, rows, count, dim, kind, false, out);
  }

  @Override
  public void squareDistanceBatch(float[] q, byte[] data, int[] rows, int count, int dim, HalfFloats.Kind kind,
      float[] out) {
    halfBatch(q, data, null, rows, count, dim, kind, true, out);
  }

  @Override
  public void dotProductBatch(float[] q, byte[] data, int[] rows, int count, int dim, HalfFloats.Kind kind,
      float[] out) {
    halfBatch(q, data, null, rows, count, dim, kind, false, out);
  }

  /**
   * One row at a time: a four-rows-per-pass variant (as {@link #square4}) measured 0.45x of the float32 batch in HNSW
   * search against 0.83-0.93x for this loop, since its four inlined widenings exceed C2's inlining budget and the
   * vectors get boxed (docs/benchmarks.md, "FLOAT16 / BFLOAT16 storage").
   */
  private void halfBatch(float[] q, byte[] arr, MemorySegment seg, int[] rows, int count, int dim,
      HalfFloats.Kind kind, boolean l2, float[] out) {
    long rowBytes = 2L * dim;
    for (int r = 0; r < count; r++) {
      out[r] = halfKernel(q, arr, seg, rows[r] * rowBytes, dim, kind, l2);
    }
  }

  /** Components {@code from..dim-1} of a 16-bit row, scalar. */
  private static float halfTail(float[] q, byte[] arr, MemorySegment seg, long off, int from, int dim,
      HalfFloats.Kind kind, boolean l2) {
    float s = 0;
    for (int t = from; t < dim; t++) {
      long at = off + 2L * t;
      float x = arr != null ? ScalarVectorUtilSupport.half(arr, (int) at, kind) : ScalarVectorUtilSupport.half(seg, at, kind);
      s += l2 ? (q[t] - x) * (q[t] - x) : q[t] * x;
    }
    return s;
  }

  // ---------------------------------------------------------------- batches (4 rows per pass)

  @Override
  public void squareDistanceBatch(float[] q, float[] data, int[] rows, int count, int dim, float[] out) {
    int r = 0;
    if (dim >= 2 * FL) {
      for (; r + 4 <= count; r += 4) {
        square4(q, data, rows[r] * dim, rows[r + 1] * dim, rows[r + 2] * dim, rows[r + 3] * dim, dim, out, r);
      }
    }
    for (; r < count; r++) {
      out[r] = squareDistance(q, 0, data, rows[r] * dim, dim);
    }
  }

  @Override
  public void squareDistanceRange(float[] q, float[] data, int firstRow, int count, int dim, float[] out) {
    int r = 0;
    if (dim >= 2 * FL) {
      for (; r + 4 <= count; r += 4) {
        int o = (firstRow + r) * dim;
        square4(q, data, o, o + dim, o + 2 * dim, o + 3 * dim, dim, out, r);
      }
    }
    for (; r < count; r++) {
      out[r] = squareDistance(q, 0, data, (firstRow + r) * dim, dim);
    }
  }

  private static void square4(float[] q, float[] d, int o0, int o1, int o2, int o3, int dim, float[] out, int at) {
    FloatVector a0 = FloatVector.zero(FS), a1 = FloatVector.zero(FS);
    FloatVector a2 = FloatVector.zero(FS), a3 = FloatVector.zero(FS);
    int limit = FS.loopBound(dim);
    int i = 0;
    for (; i < limit; i += FL) {
      FloatVector qv = FloatVector.fromArray(FS, q, i);
      FloatVector d0 = qv.sub(FloatVector.fromArray(FS, d, o0 + i));
      FloatVector d1 = qv.sub(FloatVector.fromArray(FS, d, o1 + i));
      FloatVector d2 = qv.sub(FloatVector.fromArray(FS, d, o2 + i));
      FloatVector d3 = qv.sub(FloatVector.fromArray(FS, d, o3 + i));
      a0 = d0.fma(d0, a0);
      a1 = d1.fma(d1, a1);
      a2 = d2.fma(d2, a2);
      a3 = d3.fma(d3, a3);
    }
    float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
    float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
    for (; i < dim; i++) {
      float x = q[i];
      float e0 = x - d[o0 + i], e1 = x - d[o1 + i], e2 = x - d[o2 + i], e3 = x - d[o3 + i];
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
    }
    out[at] = s0;
    out[at + 1] = s1;
    out[at + 2] = s2;
    out[at + 3] = s3;
  }

  @Override
  public void dotProductBatch(float[] q, float[] data, int[] rows, int count, int dim, float[] out) {
    int r = 0;
    if (dim >= 2 * FL) {
      for (; r + 4 <= count; r += 4) {
        dot4(q, data, rows[r] * dim, rows[r + 1] * dim, rows[r + 2] * dim, rows[r + 3] * dim, dim, out, r);
      }
    }
    for (; r < count; r++) {
      out[r] = dotProduct(q, 0, data, rows[r] * dim, dim);
    }
  }

  @Override
  public void dotProductRange(float[] q, float[] data, int firstRow, int count, int dim, float[] out) {
    int r = 0;
    if (dim >= 2 * FL) {
      for (; r + 4 <= count; r += 4) {
        int o = (firstRow + r) * dim;
        dot4(q, data, o, o + dim, o + 2 * dim, o + 3 * dim, dim, out, r);
      }
    }
    for (; r < count; r++) {
      out[r] = dotProduct(q, 0, data, (firstRow + r) * dim, dim);
    }
  }

  private static void dot4(float[] q, float[] d, int o0, int o1, int o2, int o3, int dim, float[] out, int at) {
    FloatVector a0 = FloatVector.zero(FS), a1 = FloatVector.zero(FS);
    FloatVector a2 = FloatVector.zero(FS), a3 = FloatVector.zero(FS);
    int limit = FS.loopBound(dim);
    int i = 0;
    for (; i < limit; i += FL) {
      FloatVector qv = FloatVector.fromArray(FS, q, i);
      a0 = qv.fma(FloatVector.fromArray(FS, d, o0 + i), a0);
      a1 = qv.fma(FloatVector.fromArray(FS, d, o1 + i), a1);
      a2 = qv.fma(FloatVector.fromArray(FS, d, o2 + i), a2);
      a3 = qv.fma(FloatVector.fromArray(FS, d, o3 + i), a3);
    }
    float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
    float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
    for (; i < dim; i++) {
      float x = q[i];
      s0 += x * d[o0 + i];
      s1 += x * d[o1 + i];
      s2 += x * d[o2 + i];
      s3 += x * d[o3 + i];
    }
    out[at] = s0;
    out[at + 1] = s1;
    out[at + 2] = s2;
    out[at + 3] = s3;
  }

  @Override
  public void squareDistanceBatch(float[] q, MemorySegment data, int[] rows, int count, int dim, float[] out) {
    int r = 0;
    if (dim >= 2 * FL) {
      long rb = 4L * dim;
      for (; r + 4 <= count; r += 4) {
        long o0 = rows[r] * rb, o1 = rows[r + 1] * rb, o2 = rows[r + 2] * rb, o3 = rows[r + 3] * rb;
        FloatVector a0 = FloatVector.zero(FS), a1 = FloatVector.zero(FS);
        FloatVector a2 = FloatVector.zero(FS), a3 = FloatVector.zero(FS);
        int limit = FS.loopBound(dim);
        int i = 0;
        for (; i < limit; i += FL) {
          FloatVector qv = FloatVector.fromArray(FS, q, i);
          long b = 4L * i;
          FloatVector d0 = qv.sub(FloatVector.fromMemorySegment(FS, data, o0 + b, LE));
          FloatVector d1 = qv.sub(FloatVector.fromMemorySegment(FS, data, o1 + b, LE));
          FloatVector d2 = qv.sub(FloatVector.fromMemorySegment(FS, data, o2 + b, LE));
          FloatVector d3 = qv.sub(FloatVector.fromMemorySegment(FS, data, o3 + b, LE));
          a0 = d0.fma(d0, a0);
          a1 = d1.fma(d1, a1);
          a2 = d2.fma(d2, a2);
          a3 = d3.fma(d3, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
          float x = q[i];
          long b = 4L * i;
          float e0 = x - data.get(ScalarVectorUtilSupport.F32, o0 + b);
          float e1 = x - data.get(ScalarVectorUtilSupport.F32, o1 + b);
          float e2 = x - data.get(ScalarVectorUtilSupport.F32, o2 + b);
          float e3 = x - data.get(ScalarVectorUtilSupport.F32, o3 + b);
          s0 += e0 * e0;
          s1 += e1 * e1;
          s2 += e2 * e2;
          s3 += e3 * e3;
        }
        out[r] = s0;
        out[r + 1] = s1;
        out[r + 2] = s2;
        out[r + 3] = s3;
      }
    }
    for (; r < count; r++) {
      out[r] = squareDistance(q, data, (long) rows[r] * dim * 4, dim);
    }
  }

  @Override
  public void dotProductBatch(float[] q, MemorySegment data, int[] rows, int count, int dim, float[] out) {
    int r = 0;
    if (dim >= 2 * FL) {
      long rb = 4L * dim;
      for (; r + 4 <= count; r += 4) {
        long o0 = rows[r] * rb, o1 = rows[r + 1] * rb, o2 = rows[r + 2] * rb, o3 = rows[r + 3] * rb;
        FloatVector a0 = FloatVector.zero(FS), a1 = FloatVector.zero(FS);
        FloatVector a2 = FloatVector.zero(FS), a3 = FloatVector.zero(FS);
        int limit = FS.loopBound(dim);
        int i = 0;
        for (; i < limit; i += FL) {
          FloatVector qv = FloatVector.fromArray(FS, q, i);
          long b = 4L * i;
          a0 = qv.fma(FloatVector.fromMemorySegment(FS, data, o0 + b, LE), a0);
          a1 = qv.fma(FloatVector.fromMemorySegment(FS, data, o1 + b, LE), a1);
          a2 = qv.fma(FloatVector.fromMemorySegment(FS, data, o2 + b, LE), a2);
          a3 = qv.fma(FloatVector.fromMemorySegment(FS, data, o3 + b, LE), a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
          float x = q[i];
          long b = 4L * i;
          s0 += x * data.get(ScalarVectorUtilSupport.F32, o0 + b);
          s1 += x * data.get(ScalarVectorUtilSupport.F32, o1 + b);
          s2 += x * data.get(ScalarVectorUtilSupport.F32, o2 + b);
          s3 += x * data.get(ScalarVectorUtilSupport.F32, o3 + b);
        }
        out[r] = s0;
        out[r + 1] = s1;
        out[r + 2] = s2;
        out[r + 3] = s3;
      }
    }
    for (; r < count; r++) {
      out[r] = dotProduct(q, data, (long) rows[r] * dim * 4, dim);
    }
  }

  @Override
  public void dotProductTile4x4(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int len,
      float[] out, int outOff) {
    if (len < 2 * FL) {
      scalar.dotProductTile4x4(a, aOff, aStride, b, bOff, bStride, len, out, outOff);
      return;
    }
    int a0 = aOff, a1 = aOff + aStride, a2 = aOff + 2 * aStride, a3 = aOff + 3 * aStride;
    int b0 = bOff, b1 = bOff + bStride, b2 = bOff + 2 * bStride, b3 = bOff + 3 * bStride;
    // 16 accumulators + 8 operands fit the 32 zmm registers: each loaded vector feeds 4 FMAs
    FloatVector c00 = FloatVector.zero(FS), c01 = FloatVector.zero(FS), c02 = FloatVector.zero(FS), c03 = FloatVector.zero(FS);
    FloatVector c10 = FloatVector.zero(FS), c11 = FloatVector.zero(FS), c12 = FloatVector.zero(FS), c13 = FloatVector.zero(FS);
    FloatVector c20 = FloatVector.zero(FS), c21 = FloatVector.zero(FS), c22 = FloatVector.zero(FS), c23 = FloatVector.zero(FS);
    FloatVector c30 = FloatVector.zero(FS), c31 = FloatVector.zero(FS), c32 = FloatVector.zero(FS), c33 = FloatVector.zero(FS);
    int limit = FS.loopBound(len);
    int i = 0;
    for (; i < limit; i += FL) {
      FloatVector x0 = FloatVector.fromArray(FS, a, a0 + i);
      FloatVector x1 = FloatVector.fromArray(FS, a, a1 + i);
      FloatVector x2 = FloatVector.fromArray(FS, a, a2 + i);
      FloatVector x3 = FloatVector.fromArray(FS, a, a3 + i);
      FloatVector y = FloatVector.fromArray(FS, b, b0 + i);
      c00 = x0.fma(y, c00);
      c10 = x1.fma(y, c10);
      c20 = x2.fma(y, c20);
      c30 = x3.fma(y, c30);
      y = FloatVector.fromArray(FS, b, b1 + i);
      c01 = x0.fma(y, c01);
      c11 = x1.fma(y, c11);
      c21 = x2.fma(y, c21);
      c31 = x3.fma(y, c31);
      y = FloatVector.fromArray(FS, b, b2 + i);
      c02 = x0.fma(y, c02);
      c12 = x1.fma(y, c12);
      c22 = x2.fma(y, c22);
      c32 = x3.fma(y, c32);
      y = FloatVector.fromArray(FS, b, b3 + i);
      c03 = x0.fma(y, c03);
      c13 = x1.fma(y, c13);
      c23 = x2.fma(y, c23);
      c33 = x3.fma(y, c33);
    }
    out[outOff] = c00.reduceLanes(VectorOperators.ADD);
    out[outOff + 1] = c01.reduceLanes(VectorOperators.ADD);
    out[outOff + 2] = c02.reduceLanes(VectorOperators.ADD);
    out[outOff + 3] = c03.reduceLanes(VectorOperators.ADD);
    out[outOff + 4] = c10.reduceLanes(VectorOperators.ADD);
    out[outOff + 5] = c11.reduceLanes(VectorOperators.ADD);
    out[outOff + 6] = c12.reduceLanes(VectorOperators.ADD);
    out[outOff + 7] = c13.reduceLanes(VectorOperators.ADD);
    out[outOff + 8] = c20.reduceLanes(VectorOperators.ADD);
    out[outOff + 9] = c21.reduceLanes(VectorOperators.ADD);
    out[outOff + 10] = c22.reduceLanes(VectorOperators.ADD);
    out[outOff + 11] = c23.reduceLanes(VectorOperators.ADD);
    out[outOff + 12] = c30.reduceLanes(VectorOperators.ADD);
    out[outOff + 13] = c31.reduceLanes(VectorOperators.ADD);
    out[outOff + 14] = c32.reduceLanes(VectorOperators.ADD);
    out[outOff + 15] = c33.reduceLanes(VectorOperators.ADD);
    for (; i < len; i++) {
      for (int r = 0; r < 4; r++) {
        float x = a[aOff + r * aStride + i];
        for (int c = 0; c < 4; c++) {
          out[outOff + 4 * r + c] += x * b[bOff + c * bStride + i];
        }
      }
    }
  }

  // ---------------------------------------------------------------- int8

  @Override
  public int int8DotProduct(byte[] a, int ao, byte[] b, int bo, int len) {
    int i = 0;
    int res = 0;
    int bl = BS.length();
    if (len >= 2 * bl) {
      IntVector acc1 = IntVector.zero(IS), acc2 = IntVector.zero(IS);
      int limit = BS.loopBound(len);
      for (int unrolled = limit - bl; i < unrolled; i += 2 * bl) {
        IntVector x1 = (IntVector) ByteVector.fromArray(BS, a, ao + i).convertShape(VectorOperators.B2I, IS, 0);
        IntVector y1 = (IntVector) ByteVector.fromArray(BS, b, bo + i).convertShape(VectorOperators.B2I, IS, 0);
        IntVector x2 = (IntVector) ByteVector.fromArray(BS, a, ao + i + bl).convertShape(VectorOperators.B2I, IS, 0);
        IntVector y2 = (IntVector) ByteVector.fromArray(BS, b, bo + i + bl).convertShape(VectorOperators.B2I, IS, 0);
        acc1 = acc1.add(x1.mul(y1));
        acc2 = acc2.add(x2.mul(y2));
      }
      for (; i < limit; i += bl) {
        IntVector x = (IntVector) ByteVector.fromArray(BS, a, ao + i).convertShape(VectorOperators.B2I, IS, 0);
        IntVector y = (IntVector) ByteVector.fromArray(BS, b, bo + i).convertShape(VectorOperators.B2I, IS, 0);
        acc1 = acc1.add(x.mul(y));
      }
      res = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      res += a[ao + i] * b[bo + i];
    }
    return res;
  }

  @Override
  public int int8SquareDistance(byte[] a, int ao, byte[] b, int bo, int len) {
    int i = 0;
    int res = 0;
    int bl = BS.length();
    if (len >= 2 * bl) {
      IntVector acc = IntVector.zero(IS);
      int limit = BS.loopBound(len);
      for (; i < limit; i += bl) {
        IntVector x = (IntVector) ByteVector.fromArray(BS, a, ao + i).convertShape(VectorOperators.B2I, IS, 0);
        IntVector y = (IntVector) ByteVector.fromArray(BS, b, bo + i).convertShape(VectorOperators.B2I, IS, 0);
        IntVector d = x.sub(y);
        acc = acc.add(d.mul(d));
      }
      res = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      int d = a[ao + i] - b[bo + i];
      res += d * d;
    }
    return res;
  }

  @Override
  public float dotProductF32I8(float[] q, byte[] codes, int co, int len) {
    int i = 0;
    float res = 0;
    if (len >= 2 * FL) {
      FloatVector acc1 = FloatVector.zero(FS), acc2 = FloatVector.zero(FS);
      int limit = FS.loopBound(len);
      for (int unrolled = limit - FL; i < unrolled; i += 2 * FL) {
        FloatVector c1 = (FloatVector) ByteVector.fromArray(BS, codes, co + i).convertShape(VectorOperators.B2F, FS, 0);
        FloatVector c2 =
            (FloatVector) ByteVector.fromArray(BS, codes, co + i + FL).convertShape(VectorOperators.B2F, FS, 0);
        acc1 = FloatVector.fromArray(FS, q, i).fma(c1, acc1);
        acc2 = FloatVector.fromArray(FS, q, i + FL).fma(c2, acc2);
      }
      for (; i < limit; i += FL) {
        FloatVector c = (FloatVector) ByteVector.fromArray(BS, codes, co + i).convertShape(VectorOperators.B2F, FS, 0);
        acc1 = FloatVector.fromArray(FS, q, i).fma(c, acc1);
      }
      res = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      res += q[i] * codes[co + i];
    }
    return res;
  }

  @Override
  public float dotProductF32I8(float[] q, MemorySegment codes, long off, int len) {
    int i = 0;
    float res = 0;
    if (len >= 2 * FL) {
      FloatVector acc = FloatVector.zero(FS);
      int limit = FS.loopBound(len);
      for (; i < limit; i += FL) {
        FloatVector c = (FloatVector) ByteVector.fromMemorySegment(BS, codes, off + i, LE)
            .convertShape(VectorOperators.B2F, FS, 0);
        acc = FloatVector.fromArray(FS, q, i).fma(c, acc);
      }
      res = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      res += q[i] * codes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + i);
    }
    return res;
  }

  @Override
  public float pqAdc(float[] lut, int ksub, byte[] codes, int co, int m) {
    return scalar.pqAdc(lut, ksub, codes, co, m);
  }

  @Override
  public void pqLut(float[] v, int vOff, float[] cbT, int cbOff, int dsub, int ksub, float[] lut, int lutOff,
      boolean l2) {
    int c = 0;
    // accumulate each block of codes in registers across the dsub dimensions
    for (int bound = FS.loopBound(ksub); c < bound; c += FL) {
      FloatVector acc = FloatVector.zero(FS);
      for (int d = 0; d < dsub; d++) {
        FloatVector cb = FloatVector.fromArray(FS, cbT, cbOff + d * ksub + c);
        if (l2) {
          FloatVector diff = cb.sub(v[vOff + d]);
          acc = diff.fma(diff, acc);
        } else {
          acc = cb.fma(FloatVector.broadcast(FS, -v[vOff + d]), acc);
        }
      }
      acc.intoArray(lut, lutOff + c);
    }
    for (; c < ksub; c++) {
      float s = 0;
      for (int d = 0; d < dsub; d++) {
        float x = v[vOff + d], y = cbT[cbOff + d * ksub + c];
        s += l2 ? (x - y) * (x - y) : -x * y;
      }
      lut[lutOff + c] = s;
    }
  }

  // ---------------------------------------------------------------- binary

  @Override
  public int hamming(long[] a, int ao, long[] b, int bo, int words) {
    int i = 0;
    long res = 0;
    int ll = LS.length();
    if (words >= 2 * ll) {
      LongVector acc = LongVector.zero(LS);
      int limit = LS.loopBound(words);
      for (; i < limit; i += ll) {
        acc = acc.add(LongVector.fromArray(LS, a, ao + i)
            .lanewise(VectorOperators.XOR, LongVector.fromArray(LS, b, bo + i))
            .lanewise(VectorOperators.BIT_COUNT));
      }
      res = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; i < words; i++) {
      res += Long.bitCount(a[ao + i] ^ b[bo + i]);
    }
    return (int) res;
  }

  @Override
  public long andOrCount(long[] a, int ao, long[] b, int bo, int words) {
    int i = 0;
    long and = 0, or = 0;
    int ll = LS.length();
    if (words >= 2 * ll) {
      LongVector accAnd = LongVector.zero(LS), accOr = LongVector.zero(LS);
      int limit = LS.loopBound(words);
      for (; i < limit; i += ll) {
        LongVector x = LongVector.fromArray(LS, a, ao + i);
        LongVector y = LongVector.fromArray(LS, b, bo + i);
        accAnd = accAnd.add(x.and(y).lanewise(VectorOperators.BIT_COUNT));
        accOr = accOr.add(x.or(y).lanewise(VectorOperators.BIT_COUNT));
      }
      and = accAnd.reduceLanes(VectorOperators.ADD);
      or = accOr.reduceLanes(VectorOperators.ADD);
    }
    for (; i < words; i++) {
      and += Long.bitCount(a[ao + i] & b[bo + i]);
      or += Long.bitCount(a[ao + i] | b[bo + i]);
    }
    return (and << 32) | (or & 0xFFFFFFFFL);
  }
}
