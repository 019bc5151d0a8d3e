package io.quiver.index;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * A built, immutable vector index over rows {@code 0..size()-1}. All search methods are thread-safe.
 *
 * <p>{@code filter} may be null (all rows allowed); a set bit means the row is allowed. Search
 * parameters use Milvus names ({@code ef}, {@code nprobe}); unknown names are ignored and invalid values
 * raise {@link IndexParamException}.
 */
public interface VectorIndex {
  IndexSpec spec();

  int size();

  SearchResult search(float[] queries, int nq, int k, Map<String, String> searchParams, Bits filter);

  SearchResult searchBinary(byte[] queries, int nq, int k, Map<String, String> searchParams, Bits filter);

  /**
   * Range search with Milvus semantics: L2/HAMMING/JACCARD keep {@code rangeFilter <= d < radius};
   * IP/COSINE keep {@code radius < s <= rangeFilter}. Pass NaN for an absent rangeFilter.
   */
  RangeResult rangeSearch(float[] queries, int nq, float radius, float rangeFilter, Map<String, String> searchParams,
      Bits filter);

  /** Range search over binary queries (BIN_* indexes). */
  default RangeResult rangeSearchBinary(byte[] queries, int nq, float radius, float rangeFilter,
      Map<String, String> searchParams, Bits filter) {
    throw new IndexParamException("index type " + spec().indexType() + " does not take binary vectors");
  }

  /** Top-k by inner product over sparse queries (SPARSE_* indexes and the sparse exact view). */
  default SearchResult searchSparse(SparseVectors queries, int k, Map<String, String> searchParams, Bits filter) {
    throw new IndexParamException("index type " + spec().indexType() + " does not take sparse float vectors");
  }

  /** Range search over sparse queries, semantics as {@link #rangeSearch} for IP. */
  default RangeResult rangeSearchSparse(SparseVectors queries, float radius, float rangeFilter,
      Map<String, String> searchParams, Bits filter) {
    throw new IndexParamException("index type " + spec().indexType() + " does not take sparse float vectors");
  }

  /**
   * BM25 statistics of the allowed rows for the given terms (unsigned term ids), for the sparse indexes and the sparse
   * exact view: the collection-wide IDF and average length a BM25 search needs are sums of these over every segment.
   */
  default TermStats termStats(int[] terms, Bits filter) {
    throw new IndexParamException("index type " + spec().indexType() + " keeps no term statistics");
  }

  void write(OutputStream out) throws IOException;

  long ramBytesUsed();
}
