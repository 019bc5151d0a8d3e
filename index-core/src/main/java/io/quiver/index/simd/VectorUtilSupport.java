package io.quiver.index.simd;

import io.quiver.index.HalfFloats;
import java.lang.foreign.MemorySegment;

/**
 * The kernel set behind {@link VectorUtil}: one scalar and one Panama ({@code jdk.incubator.vector})
 * implementation, chosen once by {@link VectorizationProvider}.
 *
 * <p>Offsets into {@code float[]}/{@code byte[]}/{@code long[]} are element offsets; offsets into a
 * {@link MemorySegment} are byte offsets. Segments hold little-endian data. Batch methods score one
 * query against {@code count} rows of a row-major matrix with {@code dim} columns; {@code rows}
 * holds row numbers (not offsets).
 */
public interface VectorUtilSupport {

  /** Sum of squared differences. */
  float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int length);

  float dotProduct(float[] a, int aOffset, float[] b, int bOffset, int length);

  /** Cosine similarity; 0 when either vector is all zero. */
  float cosine(float[] a, float[] b, int length);

  float squareDistance(float[] q, MemorySegment data, long byteOffset, int length);

  float dotProduct(float[] q, MemorySegment data, long byteOffset, int length);

  /**
   * Sum of squared differences between {@code q} and a 16-bit row at {@code byteOffset} of {@code data} (FLOAT16 or
   * BFLOAT16 per {@code kind}, little-endian, two bytes a component), each component widened to float32 exactly.
   */
  float squareDistance(float[] q, MemorySegment data, long byteOffset, int length, HalfFloats.Kind kind);

  /** Dot product of {@code q} and a 16-bit row, as {@link #squareDistance(float[], MemorySegment, long, int, HalfFloats.Kind)}. */
  float dotProduct(float[] q, MemorySegment data, long byteOffset, int length, HalfFloats.Kind kind);

  /** Scores {@code count} 16-bit rows (row numbers in {@code rows}) of a row-major matrix with {@code dim} columns. */
  void squareDistanceBatch(float[] q, MemorySegment data, int[] rows, int count, int dim, HalfFloats.Kind kind,
      float[] out);

  void dotProductBatch(float[] q, MemorySegment data, int[] rows, int count, int dim, HalfFloats.Kind kind,
      float[] out);

  /**
   * The 16-bit kernels above over a heap array ({@code byteOffset} into {@code data}): a growing segment's column or
   * a built index. Kept apart from the {@link MemorySegment} forms so that the segment kernels only ever see native
   * (memory-mapped) segments: a vector load from a heap segment is not intrinsified, and a call site that sees both
   * kinds of segment loses the fast path for both.
   */
  float squareDistance(float[] q, byte[] data, int byteOffset, int length, HalfFloats.Kind kind);

  float dotProduct(float[] q, byte[] data, int byteOffset, int length, HalfFloats.Kind kind);

  void squareDistanceBatch(float[] q, byte[] data, int[] rows, int count, int dim, HalfFloats.Kind kind, float[] out);

  void dotProductBatch(float[] q, byte[] data, int[] rows, int count, int dim, HalfFloats.Kind kind, float[] out);

  void squareDistanceBatch(float[] q, float[] data, int[] rows, int count, int dim, float[] out);

  void dotProductBatch(float[] q, float[] data, int[] rows, int count, int dim, float[] out);

  void squareDistanceBatch(float[] q, MemorySegment data, int[] rows, int count, int dim, float[] out);

  void dotProductBatch(float[] q, MemorySegment data, int[] rows, int count, int dim, float[] out);

  /** Scores consecutive rows {@code firstRow .. firstRow+count-1}. */
  void squareDistanceRange(float[] q, float[] data, int firstRow, int count, int dim, float[] out);

  void dotProductRange(float[] q, float[] data, int firstRow, int count, int dim, float[] out);

  /**
   * 4x4 tile of dot products, the GEMM micro-kernel of k-means assignment: {@code out[outOff + 4*i + j] =
   * a[aOff + i*aStride ..] · b[bOff + j*bStride ..]} for i, j in 0..3, over {@code length} components.
   */
  void dotProductTile4x4(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int length,
      float[] out, int outOff);

  /** Signed int8 dot product. */
  int int8DotProduct(byte[] a, int aOffset, byte[] b, int bOffset, int length);

  /** Signed int8 squared distance. */
  int int8SquareDistance(byte[] a, int aOffset, byte[] b, int bOffset, int length);

  /** Asymmetric float x signed-int8 dot product (SQ8 scans). */
  float dotProductF32I8(float[] q, byte[] codes, int codeOffset, int length);

  float dotProductF32I8(float[] q, MemorySegment codes, long byteOffset, int length);

  /**
   * PQ asymmetric distance: sum over sub-quantizers j of {@code lut[j * ksub + code_j]}, codes are
   * unsigned bytes.
   */
  float pqAdc(float[] lut, int ksub, byte[] codes, int codeOffset, int m);

  /**
   * PQ lookup table for one sub-quantizer: {@code lut[lutOff + c] = sum_d (v[vOff+d] - cbT[cbOff + d*ksub + c])²}
   * (l2) or {@code -sum_d v[vOff+d] * cbT[cbOff + d*ksub + c]} (ip), with codebooks transposed to
   * [dsub][ksub].
   */
  void pqLut(float[] v, int vOff, float[] cbT, int cbOff, int dsub, int ksub, float[] lut, int lutOff, boolean l2);

  int hamming(long[] a, int aOffset, long[] b, int bOffset, int words);

  /** popcount(a AND b) in the high 32 bits, popcount(a OR b) in the low 32 bits. */
  long andOrCount(long[] a, int aOffset, long[] b, int bOffset, int words);
}
