package io.quiver.index;

/**
 * Top-k results, row-major {@code nq * k}. Rows are build ordinals; a missing result has row -1 and
 * score +inf (ascending metrics) or -inf (descending metrics). Scores are what Milvus returns: L2 squared
 * distance ascending, IP/COSINE similarity descending, HAMMING/JACCARD distance ascending.
 */
public record SearchResult(int nq, int k, int[] rows, float[] scores) {
  public int row(int query, int rank) {
    return rows[query * k + rank];
  }

  public float score(int query, int rank) {
    return scores[query * k + rank];
  }
}
