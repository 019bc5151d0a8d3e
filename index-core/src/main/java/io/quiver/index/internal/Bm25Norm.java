package io.quiver.index.internal;

/**
 * BM25's term-frequency saturation for one search (Lucene's and Milvus' formula): a term counted {@code tf} times in a
 * row of length {@code dl} (the sum of the row's counts) weighs {@code tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl))};
 * a row's score is the sum over the query's terms of the query weight (the term's IDF times its count in the query)
 * times that. Increasing in {@code tf}, decreasing in {@code dl}: {@code norm(maxTf, minDl)} bounds a posting list.
 */
public final class Bm25Norm {
  private final float k1Plus1;
  private final float c1;
  private final float c2;

  public Bm25Norm(float k1, float b, float avgdl) {
    this.k1Plus1 = k1 + 1f;
    this.c1 = k1 * (1f - b);
    this.c2 = k1 * b / avgdl;
  }

  public float norm(float tf, float dl) {
    return tf * k1Plus1 / (tf + c1 + c2 * dl);
  }
}
