package io.quiver.index.internal;

import io.quiver.index.Bits;
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
 * BIN_FLAT and BIN_IVF_FLAT over packed bit vectors (64 bits per long, little-endian byte order as
 * Milvus sends them), with HAMMING or JACCARD distance (both ascending).
 *
 * <p>BIN_IVF_FLAT trains k-means on the 0/1 expansion of a sample and thresholds centroids at 0.5
 * (FAISS IndexBinaryIVF's approach), then assigns rows and probes lists by Hamming distance to those
 * binary centroids. BIN_FLAT is the same structure with one list and no centroids.
 */
public final class BinaryIndex implements VectorIndex {
  private final IndexSpec spec;
  private final boolean jaccard;
  private final int dim;
  private final int bytesPerRow;
  private final int words;
  private final int n;
  private final int nlist; // 0 for BIN_FLAT
  private final long[] centroids;
  private final int[] offsets;
  private final int[] ids;
  private final long[] data;

  private BinaryIndex(IndexSpec spec, int n, int nlist, long[] centroids, int[] offsets, int[] ids, long[] data) {
    this.spec = spec;
    this.jaccard = spec.metric() == MetricType.JACCARD;
    this.dim = spec.dim();
    this.bytesPerRow = dim / 8;
    this.words = (bytesPerRow + 7) / 8;
    this.n = n;
    this.nlist = nlist;
    this.centroids = centroids;
    this.offsets = offsets;
    this.ids = ids;
    this.data = data;
  }

  public static BinaryIndex build(IndexSpec spec, byte[] vectors, int n, int nlistParam, long seed, int threads) {
    int dim = spec.dim();
    int bpr = dim / 8;
    int words = (bpr + 7) / 8;
    long[] packed = new long[n * words];
    for (int i = 0; i < n; i++) {
      VectorUtil.packInto(vectors, i * bpr, bpr, packed, i * words);
    }
    if (nlistParam <= 0) {
      int[] ids = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = i;
      }
      return new BinaryIndex(spec, n, 0, null, new int[] {0, n}, ids, packed);
    }
    int nlist = Math.max(1, Math.min(nlistParam, Math.max(1, n)));
    // k-means on the 0/1 expansion of a sample
    int sN = Math.min(n, 64 * nlist);
    int stride = Math.max(1, n / Math.max(1, sN));
    sN = n == 0 ? 0 : (n + stride - 1) / stride;
    float[] x = new float[sN * dim];
    for (int i = 0, s = 0; i < n; i += stride, s++) {
      for (int b = 0; b < dim; b++) {
        x[s * dim + b] = (vectors[i * bpr + (b >>> 3)] >>> (b & 7)) & 1;
      }
    }
    float[] fc = KMeans.train(x, sN, dim, nlist, 10, 64, seed, threads);
    long[] cents = new long[nlist * words];
    byte[] tmp = new byte[bpr];
    for (int c = 0; c < nlist; c++) {
      java.util.Arrays.fill(tmp, (byte) 0);
      for (int b = 0; b < dim; b++) {
        if (fc[c * dim + b] > 0.5f) {
          tmp[b >>> 3] |= (byte) (1 << (b & 7));
        }
      }
      VectorUtil.packInto(tmp, 0, bpr, cents, c * words);
    }
    int[] assign = new int[n];
    Parallel.forRange(threads, n, 1024, (w, from, to) -> {
      for (int i = from; i < to; i++) {
        int best = 0;
        int bestD = Integer.MAX_VALUE;
        for (int c = 0; c < nlist; c++) {
          int d = VectorUtil.hamming(packed, i * words, cents, c * words, words);
          if (d < bestD) {
            bestD = d;
            best = c;
          }
        }
        assign[i] = best;
      }
    });
    int[] offsets = new int[nlist + 1];
    for (int i = 0; i < n; i++) {
      offsets[assign[i] + 1]++;
    }
    for (int c = 0; c < nlist; c++) {
      offsets[c + 1] += offsets[c];
    }
    int[] fill = java.util.Arrays.copyOf(offsets, nlist);
    int[] ids = new int[n];
    long[] re = new long[n * words];
    for (int i = 0; i < n; i++) {
      int p = fill[assign[i]]++;
      ids[p] = i;
      System.arraycopy(packed, i * words, re, p * words, words);
    }
    return new BinaryIndex(spec, n, nlist, cents, offsets, ids, re);
  }

  @Override
  public IndexSpec spec() {
    return spec;
  }

  @Override
  public int size() {
    return n;
  }

  private float distance(long[] q, int pos) {
    if (jaccard) {
      return VectorUtil.jaccard(q, 0, data, pos * words, words);
    }
    return VectorUtil.hamming(q, 0, data, pos * words, words);
  }

  /** Lists to scan, nearest first. */
  private int[] lists(long[] q, int nprobe) {
    if (nlist == 0) {
      return new int[] {0};
    }
    int np = Math.min(nprobe, nlist);
    TopK t = new TopK(np);
    t.reset(np);
    for (int c = 0; c < nlist; c++) {
      t.offer(VectorUtil.hamming(q, 0, centroids, c * words, words), c);
    }
    long[] keys = new long[np];
    int cnt = t.drainAscending(keys);
    int[] out = new int[cnt];
    for (int i = 0; i < cnt; i++) {
      out[i] = Packed.row(keys[i]);
    }
    return out;
  }

  @Override
  public SearchResult searchBinary(byte[] queries, int nq, int k, Map<String, String> params, Bits filter) {
    IndexParams.checkK(k);
    checkQueries(queries, nq);
    int nprobe = nlist == 0 ? 1 : IndexParams.nprobe(params);
    FilterInfo fi = FilterInfo.of(filter, n);
    boolean exhaustive = !fi.none() && fi.fraction() < IvfIndex.EXHAUSTIVE_FRACTION;
    int[] rows = new int[nq * k];
    float[] scores = new float[nq * k];
    long[] q = new long[words];
    TopK top = new TopK(k);
    long[] sorted = new long[k];
    for (int i = 0; i < nq; i++) {
      VectorUtil.packInto(queries, i * bytesPerRow, bytesPerRow, q, 0);
      top.reset(k);
      if (n > 0 && fi.allowed > 0) {
        scan(q, lists(q, exhaustive ? Integer.MAX_VALUE : nprobe), fi, top);
        if (!fi.none() && nlist > 0 && top.size() < Math.min(k, fi.allowed)) {
          top.reset(k);
          scan(q, lists(q, Integer.MAX_VALUE), fi, top);
        }
      }
      int c = top.drainAscending(sorted);
      for (int j = 0; j < k; j++) {
        rows[i * k + j] = j < c ? Packed.row(sorted[j]) : -1;
        scores[i * k + j] = j < c ? Packed.distance(sorted[j]) : Float.POSITIVE_INFINITY;
      }
    }
    return new SearchResult(nq, k, rows, scores);
  }

  private void scan(long[] q, int[] lists, FilterInfo fi, TopK top) {
    for (int list : lists) {
      for (int p = offsets[list], e = offsets[list + 1]; p < e; p++) {
        int row = ids[p];
        if (fi.none() || fi.allows(row)) {
          top.offer(distance(q, p), row);
        }
      }
    }
  }

  @Override
  public RangeResult rangeSearchBinary(byte[] queries, int nq, float radius, float rangeFilter,
      Map<String, String> params, Bits filter) {
    checkQueries(queries, nq);
    float[] loHi = AbstractFloatIndex.rangeBounds(spec.metric(), radius, rangeFilter);
    int nprobe = nlist == 0 ? 1 : IndexParams.nprobe(params);
    FilterInfo fi = FilterInfo.of(filter, n);
    RangeCollector rc = new RangeCollector(nq);
    long[] q = new long[words];
    for (int i = 0; i < nq; i++) {
      VectorUtil.packInto(queries, i * bytesPerRow, bytesPerRow, q, 0);
      if (n > 0) {
        for (int list : lists(q, nprobe)) {
          for (int p = offsets[list], e = offsets[list + 1]; p < e; p++) {
            float d = distance(q, p);
            int row = ids[p];
            if (d >= loHi[0] && d < loHi[1] && fi.allows(row)) {
              rc.add(row, d);
            }
          }
        }
      }
      rc.endQuery(i);
    }
    return new RangeResult(nq, rc.offsets, rc.rows(), rc.dists());
  }

  private void checkQueries(byte[] queries, int nq) {
    if (queries == null || nq < 0 || queries.length < (long) nq * bytesPerRow) {
      throw new IndexParamException("binary query vectors too short: need nq*dim/8=" + (long) nq * bytesPerRow
          + " bytes");
    }
  }

  @Override
  public SearchResult search(float[] queries, int nq, int k, Map<String, String> params, Bits filter) {
    throw new IndexParamException("index type " + spec.indexType() + " takes binary vectors, not float vectors");
  }

  @Override
  public RangeResult rangeSearch(float[] queries, int nq, float radius, float rangeFilter,
      Map<String, String> params, Bits filter) {
    throw new IndexParamException("index type " + spec.indexType() + " takes binary vectors, not float vectors");
  }

  @Override
  public void write(OutputStream os) throws IOException {
    IndexOutput out = new IndexOutput(os);
    AbstractFloatIndex.writeHeader(out, spec);
    out.writeInt(n);
    out.writeInt(nlist);
    out.writeLongs(centroids == null ? new long[0] : centroids);
    out.writeInts(offsets);
    out.writeInts(ids);
    out.writeLongs(data);
    out.finish();
  }

  public static BinaryIndex read(IndexSpec spec, IndexInput in) {
    int n = in.readInt();
    int nlist = in.readInt();
    long[] cents = in.readLongs();
    int[] offsets = in.readInts();
    int[] ids = in.readInts();
    long[] data = in.readLongs();
    return new BinaryIndex(spec, n, nlist, nlist == 0 ? null : cents, offsets, ids, data);
  }

  @Override
  public long ramBytesUsed() {
    return 128 + 8L * data.length + 4L * ids.length + 4L * offsets.length
        + (centroids == null ? 0 : 8L * centroids.length);
  }
}
