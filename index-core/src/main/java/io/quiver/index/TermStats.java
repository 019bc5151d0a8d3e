package io.quiver.index;

/**
 * What BM25's IDF and average length need from a set of rows: how many rows are allowed, the sum of their lengths
 * (each row's sum of term counts), and for each asked term how many of them contain it.
 */
public record TermStats(long rows, double totalLength, long[] docFreq) {
  /** Adds {@code other} (same terms, same order) into a new record. */
  public TermStats plus(TermStats other) {
    long[] df = docFreq.clone();
    for (int i = 0; i < df.length; i++) {
      df[i] += other.docFreq[i];
    }
    return new TermStats(rows + other.rows, totalLength + other.totalLength, df);
  }

  public static TermStats empty(int terms) {
    return new TermStats(0, 0, new long[terms]);
  }
}
