package io.quiver.index;

/**
 * Range search results: the hits of query q are {@code rows/scores[offsets[q] .. offsets[q+1])}, in
 * Milvus result order (best first).
 */
public record RangeResult(int nq, int[] offsets, int[] rows, float[] scores) {
  public int count(int query) {
    return offsets[query + 1] - offsets[query];
  }
}
