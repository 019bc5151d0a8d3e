package io.quiver.index.internal;

import io.quiver.index.HalfFloats;
import io.quiver.index.simd.VectorUtil;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Row-major vectors scored against float32 queries: float32 on the heap ({@code float[]}) or in a memory-mapped file
 * ({@link MemorySegment}), or FLOAT16 / BFLOAT16 kept as 16 bits ({@link HalfVectors}). Distances are "lower is
 * better": squared L2, or negated inner product when {@code ip} is true. Three subclasses only: a JVM serving one
 * kind of collection keeps its call sites bimorphic.
 */
public abstract sealed class FloatVectors permits FloatVectors.OnHeap, FloatVectors.Mapped, HalfVectors {
  protected final int dim;
  protected final int size;
  protected final boolean ip;

  FloatVectors(int dim, int size, boolean ip) {
    this.dim = dim;
    this.size = size;
    this.ip = ip;
  }

  public static FloatVectors onHeap(float[] data, int dim, int size, boolean ip) {
    return new OnHeap(data, dim, size, ip);
  }

  /** The stored vectors of an index file, in the element type its header names. */
  public static FloatVectors read(IndexInput in, int dim, int size, boolean ip) {
    if (in.halfKind() != null) {
      return HalfVectors.read(in, in.halfKind(), dim, size, ip);
    }
    if (in.mapped()) {
      return new Mapped(in.readFloatSegment(), dim, size, ip);
    }
    return new OnHeap(in.readFloats(), dim, size, ip);
  }

  public final int dim() {
    return dim;
  }

  public final int size() {
    return size;
  }

  /** FLOAT16 or BFLOAT16 when the rows are stored as 16 bits, null for float32. */
  public HalfFloats.Kind halfKind() {
    return null;
  }

  public abstract float distance(float[] q, int row);

  /** Distance between two stored rows. */
  public abstract float distance(int rowA, int rowB);

  public abstract void distanceBatch(float[] q, int[] rows, int count, float[] out);

  /** Distances of rows firstRow..firstRow+count-1 (row by row unless a subclass has a range kernel). */
  public void distanceRange(float[] q, int firstRow, int count, float[] out) {
    for (int i = 0; i < count; i++) {
      out[i] = distance(q, firstRow + i);
    }
  }

  public abstract void copyRow(int row, float[] dst, int dstOffset);

  public abstract void write(IndexOutput out) throws IOException;

  public abstract long ramBytesUsed();

  /** Heap copy of all rows (training input). */
  public abstract float[] toArray();

  public static final class OnHeap extends FloatVectors {
    final float[] data;

    OnHeap(float[] data, int dim, int size, boolean ip) {
      super(dim, size, ip);
      this.data = data;
    }

    public float[] data() {
      return data;
    }

    @Override
    public float distance(float[] q, int row) {
      return ip ? -VectorUtil.dotProduct(q, 0, data, row * dim, dim) : VectorUtil.squareDistance(q, 0, data, row * dim, dim);
    }

    @Override
    public float distance(int a, int b) {
      return ip
          ? -VectorUtil.dotProduct(data, a * dim, data, b * dim, dim)
          : VectorUtil.squareDistance(data, a * dim, data, b * dim, dim);
    }

    @Override
    public void distanceBatch(float[] q, int[] rows, int count, float[] out) {
      if (ip) {
        VectorUtil.dotProductBatch(q, data, rows, count, dim, out);
        for (int i = 0; i < count; i++) {
          out[i] = -out[i];
        }
      } else {
        VectorUtil.squareDistanceBatch(q, data, rows, count, dim, out);
      }
    }

    @Override
    public void distanceRange(float[] q, int firstRow, int count, float[] out) {
      if (ip) {
        VectorUtil.dotProductRange(q, data, firstRow, count, dim, out);
        for (int i = 0; i < count; i++) {
          out[i] = -out[i];
        }
      } else {
        VectorUtil.squareDistanceRange(q, data, firstRow, count, dim, out);
      }
    }

    @Override
    public void copyRow(int row, float[] dst, int off) {
      System.arraycopy(data, row * dim, dst, off, dim);
    }

    @Override
    public void write(IndexOutput out) throws IOException {
      out.writeFloats(data, 0, size * dim);
    }

    @Override
    public long ramBytesUsed() {
      return 16L + 4L * data.length;
    }

    @Override
    public float[] toArray() {
      return data;
    }
  }

  public static final class Mapped extends FloatVectors {
    private static final ValueLayout.OfFloat F32 =
        ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    final MemorySegment seg;
    final long rowBytes;

    Mapped(MemorySegment seg, int dim, int size, boolean ip) {
      super(dim, size, ip);
      this.seg = seg;
      this.rowBytes = 4L * dim;
    }

    @Override
    public float distance(float[] q, int row) {
      return ip ? -VectorUtil.dotProduct(q, seg, row * rowBytes, dim) : VectorUtil.squareDistance(q, seg, row * rowBytes, dim);
    }

    @Override
    public float distance(int a, int b) {
      float[] tmp = new float[dim];
      copyRow(a, tmp, 0);
      return distance(tmp, b);
    }

    @Override
    public void distanceBatch(float[] q, int[] rows, int count, float[] out) {
      if (ip) {
        VectorUtil.dotProductBatch(q, seg, rows, count, dim, out);
        for (int i = 0; i < count; i++) {
          out[i] = -out[i];
        }
      } else {
        VectorUtil.squareDistanceBatch(q, seg, rows, count, dim, out);
      }
    }

    @Override
    public void copyRow(int row, float[] dst, int off) {
      MemorySegment.copy(seg, F32, row * rowBytes, dst, off, dim);
    }

    @Override
    public void write(IndexOutput out) throws IOException {
      out.writeFloats(toArray(), 0, size * dim);
    }

    @Override
    public long ramBytesUsed() {
      return 64 + seg.byteSize(); // mapped pages: off-heap, but resident when the index is hot
    }

    @Override
    public float[] toArray() {
      float[] a = new float[size * dim];
      MemorySegment.copy(seg, F32, 0, a, 0, a.length);
      return a;
    }
  }
}
