package io.quiver.index.internal;

import io.quiver.index.HalfFloats;
import io.quiver.index.IndexParamException;
import io.quiver.index.simd.VectorUtil;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * FLOAT16 / BFLOAT16 rows kept as their 16 bits (little-endian, two bytes a component, as Milvus sends them) in a
 * {@link MemorySegment}: a heap array (a build's input, a growing segment's column) or a slice of a memory-mapped
 * index file. They are scored by the float32 x 16-bit kernels, which widen each component exactly in registers, so
 * the rows cost half of float32 in memory and distances equal those of the same values held as float32.
 *
 * <p>COSINE: the rows are not normalised (a normalised half row would be rounded a second time); each row's
 * inverse norm, kept in {@code scale}, multiplies its negated dot product, which equals the negated dot product with
 * the normalised row. {@link #copyRow} and {@link #toArray} return normalised rows, so an index sees the same rows
 * as it would over normalised float32 storage.
 */
public final class HalfVectors extends FloatVectors {
  private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** The rows: {@link #heap} when they live on the heap, else a native (memory-mapped) segment. */
  private final MemorySegment seg;
  /** Heap rows, scored by the array kernels (segment kernels only ever see native segments), else null. */
  private final byte[] heap;
  private final HalfFloats.Kind kind;
  /** COSINE: inverse norm of each row (0 for a zero row); null for L2 and IP. */
  private final float[] scale;
  private final long rowBytes;
  /** A widened row for {@link #distance(int, int)} (HNSW build), one per thread. */
  private final ThreadLocal<WidenedRow> rowScratch;

  /**
   * The last row a thread widened: HNSW's neighbour selection compares one candidate with each selected neighbour in
   * turn, so the candidate is widened once, not once per comparison.
   */
  private static final class WidenedRow {
    final float[] values;
    int row = -1;

    WidenedRow(int dim) {
      values = new float[dim];
    }
  }

  private HalfVectors(byte[] heap, MemorySegment seg, HalfFloats.Kind kind, int dim, int size, boolean ip,
      float[] scale) {
    super(dim, size, ip);
    if (seg.byteSize() < 2L * dim * size) {
      throw new IndexParamException("half-float vectors too short: need rows*dim*2=" + 2L * dim * size + " bytes, got "
          + seg.byteSize());
    }
    if (scale != null && scale.length < size) {
      throw new IndexParamException("inverse norms cover " + scale.length + " rows, need " + size);
    }
    this.seg = seg;
    this.heap = heap;
    this.kind = kind;
    this.scale = scale;
    this.rowBytes = 2L * dim;
    this.rowScratch = ThreadLocal.withInitial(() -> new WidenedRow(dim));
  }

  /**
   * The first {@code size} rows of {@code data} (not copied). {@code inverseNorms} is given for COSINE only (see
   * {@link #inverseNorms}); then {@code ip} must be true.
   */
  public static HalfVectors wrap(byte[] data, HalfFloats.Kind kind, int dim, int size, boolean ip, float[] inverseNorms) {
    return new HalfVectors(data, MemorySegment.ofArray(data), kind, dim, size, ip, inverseNorms);
  }

  /** Inverse L2 norms of rows {@code from..to-1} into {@code out} (0 for a zero row). */
  public static void inverseNorms(byte[] data, HalfFloats.Kind kind, int dim, int from, int to, float[] out) {
    float[] row = new float[dim];
    for (int r = from; r < to; r++) {
      HalfFloats.decode(data, r * dim, dim, kind, row, 0);
      float n = (float) Math.sqrt(VectorUtil.dotProduct(row, 0, row, 0, dim));
      out[r] = n == 0 ? 0f : 1f / n;
    }
  }

  static HalfVectors read(IndexInput in, HalfFloats.Kind kind, int dim, int size, boolean ip) {
    byte[] heap = in.mapped() ? null : in.readByteArray();
    MemorySegment rows = heap == null ? in.readByteSegment() : MemorySegment.ofArray(heap);
    float[] norms = in.readFloats();
    return new HalfVectors(heap, rows, kind, dim, size, ip, norms.length == 0 ? null : norms);
  }

  public HalfFloats.Kind kind() {
    return kind;
  }

  @Override
  public HalfFloats.Kind halfKind() {
    return kind;
  }

  /** The rows' bytes in order {@code order} (row numbers), with their inverse norms: IVF's list-ordered copy. */
  public HalfVectors reorder(int[] order) {
    byte[] out = new byte[Math.toIntExact(rowBytes * order.length)];
    float[] s = scale == null ? null : new float[order.length];
    for (int p = 0; p < order.length; p++) {
      MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, order[p] * rowBytes, out, (int) (p * rowBytes), (int) rowBytes);
      if (s != null) {
        s[p] = scale[order[p]];
      }
    }
    return wrap(out, kind, dim, order.length, ip, s);
  }

  private float scaled(float d, int row) {
    return scale == null ? d : d * scale[row];
  }

  @Override
  public float distance(float[] q, int row) {
    float d;
    if (heap != null) {
      int off = (int) (row * rowBytes);
      d = ip ? -VectorUtil.dotProduct(q, heap, off, dim, kind) : VectorUtil.squareDistance(q, heap, off, dim, kind);
    } else {
      long off = row * rowBytes;
      d = ip ? -VectorUtil.dotProduct(q, seg, off, dim, kind) : VectorUtil.squareDistance(q, seg, off, dim, kind);
    }
    return scaled(d, row);
  }

  @Override
  public float distance(int a, int b) {
    WidenedRow w = rowScratch.get();
    if (w.row != a) {
      copyRow(a, w.values, 0);
      w.row = a;
    }
    return distance(w.values, b);
  }

  @Override
  public void distanceBatch(float[] q, int[] rows, int count, float[] out) {
    if (ip && heap != null) {
      VectorUtil.dotProductBatch(q, heap, rows, count, dim, kind, out);
    } else if (ip) {
      VectorUtil.dotProductBatch(q, seg, rows, count, dim, kind, out);
    } else if (heap != null) {
      VectorUtil.squareDistanceBatch(q, heap, rows, count, dim, kind, out);
    } else {
      VectorUtil.squareDistanceBatch(q, seg, rows, count, dim, kind, out);
    }
    if (ip) {
      for (int i = 0; i < count; i++) {
        out[i] = scaled(-out[i], rows[i]);
      }
    }
  }

  @Override
  public void copyRow(int row, float[] dst, int off) {
    long base = row * rowBytes;
    float s = scale == null ? 1f : scale[row];
    for (int i = 0; i < dim; i++) {
      dst[off + i] = HalfFloats.toFloat(seg.get(I16, base + 2L * i), kind) * s;
    }
  }

  @Override
  public void write(IndexOutput out) throws IOException {
    out.writeByteSegment(seg, 0, rowBytes * size);
    out.writeFloats(scale == null ? new float[0] : scale, 0, scale == null ? 0 : size);
  }

  @Override
  public long ramBytesUsed() {
    return 64 + rowBytes * size + (scale == null ? 0 : 16 + 4L * scale.length);
  }

  @Override
  public float[] toArray() {
    float[] a = new float[size * dim];
    for (int r = 0; r < size; r++) {
      copyRow(r, a, r * dim);
    }
    return a;
  }
}
