package io.quiver.index;

import java.util.Locale;

/** Similarity metrics, named as Milvus names them. */
public enum MetricType {
  /** Squared euclidean distance, ascending. */
  L2(false, false),
  /** Inner product, descending. */
  IP(true, false),
  /** Cosine similarity, descending (vectors are normalised at build and query time). */
  COSINE(true, false),
  /** Bit distance, ascending. */
  HAMMING(false, true),
  /** Jaccard distance, ascending. */
  JACCARD(false, true),
  /**
   * Okapi BM25 over term-frequency rows (the output of Milvus' BM25 function), descending: sparse indexes only; the
   * query's values are the terms' IDF weights, the rows' values the terms' counts.
   */
  BM25(true, false);

  private final boolean higherIsBetter;
  private final boolean binary;

  MetricType(boolean higherIsBetter, boolean binary) {
    this.higherIsBetter = higherIsBetter;
    this.binary = binary;
  }

  /** True for IP, COSINE and BM25: users see similarities ordered descending. */
  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /** True for HAMMING and JACCARD (binary vectors). */
  public boolean isBinary() {
    return binary;
  }

  /** Case-insensitive parse; an unknown name is an {@link IndexParamException}. */
  public static MetricType parse(String name) {
    if (name == null || name.isBlank()) {
      throw new IndexParamException("metric type is missing: must be one of L2, IP, COSINE, HAMMING, JACCARD, BM25");
    }
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IndexParamException(
          "invalid metric type " + name + ": must be one of L2, IP, COSINE, HAMMING, JACCARD, BM25");
    }
  }
}
