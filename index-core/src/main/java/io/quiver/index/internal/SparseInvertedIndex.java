package io.quiver.index.internal;

import io.quiver.index.Bits;
import io.quiver.index.FixedBits;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.SparseVectors;
import io.quiver.index.TermStats;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * SPARSE_INVERTED_INDEX and SPARSE_WAND: one posting list per index (term) present in the rows, rows ascending with
 * their values, and each list's largest value. A query walks the lists of its terms with the configured
 * {@code inverted_index_algo}: TAAT_NAIVE accumulates every posting into a per-row score array; DAAT_WAND and
 * DAAT_MAXSCORE ({@link SparseDaat}) walk the lists row by row and skip rows whose score bound (query weight times
 * list maximum, scaled by {@code dim_max_score_ratio}) cannot enter the top-k. All three score a row by adding its
 * products in ascending term order, so with no drop ratio their top-k equals an exact inner-product search.
 *
 * <p>{@code drop_ratio_build} leaves out of the lists the values below that quantile of all the rows' values (as
 * knowhere 2.4 did; knowhere 2.5 ignores the parameter). Zero values are never stored: they add nothing to a score.
 *
 * <p>With metric BM25 the values are term counts and the index also keeps each row's length (the sum of its counts,
 * before any build drop) and each list's shortest row: a posting weighs {@link Bm25Norm#norm} of its count and row
 * length, and a list's bound is the norm of its largest count in its shortest row.
 *
 * <p>Body of the index file (after the common header): rows, terms (unsigned ascending), list starts, rows and values
 * of all lists, each list's maximum; with BM25 then each row's length and each list's shortest length.
 */
public final class SparseInvertedIndex extends AbstractSparseIndex {
  private final int n;
  private final SparseParams.Algo algo;
  final int[] terms;
  final int[] starts;
  final int[] docs;
  final float[] vals;
  final float[] maxVals;
  /** BM25 only (else null): each row's length, and the shortest row length of each list. */
  final float[] rowLen;
  final float[] minLen;
  private final double totalLen;
  private final ScratchPool<float[]> accumulators;
  private final ScratchPool<SparseDaat> daat;

  private SparseInvertedIndex(IndexSpec spec, int n, int[] terms, int[] starts, int[] docs, float[] vals,
      float[] maxVals, float[] rowLen, float[] minLen) {
    super(spec);
    this.rowLen = rowLen;
    this.minLen = minLen;
    double total = 0;
    for (int r = 0; rowLen != null && r < n; r++) {
      total += rowLen[r];
    }
    this.totalLen = total;
    this.n = n;
    this.algo = SparseParams.algo(IndexParams.type(spec), spec.buildParams());
    this.terms = terms;
    this.starts = starts;
    this.docs = docs;
    this.vals = vals;
    this.maxVals = maxVals;
    this.accumulators = new ScratchPool<>(() -> new float[n]);
    this.daat = new ScratchPool<>(() -> new SparseDaat(this));
  }

  public static SparseInvertedIndex build(IndexSpec spec, SparseVectors rows) {
    int n = rows.rows();
    float threshold = buildThreshold(rows.values(), SparseParams.dropRatioBuild(spec.buildParams()));
    int[] idx = rows.indices();
    float[] val = rows.values();
    int kept = 0;
    int[] flipped = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      if (keep(val[i], threshold)) {
        flipped[kept++] = idx[i] ^ Integer.MIN_VALUE; // signed order of flipped = unsigned order of indices
      }
    }
    Arrays.sort(flipped, 0, kept);
    int distinct = 0;
    for (int i = 0; i < kept; i++) {
      if (i == 0 || flipped[i] != flipped[i - 1]) {
        flipped[distinct++] = flipped[i];
      }
    }
    int[] terms = new int[distinct];
    for (int i = 0; i < distinct; i++) {
      terms[i] = flipped[i] ^ Integer.MIN_VALUE;
    }
    int[] termOf = flipped; // reused: the term ordinal of each stored pair
    int[] starts = new int[distinct + 1];
    for (int i = 0, s = 0; i < idx.length; i++) {
      if (keep(val[i], threshold)) {
        int t = find(terms, idx[i]);
        termOf[s++] = t;
        starts[t + 1]++;
      }
    }
    for (int t = 0; t < distinct; t++) {
      starts[t + 1] += starts[t];
    }
    int[] fill = Arrays.copyOf(starts, distinct);
    int[] docs = new int[kept];
    float[] vals = new float[kept];
    float[] maxVals = new float[distinct];
    for (int r = 0, s = 0; r < n; r++) {
      for (int i = rows.start(r); i < rows.start(r + 1); i++) {
        if (keep(val[i], threshold)) {
          int t = termOf[s++];
          int at = fill[t]++;
          docs[at] = r;
          vals[at] = val[i];
          maxVals[t] = Math.max(maxVals[t], val[i]);
        }
      }
    }
    float[] rowLen = null;
    float[] minLen = null;
    if (spec.metric() == MetricType.BM25) {
      rowLen = new float[n];
      for (int r = 0; r < n; r++) {
        float len = 0f;
        for (int i = rows.start(r); i < rows.start(r + 1); i++) {
          len += val[i];
        }
        rowLen[r] = len;
      }
      minLen = new float[distinct];
      for (int t = 0; t < distinct; t++) {
        float m = Float.POSITIVE_INFINITY;
        for (int p = starts[t]; p < starts[t + 1]; p++) {
          m = Math.min(m, rowLen[docs[p]]);
        }
        minLen[t] = m;
      }
    }
    return new SparseInvertedIndex(spec, n, terms, starts, docs, vals, maxVals, rowLen, minLen);
  }

  /** What posting {@code p} adds to its row's score per unit of query weight. */
  float contribution(Query q, int p) {
    return q.bm25 == null ? vals[p] : q.bm25.norm(vals[p], rowLen[docs[p]]);
  }

  /** The largest {@link #contribution} in list {@code t}. */
  float listBound(Query q, int t) {
    return q.bm25 == null ? maxVals[t] : q.bm25.norm(maxVals[t], minLen[t]);
  }

  @Override
  public TermStats termStats(int[] queryTerms, Bits filter) {
    FilterInfo fi = FilterInfo.of(filter, n);
    long[] df = new long[queryTerms.length];
    for (int i = 0; i < queryTerms.length; i++) {
      int t = find(terms, queryTerms[i]);
      if (t < 0) {
        continue;
      }
      if (fi.none()) {
        df[i] = starts[t + 1] - starts[t];
      } else {
        for (int p = starts[t]; p < starts[t + 1]; p++) {
          df[i] += fi.allows(docs[p]) ? 1 : 0;
        }
      }
    }
    return new TermStats(fi.allowed, allowedLength(fi), df);
  }

  /** The summed length of the allowed rows: all rows less the few a delete or MVCC filter leaves out, or the allowed. */
  private double allowedLength(FilterInfo fi) {
    if (rowLen == null) {
      return 0;
    }
    if (fi.none()) {
      return totalLen;
    }
    double sum = 0;
    if (fi.bits instanceof FixedBits fb && fi.allowed > n / 2) {
      int covered = Math.min(n, fb.length());
      for (int r = fb.nextClearBit(0); r < covered; r = fb.nextClearBit(r + 1)) {
        sum += rowLen[r];
      }
      for (int r = covered; r < n; r++) {
        sum += rowLen[r]; // past the filter's end: not allowed
      }
      return totalLen - sum;
    }
    for (int r : fi.allowedRows()) {
      sum += rowLen[r];
    }
    return sum;
  }

  private static boolean keep(float v, float threshold) {
    return v > 0 && v >= threshold;
  }

  /** The {@code ratio} quantile of all values (0: keep every value). */
  static float buildThreshold(float[] values, double ratio) {
    int drop = (int) (ratio * values.length);
    if (drop == 0) {
      return 0f;
    }
    float[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[drop];
  }

  /** The list ordinal of a term, or -1. */
  static int find(int[] terms, int term) {
    return SparseVectors.indexOfUnsigned(terms, term);
  }

  @Override
  public int size() {
    return n;
  }

  public SparseParams.Algo algo() {
    return algo;
  }

  @Override
  protected void searchOne(Query q, int k, SparseParams.Search params, FilterInfo filter, TopK out) {
    if (algo == SparseParams.Algo.TAAT_NAIVE) {
      taat(q, filter, Float.NEGATIVE_INFINITY, 0f, out, null);
      return;
    }
    SparseDaat d = daat.acquire();
    try {
      d.search(q, params.boundScale(), algo == SparseParams.Algo.DAAT_WAND, filter, out);
    } finally {
      daat.release(d);
    }
  }

  /** Adds every posting of the query's terms into {@code acc}, term by term in ascending order. */
  private void accumulate(Query q, float[] acc) {
    for (int i = 0; i < q.size; i++) {
      int t = find(terms, q.indices[i]);
      if (t < 0) {
        continue;
      }
      float w = q.weights[i];
      if (q.bm25 == null) {
        for (int p = starts[t], e = starts[t + 1]; p < e; p++) {
          acc[docs[p]] += w * vals[p];
        }
      } else {
        for (int p = starts[t], e = starts[t + 1]; p < e; p++) {
          acc[docs[p]] += w * q.bm25.norm(vals[p], rowLen[docs[p]]);
        }
      }
    }
  }

  @Override
  protected void rangeOne(Query q, float lo, float hi, FilterInfo filter, RangeCollector out) {
    taat(q, filter, lo, hi, null, out);
  }

  /**
   * Term at a time: accumulates the query's lists into a per-row array, then hands every allowed row with a score
   * above 0 and internal distance in [lo, hi) to {@code top} or {@code range}, clearing the array as it goes.
   */
  private void taat(Query q, FilterInfo filter, float lo, float hi, TopK top, RangeCollector range) {
    float[] acc = accumulators.acquire();
    try {
      accumulate(q, acc);
      for (int r = 0; r < n; r++) {
        float s = acc[r];
        if (s > 0) {
          acc[r] = 0f;
          if (-s >= lo && -s < hi && filter.allows(r)) {
            if (top != null) {
              top.offer(-s, r);
            } else {
              range.add(r, -s);
            }
          }
        }
      }
    } finally {
      accumulators.release(acc);
    }
  }

  @Override
  public void write(OutputStream os) throws IOException {
    IndexOutput out = new IndexOutput(os);
    AbstractFloatIndex.writeHeader(out, spec);
    out.writeInt(n);
    out.writeInts(terms);
    out.writeInts(starts);
    out.writeInts(docs);
    out.writeFloats(vals, 0, vals.length);
    out.writeFloats(maxVals, 0, maxVals.length);
    if (rowLen != null) {
      out.writeFloats(rowLen, 0, rowLen.length);
      out.writeFloats(minLen, 0, minLen.length);
    }
    out.finish();
  }

  public static SparseInvertedIndex read(IndexSpec spec, IndexInput in) {
    int n = in.readInt();
    int[] terms = in.readInts();
    int[] starts = in.readInts();
    int[] docs = in.readInts();
    float[] vals = in.readFloats();
    float[] maxVals = in.readFloats();
    float[] rowLen = spec.metric() == MetricType.BM25 ? in.readFloats() : null;
    float[] minLen = spec.metric() == MetricType.BM25 ? in.readFloats() : null;
    return new SparseInvertedIndex(spec, n, terms, starts, docs, vals, maxVals, rowLen, minLen);
  }

  @Override
  public long ramBytesUsed() {
    return 128 + 8L * terms.length + 4L * starts.length + 8L * docs.length
        + (rowLen == null ? 0 : 4L * rowLen.length + 4L * minLen.length);
  }
}
