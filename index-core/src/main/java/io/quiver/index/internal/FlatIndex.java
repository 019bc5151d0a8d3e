package io.quiver.index.internal;

import io.quiver.index.HalfFloats;
import io.quiver.index.IndexSpec;
import java.io.IOException;
import java.util.Map;

/**
 * FLAT: exact search by a blocked SIMD scan over all (allowed) rows. With {@code scale}, each row's internal distance
 * is multiplied by its entry (an {@link ExactView}'s COSINE over raw rows).
 */
public class FlatIndex extends AbstractFloatIndex {
  private final FloatVectors vectors;
  private final float[] scale;
  private final ScratchPool<Scratch> pool = new ScratchPool<>(Scratch::new);

  private static final class Scratch {
    final float[] buf = newBlockBuffer();
    final int[] rows = newRowBuffer();
  }

  public FlatIndex(IndexSpec spec, FloatVectors vectors) {
    this(spec, vectors, null);
  }

  protected FlatIndex(IndexSpec spec, FloatVectors vectors, float[] scale) {
    super(spec);
    this.vectors = vectors;
    this.scale = scale;
  }

  public static FlatIndex read(IndexSpec spec, IndexInput in) {
    int n = in.readInt();
    return new FlatIndex(spec, FloatVectors.read(in, spec.dim(), n, isIp(spec)));
  }

  static boolean isIp(IndexSpec spec) {
    return spec.metric() == io.quiver.index.MetricType.IP || spec.metric() == io.quiver.index.MetricType.COSINE;
  }

  @Override
  public final int size() {
    return vectors.size();
  }

  @Override
  protected void searchOne(float[] q, int k, Map<String, String> params, FilterInfo filter, TopK out) {
    Scratch s = pool.acquire();
    try {
      exactTopK(vectors, scale, q, filter, out, s.buf, s.rows);
    } finally {
      pool.release(s);
    }
  }

  @Override
  protected void rangeOne(float[] q, float lo, float hi, Map<String, String> params, FilterInfo filter,
      RangeCollector out) {
    exactRange(vectors, scale, q, lo, hi, filter, out);
  }

  @Override
  protected void writeBody(IndexOutput out) throws IOException {
    out.writeInt(vectors.size());
    vectors.write(out);
  }

  @Override
  protected HalfFloats.Kind storedHalfKind() {
    return vectors.halfKind();
  }

  @Override
  public long ramBytesUsed() {
    return 64 + vectors.ramBytesUsed();
  }
}
