package io.quiver.index.internal;

import io.quiver.index.Bits;
import io.quiver.index.IndexParamException;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.RangeResult;
import io.quiver.index.SearchResult;
import io.quiver.index.SparseVectors;
import io.quiver.index.VectorIndex;
import java.util.Arrays;
import java.util.Map;

/**
 * Shared query plumbing of the sparse indexes (inner product, or BM25 over term counts: each row value is then
 * saturated by {@link Bm25Norm} with the row's length before it is weighted): argument checks, {@code drop_ratio_search} (query terms
 * below that quantile of the query's values are left out, as knowhere does), conversion of internal distances
 * ({@code -score}, ascending, as the float indexes keep them) to Milvus scores, and range-search bounds.
 *
 * <p>Only rows sharing a term with the query and scoring above 0 are hits, as in knowhere (its brute force keeps
 * positive scores only, its inverted index never reaches a row without a common term): a row with no common term is
 * no match, so an exact scan and an index return the same rows.
 */
public abstract class AbstractSparseIndex implements VectorIndex {
  protected final IndexSpec spec;

  protected AbstractSparseIndex(IndexSpec spec) {
    if (spec.metric() != MetricType.IP && spec.metric() != MetricType.BM25) {
      throw new IndexParamException("metric type not found or not supported, supported: [IP BM25]");
    }
    this.spec = spec;
  }

  /** One query's kept terms, ascending by index (scratch reused per call). */
  protected static final class Query {
    int[] indices = new int[16];
    float[] weights = new float[16];
    int size;
    /** BM25's saturation of row values (null for IP: a row value is used as is). */
    Bm25Norm bm25;

    void set(SparseVectors queries, int q, double dropRatio, float[] sortBuf) {
      int from = queries.start(q);
      int to = queries.start(q + 1);
      int n = to - from;
      if (indices.length < n) {
        indices = new int[n];
        weights = new float[n];
      }
      float threshold = threshold(queries.values(), from, n, dropRatio, sortBuf);
      size = 0;
      for (int i = from; i < to; i++) {
        float w = queries.values()[i];
        if (w > 0 && w >= threshold) {
          indices[size] = queries.indices()[i];
          weights[size++] = w;
        }
      }
    }

    /** The {@code dropRatio} quantile of the values (0 when nothing is dropped). */
    private static float threshold(float[] values, int from, int n, double dropRatio, float[] sortBuf) {
      int drop = (int) (dropRatio * n);
      if (drop == 0) {
        return 0f;
      }
      float[] sorted = sortBuf.length >= n ? sortBuf : new float[n];
      System.arraycopy(values, from, sorted, 0, n);
      Arrays.sort(sorted, 0, n);
      return sorted[drop];
    }
  }

  @Override
  public final IndexSpec spec() {
    return spec;
  }

  /** One query into {@code out} (internal distance {@code -score}, only scores above 0). */
  protected abstract void searchOne(Query q, int k, SparseParams.Search params, FilterInfo filter, TopK out);

  /** Every hit of one query with internal distance in [lo, hi) and score above 0. */
  protected abstract void rangeOne(Query q, float lo, float hi, FilterInfo filter, RangeCollector out);

  @Override
  public final SearchResult searchSparse(SparseVectors queries, int k, Map<String, String> searchParams, Bits filter) {
    IndexParams.checkK(k);
    SparseParams.Search params = SparseParams.search(searchParams, spec.metric(), spec.buildParams());
    int nq = queries.rows();
    FilterInfo fi = FilterInfo.of(filter, size());
    int[] rows = new int[nq * k];
    float[] scores = new float[nq * k];
    TopK top = new TopK(k);
    long[] sorted = new long[k];
    Query query = new Query();
    query.bm25 = params.bm25();
    float[] sortBuf = new float[64];
    for (int i = 0; i < nq; i++) {
      query.set(queries, i, params.dropRatio(), sortBuf);
      top.reset(k);
      if (size() > 0 && fi.allowed > 0 && query.size > 0) {
        searchOne(query, k, params, fi, top);
      }
      int c = top.drainAscending(sorted);
      for (int j = 0; j < k; j++) {
        rows[i * k + j] = j < c ? Packed.row(sorted[j]) : -1;
        scores[i * k + j] = j < c ? -Packed.distance(sorted[j]) : Float.NEGATIVE_INFINITY;
      }
    }
    return new SearchResult(nq, k, rows, scores);
  }

  @Override
  public final RangeResult rangeSearchSparse(SparseVectors queries, float radius, float rangeFilter,
      Map<String, String> searchParams, Bits filter) {
    SparseParams.Search params = SparseParams.search(searchParams, spec.metric(), spec.buildParams());
    float[] loHi = AbstractFloatIndex.rangeBounds(MetricType.IP, radius, rangeFilter);
    int nq = queries.rows();
    FilterInfo fi = FilterInfo.of(filter, size());
    RangeCollector rc = new RangeCollector(nq);
    Query query = new Query();
    query.bm25 = params.bm25();
    float[] sortBuf = new float[64];
    for (int i = 0; i < nq; i++) {
      query.set(queries, i, params.dropRatio(), sortBuf);
      if (size() > 0 && fi.allowed > 0 && query.size > 0) {
        rangeOne(query, loHi[0], Math.min(loHi[1], 0f), fi, rc);
      }
      rc.endQuery(i);
    }
    float[] d = rc.dists();
    for (int i = 0; i < d.length; i++) {
      d[i] = -d[i];
    }
    return new RangeResult(nq, rc.offsets, rc.rows(), d);
  }

  @Override
  public final SearchResult search(float[] queries, int nq, int k, Map<String, String> searchParams, Bits filter) {
    throw denseQueries();
  }

  @Override
  public final SearchResult searchBinary(byte[] queries, int nq, int k, Map<String, String> searchParams,
      Bits filter) {
    throw denseQueries();
  }

  @Override
  public final RangeResult rangeSearch(float[] queries, int nq, float radius, float rangeFilter,
      Map<String, String> searchParams, Bits filter) {
    throw denseQueries();
  }

  private IndexParamException denseQueries() {
    return new IndexParamException("index type " + spec.indexType() + " takes sparse float vectors, not dense vectors");
  }
}
