package io.quiver.index.internal;

import io.quiver.index.Bits;
import io.quiver.index.FixedBits;
import io.quiver.index.HalfFloats;
import io.quiver.index.IndexParamException;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.RangeResult;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorIndex;
import io.quiver.index.simd.VectorUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * Shared query plumbing of the float indexes: argument checks, COSINE query normalisation, conversion of
 * internal "lower is better" distances (L2, or negated inner product) to Milvus scores, result padding,
 * range-search semantics and the exact (brute-force) top-k used by FLAT and by filtered fallbacks.
 *
 * <p>COSINE: rows are normalised at build time and queries at search time, so cosine = inner product.
 * An all-zero vector cannot be normalised; it is kept as zeros and scores 0 against everything (and an
 * all-zero query scores 0 against every row), which is also what the cosine kernel returns.
 */
public abstract class AbstractFloatIndex implements VectorIndex {
  public static final int MAGIC = 0x58495651; // "QVIX" little-endian
  /** Format version 1: raw vectors (if any) are float32. Still written for such indexes, byte for byte. */
  public static final int VERSION = 1;
  /**
   * Format version 2: version 1 with one int after the dimension, the element type of the raw vectors (1 FLOAT16,
   * 2 BFLOAT16), stored as 16 bits ({@link HalfVectors}). Written only by indexes over 16-bit rows.
   */
  public static final int VERSION_HALF = 2;

  protected final IndexSpec spec;
  protected final MetricType metric;
  protected final int dim;
  protected final boolean ip;

  protected AbstractFloatIndex(IndexSpec spec) {
    this.spec = spec;
    this.metric = spec.metric();
    this.dim = spec.dim();
    this.ip = metric == MetricType.IP || metric == MetricType.COSINE;
  }

  @Override
  public IndexSpec spec() {
    return spec;
  }

  /** One query (already normalised for COSINE) into {@code out}, internal distances. */
  protected abstract void searchOne(float[] q, int k, Map<String, String> params, FilterInfo filter, TopK out);

  /** All hits of one query with internal distance in [lo, hi) (lo may be -inf). */
  protected abstract void rangeOne(float[] q, float lo, float hi, Map<String, String> params, FilterInfo filter,
      RangeCollector out);

  /** Parses and validates the search params once per call (before any query runs). */
  protected void checkSearchParams(Map<String, String> params, int k) {}

  @Override
  public SearchResult search(float[] queries, int nq, int k, Map<String, String> params, Bits filter) {
    IndexParams.checkK(k);
    checkQueries(queries == null ? -1 : queries.length, nq);
    checkSearchParams(params, k);
    FilterInfo fi = FilterInfo.of(filter, size());
    int[] rows = new int[nq * k];
    float[] scores = new float[nq * k];
    float[] q = new float[dim];
    TopK top = new TopK(k);
    long[] sorted = new long[k];
    float pad = metric.higherIsBetter() ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
    for (int i = 0; i < nq; i++) {
      System.arraycopy(queries, i * dim, q, 0, dim);
      if (metric == MetricType.COSINE) {
        VectorUtil.normalize(q, 0, dim);
      }
      top.reset(k);
      if (size() > 0 && fi.allowed > 0) {
        searchOne(q, k, params, fi, top);
      }
      int c = top.drainAscending(sorted);
      int base = i * k;
      for (int j = 0; j < k; j++) {
        if (j < c) {
          rows[base + j] = Packed.row(sorted[j]);
          scores[base + j] = userScore(Packed.distance(sorted[j]));
        } else {
          rows[base + j] = -1;
          scores[base + j] = pad;
        }
      }
    }
    return new SearchResult(nq, k, rows, scores);
  }

  @Override
  public SearchResult searchBinary(byte[] queries, int nq, int k, Map<String, String> params, Bits filter) {
    throw new IndexParamException("index type " + spec.indexType() + " takes float vectors, not binary vectors");
  }

  @Override
  public RangeResult rangeSearch(float[] queries, int nq, float radius, float rangeFilter,
      Map<String, String> params, Bits filter) {
    checkQueries(queries == null ? -1 : queries.length, nq);
    checkSearchParams(params, 1);
    float[] loHi = rangeBounds(metric, radius, rangeFilter);
    FilterInfo fi = FilterInfo.of(filter, size());
    RangeCollector rc = new RangeCollector(nq);
    float[] q = new float[dim];
    for (int i = 0; i < nq; i++) {
      System.arraycopy(queries, i * dim, q, 0, dim);
      if (metric == MetricType.COSINE) {
        VectorUtil.normalize(q, 0, dim);
      }
      if (size() > 0 && fi.allowed > 0) {
        rangeOne(q, loHi[0], loHi[1], params, fi, rc);
      }
      rc.endQuery(i);
    }
    float[] d = rc.dists();
    for (int i = 0; i < d.length; i++) {
      d[i] = userScore(d[i]);
    }
    return new RangeResult(nq, rc.offsets, rc.rows(), d);
  }

  /**
   * Internal-distance interval [lo, hi) for Milvus range semantics. Ascending metrics keep
   * rangeFilter <= d < radius. Descending metrics keep radius < s <= rangeFilter, i.e. -rangeFilter <= -s
   * < -radius.
   */
  public static float[] rangeBounds(MetricType metric, float radius, float rangeFilter) {
    if (Float.isNaN(radius)) {
      throw new IndexParamException("invalid search param radius=NaN: must be a number");
    }
    boolean hasFilter = !Float.isNaN(rangeFilter);
    if (metric.higherIsBetter()) {
      if (hasFilter && !(rangeFilter > radius)) {
        throw new IndexParamException("invalid search param range_filter=" + rangeFilter + ": must be > radius="
            + radius + " for metric " + metric);
      }
      return new float[] {hasFilter ? -rangeFilter : Float.NEGATIVE_INFINITY, -radius};
    }
    if (hasFilter && !(rangeFilter < radius)) {
      throw new IndexParamException("invalid search param range_filter=" + rangeFilter + ": must be < radius="
          + radius + " for metric " + metric);
    }
    return new float[] {hasFilter ? rangeFilter : Float.NEGATIVE_INFINITY, radius};
  }

  protected final float userScore(float internal) {
    return ip ? -internal : internal;
  }

  protected final void checkQueries(int length, int nq) {
    if (nq < 0 || length < (long) nq * dim) {
      throw new IndexParamException("query vectors too short: need nq*dim=" + (long) nq * dim + " floats, got "
          + length);
    }
  }

  // ------------------------------------------------------------ exact search helpers

  private static final int BLOCK = 256;

  /** Exact top-k over all rows (no filter) or over the allowed rows. */
  public static void exactTopK(FloatVectors vecs, float[] q, FilterInfo filter, TopK out, float[] buf, int[] rowBuf) {
    exactTopK(vecs, null, q, filter, out, buf, rowBuf);
  }

  /**
   * Exact top-k; with {@code scale}, each row's internal distance is multiplied by {@code scale[row]} (COSINE over
   * raw rows: the negated dot product times the row's inverse norm).
   */
  public static void exactTopK(FloatVectors vecs, float[] scale, float[] q, FilterInfo filter, TopK out, float[] buf,
      int[] rowBuf) {
    int n = vecs.size();
    if (filter == null || filter.none()) {
      for (int from = 0; from < n; from += BLOCK) {
        int cnt = Math.min(BLOCK, n - from);
        vecs.distanceRange(q, from, cnt, buf);
        for (int j = 0; j < cnt; j++) {
          out.offer(scale == null ? buf[j] : buf[j] * scale[from + j], from + j);
        }
      }
      return;
    }
    int cnt = 0;
    Bits bits = filter.bits;
    if (bits instanceof FixedBits fb) {
      for (int r = fb.nextSetBit(0); r >= 0 && r < n; r = fb.nextSetBit(r + 1)) {
        rowBuf[cnt++] = r;
        if (cnt == BLOCK) {
          flush(vecs, scale, q, rowBuf, cnt, buf, out);
          cnt = 0;
        }
      }
    } else {
      int lim = Math.min(n, bits.length());
      for (int r = 0; r < lim; r++) {
        if (bits.get(r)) {
          rowBuf[cnt++] = r;
          if (cnt == BLOCK) {
            flush(vecs, scale, q, rowBuf, cnt, buf, out);
            cnt = 0;
          }
        }
      }
    }
    flush(vecs, scale, q, rowBuf, cnt, buf, out);
  }

  private static void flush(FloatVectors vecs, float[] scale, float[] q, int[] rows, int cnt, float[] buf, TopK out) {
    if (cnt == 0) {
      return;
    }
    vecs.distanceBatch(q, rows, cnt, buf);
    for (int j = 0; j < cnt; j++) {
      out.offer(scale == null ? buf[j] : buf[j] * scale[rows[j]], rows[j]);
    }
  }

  /** Exact range scan over all (allowed) rows. */
  public static void exactRange(FloatVectors vecs, float[] q, float lo, float hi, FilterInfo filter,
      RangeCollector out) {
    exactRange(vecs, null, q, lo, hi, filter, out);
  }

  /** Exact range scan; {@code scale} as in {@link #exactTopK(FloatVectors, float[], float[], FilterInfo, TopK, float[], int[])}. */
  public static void exactRange(FloatVectors vecs, float[] scale, float[] q, float lo, float hi, FilterInfo filter,
      RangeCollector out) {
    int n = vecs.size();
    float[] buf = new float[BLOCK];
    for (int from = 0; from < n; from += BLOCK) {
      int cnt = Math.min(BLOCK, n - from);
      vecs.distanceRange(q, from, cnt, buf);
      for (int j = 0; j < cnt; j++) {
        float d = scale == null ? buf[j] : buf[j] * scale[from + j];
        if (d >= lo && d < hi && filter.allows(from + j)) {
          out.add(from + j, d);
        }
      }
    }
  }

  public static float[] newBlockBuffer() {
    return new float[BLOCK];
  }

  public static int[] newRowBuffer() {
    return new int[BLOCK];
  }

  // ------------------------------------------------------------ serialisation

  @Override
  public final void write(OutputStream os) throws IOException {
    IndexOutput out = new IndexOutput(os);
    writeHeader(out, spec, storedHalfKind());
    writeBody(out);
    out.finish();
  }

  protected abstract void writeBody(IndexOutput out) throws IOException;

  /** FLOAT16 / BFLOAT16 when the index keeps raw rows as 16 bits (written as format version 2), else null. */
  protected HalfFloats.Kind storedHalfKind() {
    return null;
  }

  /** A version 1 header (no raw vectors, or float32 ones). */
  public static void writeHeader(IndexOutput out, IndexSpec spec) throws IOException {
    writeHeader(out, spec, null);
  }

  private static void writeHeader(IndexOutput out, IndexSpec spec, HalfFloats.Kind half) throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(half == null ? VERSION : VERSION_HALF);
    out.writeString(spec.indexType());
    out.writeString(spec.metric().name());
    out.writeInt(spec.dim());
    if (half != null) {
      out.writeInt(1 + half.ordinal());
    }
    out.writeInt(spec.buildParams().size());
    for (Map.Entry<String, String> e : spec.buildParams().entrySet()) {
      out.writeString(e.getKey());
      out.writeString(e.getValue());
    }
  }

  /** Copies a query into a normalised buffer for COSINE; identity otherwise. */
  protected final float[] prepare(float[] q, float[] buf) {
    System.arraycopy(q, 0, buf, 0, dim);
    if (metric == MetricType.COSINE) {
      VectorUtil.normalize(buf, 0, dim);
    }
    return buf;
  }
}
