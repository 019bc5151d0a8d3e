package io.quiver.index.internal;

import io.quiver.index.IndexParamException;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;

/**
 * FLAT over a caller's row-major array, not copied: exact search for rows that have no index yet (a growing or
 * unindexed segment's vectors), with the same blocked SIMD kernels as {@link FlatIndex}. COSINE rows are raw:
 * scored as {@code dot(q / |q|, x) * (1 / |x|)} with the inverse norms given (from a {@code RowNorms} cache).
 * FLOAT16 / BFLOAT16 rows are scored as their 16 bits ({@link HalfVectors}).
 */
public final class ExactView extends FlatIndex {
  public ExactView(IndexSpec spec, float[] data, int rows, float[] inverseNorms) {
    super(spec, FloatVectors.onHeap(checked(spec, data, rows, inverseNorms), spec.dim(), rows,
        spec.metric() != MetricType.L2), inverseNorms);
  }

  /** Over FLOAT16 / BFLOAT16 rows, which carry their own inverse norms for COSINE. */
  public ExactView(IndexSpec spec, HalfVectors rows) {
    super(spec, rows, null);
    checkMetric(spec.metric());
  }

  private static void checkMetric(MetricType metric) {
    if (metric != MetricType.L2 && metric != MetricType.IP && metric != MetricType.COSINE) {
      throw new IndexParamException("metric " + metric + " does not apply to float vectors");
    }
  }

  private static float[] checked(IndexSpec spec, float[] data, int rows, float[] inverseNorms) {
    MetricType metric = spec.metric();
    checkMetric(metric);
    if (data.length < (long) rows * spec.dim()) {
      throw new IndexParamException("vectors too short: need rows*dim=" + (long) rows * spec.dim() + " floats");
    }
    if ((metric == MetricType.COSINE) != (inverseNorms != null)) {
      throw new IndexParamException("COSINE needs the rows' inverse norms; other metrics take none");
    }
    if (inverseNorms != null && inverseNorms.length < rows) {
      throw new IndexParamException("inverse norms cover " + inverseNorms.length + " rows, need " + rows);
    }
    return data;
  }

  @Override
  protected void writeBody(IndexOutput out) {
    throw new IndexParamException("an exact view over live rows is not an index file: build FLAT to persist one");
  }

  @Override
  public long ramBytesUsed() {
    return 64; // the rows and norms belong to the caller
  }
}
