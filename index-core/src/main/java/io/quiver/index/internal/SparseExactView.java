package io.quiver.index.internal;

import io.quiver.index.Bits;
import io.quiver.index.FixedBits;
import io.quiver.index.IndexParamException;
import io.quiver.index.IndexSpec;
import io.quiver.index.TermStats;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Exact inner-product (or BM25) search over a caller's sparse rows in Milvus' encoding, not copied: rows that have no
 * index yet (a growing or unindexed segment). Every allowed row is scored with {@link SparseDot}.
 */
public final class SparseExactView extends AbstractSparseIndex {
  private final byte[][] rows;
  private final int n;

  public SparseExactView(IndexSpec spec, byte[][] rows, int n) {
    super(spec);
    if (rows.length < n) {
      throw new IndexParamException("sparse rows too short: need " + n + " rows, got " + rows.length);
    }
    this.rows = rows;
    this.n = n;
  }

  @Override
  public int size() {
    return n;
  }

  @Override
  protected void searchOne(Query q, int k, SparseParams.Search params, FilterInfo filter, TopK out) {
    if (filter.none()) {
      for (int r = 0; r < n; r++) {
        offer(q, r, out);
      }
    } else if (filter.bits instanceof FixedBits fb) {
      for (int r = fb.nextSetBit(0); r >= 0 && r < n; r = fb.nextSetBit(r + 1)) {
        offer(q, r, out);
      }
    } else {
      for (int r = 0; r < n; r++) {
        if (filter.allows(r)) {
          offer(q, r, out);
        }
      }
    }
  }

  private float score(Query q, int r) {
    return q.bm25 == null ? SparseDot.dot(q.indices, q.weights, 0, q.size, rows[r])
        : SparseDot.bm25(q.indices, q.weights, 0, q.size, rows[r], q.bm25);
  }

  private void offer(Query q, int r, TopK out) {
    float s = score(q, r);
    if (s > 0) {
      out.offer(-s, r);
    }
  }

  @Override
  protected void rangeOne(Query q, float lo, float hi, FilterInfo filter, RangeCollector out) {
    for (int r = 0; r < n; r++) {
      if (filter.allows(r)) {
        float d = -score(q, r);
        if (d >= lo && d < hi) {
          out.add(r, d);
        }
      }
    }
  }

  @Override
  public TermStats termStats(int[] terms, Bits filter) {
    FilterInfo fi = FilterInfo.of(filter, n);
    long[] df = new long[terms.length];
    double total = 0;
    for (int r = 0; r < n; r++) {
      if (fi.allows(r)) {
        byte[] row = rows[r];
        total += SparseDot.length(row);
        for (int i = 0; i < terms.length; i++) {
          df[i] += SparseDot.contains(row, terms[i]) ? 1 : 0;
        }
      }
    }
    return new TermStats(fi.allowed, total, df);
  }

  @Override
  public void write(OutputStream out) throws IOException {
    throw new IndexParamException("an exact view over live rows is not an index file: build SPARSE_INVERTED_INDEX");
  }

  @Override
  public long ramBytesUsed() {
    return 64; // the rows belong to the caller
  }
}
