package io.quiver.index.internal;

import io.quiver.index.HalfFloats;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.simd.VectorUtil;
import java.io.IOException;
import java.util.Map;

/**
 * Inverted-file indexes: IVF_FLAT, IVF_SQ8 and IVF_PQ (FAISS IndexIVFFlat / IndexIVFScalarQuantizer /
 * IndexIVFPQ in structure).
 *
 * <p>A k-means coarse quantizer (see {@link KMeans}) splits rows into {@code nlist} lists; rows are stored
 * list-contiguous (codes reordered, {@code ids[pos]} maps back to the row), so a probe is one sequential
 * scan. L2 probes the nearest centroids by L2, IP/COSINE by inner product (COSINE centroids are
 * normalised). Codecs:
 * <ul>
 *   <li>FLAT: raw float rows, scored with the 4-row batch kernels; exact within the probed lists.
 *   <li>SQ8: per-dimension min/max 8-bit codes stored as signed bytes (code-128); a query is scored with
 *       one float x int8 dot kernel per row: x̂ = vmin + (b+128)·scale, so q·x̂ = C + Σ (q_i scale_i) b_i,
 *       and L2 uses ||q||² - 2 q·x̂ + ||x̂||² with ||x̂||² stored per row.
 *   <li>PQ: residuals to the list centroid split into m sub-vectors, each coded to one of 2^nbits
 *       centroids; ADC with per-list lookup tables (L2) or one per-query table plus q·c (IP).
 * </ul>
 * A filter keeping fewer than {@link #EXHAUSTIVE_FRACTION} of the rows, or a probe that finds fewer than
 * min(k, allowed) hits, scans all lists (exact for IVF_FLAT; the index's own distances otherwise).
 */
public final class IvfIndex extends AbstractFloatIndex {
  public static final double EXHAUSTIVE_FRACTION = 0.1;

  public enum Codec { FLAT, SQ8, PQ }

  private final Codec codec;
  private final int n;
  private final int nlist;
  private final float[] centroids;
  private final int[] offsets;
  private final int[] ids;
  // FLAT
  private final FloatVectors vectors;
  // SQ8
  private final byte[] codes;
  private final float[] vmin;
  private final float[] vscale;
  private final float[] rowNorms;
  // PQ
  private final int pqM;
  private final int nbits;
  private final float[] codebooks;
  /** Codebooks transposed to [m][dsub][ksub] so LUT construction is a unit-stride loop over codes. */
  private final float[] codebooksT;
  private final ScratchPool<Scratch> pool;

  private IvfIndex(IndexSpec spec, Codec codec, int n, int nlist, float[] centroids, int[] offsets, int[] ids,
      FloatVectors vectors, byte[] codes, float[] vmin, float[] vscale, float[] rowNorms, int pqM, int nbits,
      float[] codebooks) {
    super(spec);
    this.codec = codec;
    this.n = n;
    this.nlist = nlist;
    this.centroids = centroids;
    this.offsets = offsets;
    this.ids = ids;
    this.vectors = vectors;
    this.codes = codes;
    this.vmin = vmin;
    this.vscale = vscale;
    this.rowNorms = rowNorms;
    this.pqM = pqM;
    this.nbits = nbits;
    this.codebooks = codebooks;
    this.codebooksT = codebooks == null ? null : transpose(codebooks, pqM, 1 << nbits, spec.dim() / pqM);
    this.pool = new ScratchPool<>(this::newScratch);
  }

  private final class Scratch {
    final float[] cdist = new float[Math.max(1, nlist)];
    final TopK probes = new TopK(64);
    final long[] probeKeys = new long[Math.max(1, nlist)];
    final float[] buf = newBlockBuffer();
    final float[] qs = new float[dim];
    final float[] qr = new float[dim];
    final float[] lut = codec == Codec.PQ ? new float[pqM << nbits] : null;
    float sqConst;
    float qNorm;
  }

  private static float[] transpose(float[] cb, int m, int ksub, int dsub) {
    float[] t = new float[cb.length];
    for (int j = 0; j < m; j++) {
      for (int c = 0; c < ksub; c++) {
        for (int d = 0; d < dsub; d++) {
          t[(j * dsub + d) * ksub + c] = cb[(j * ksub + c) * dsub + d];
        }
      }
    }
    return t;
  }

  /**
   * lut[j*ksub + c] = ||v_j - cb_jc||² (l2) or -(v_j · cb_jc) (ip), built by the SIMD pqLut kernel
   * (a block of codes accumulates in registers across the sub-vector's dimensions).
   */
  private void buildLut(float[] v, float[] lut, boolean l2) {
    int ksub = 1 << nbits;
    int dsub = dim / pqM;
    for (int j = 0; j < pqM; j++) {
      VectorUtil.pqLut(v, j * dsub, codebooksT, j * dsub * ksub, dsub, ksub, lut, j * ksub, l2);
    }
  }

  private Scratch newScratch() {
    return new Scratch();
  }

  // ------------------------------------------------------------------ build

  public static IvfIndex build(IndexSpec spec, Codec codec, float[] data, int n, int nlistParam, int pqM, int nbits,
      long seed, int threads) {
    return build(spec, codec, data, null, n, nlistParam, pqM, nbits, seed, threads);
  }

  /**
   * As above; with {@code half} (FLAT codec only), the lists keep those 16-bit rows (in list order) instead of the
   * float32 {@code data}, which then serves only to train and assign (the rows widened, normalised for COSINE).
   */
  public static IvfIndex build(IndexSpec spec, Codec codec, float[] data, HalfVectors half, int n, int nlistParam,
      int pqM, int nbits, long seed, int threads) {
    int dim = spec.dim();
    boolean ip = spec.metric() != MetricType.L2;
    int nlist = Math.max(1, Math.min(nlistParam, Math.max(1, n)));
    float[] centroids = KMeans.train(data, n, dim, nlist, 10, 64, seed, threads);
    if (spec.metric() == MetricType.COSINE) {
      for (int c = 0; c < nlist; c++) {
        VectorUtil.normalize(centroids, c * dim, dim);
      }
    }
    int[] assign = new int[n];
    assignLists(data, n, dim, centroids, nlist, ip, assign, threads);
    int[] offsets = new int[nlist + 1];
    for (int i = 0; i < n; i++) {
      offsets[assign[i] + 1]++;
    }
    for (int c = 0; c < nlist; c++) {
      offsets[c + 1] += offsets[c];
    }
    int[] fill = java.util.Arrays.copyOf(offsets, nlist);
    int[] ids = new int[n];
    int[] posOf = new int[n];
    for (int i = 0; i < n; i++) {
      int p = fill[assign[i]]++;
      ids[p] = i;
      posOf[i] = p;
    }
    switch (codec) {
      case FLAT -> {
        if (half != null) {
          return new IvfIndex(spec, codec, n, nlist, centroids, offsets, ids, half.reorder(ids), null, null, null, null,
              0, 0, null);
        }
        float[] re = new float[n * dim];
        for (int p = 0; p < n; p++) {
          System.arraycopy(data, ids[p] * dim, re, p * dim, dim);
        }
        return new IvfIndex(spec, codec, n, nlist, centroids, offsets, ids, FloatVectors.onHeap(re, dim, n, ip),
            null, null, null, null, 0, 0, null);
      }
      case SQ8 -> {
        float[] mn = new float[dim];
        float[] mx = new float[dim];
        java.util.Arrays.fill(mn, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(mx, Float.NEGATIVE_INFINITY);
        int step = Math.max(1, n / 65536);
        for (int i = 0; i < n; i += step) {
          for (int d = 0; d < dim; d++) {
            float v = data[i * dim + d];
            mn[d] = Math.min(mn[d], v);
            mx[d] = Math.max(mx[d], v);
          }
        }
        float[] scale = new float[dim];
        for (int d = 0; d < dim; d++) {
          if (n == 0) {
            mn[d] = 0;
            mx[d] = 0;
          }
          scale[d] = mx[d] > mn[d] ? (mx[d] - mn[d]) / 255f : 1e-30f;
        }
        byte[] codes = new byte[n * dim];
        float[] norms = new float[n];
        Parallel.forRange(threads, n, 4096, (w, from, to) -> {
          for (int p = from; p < to; p++) {
            int r = ids[p];
            float norm = 0;
            for (int d = 0; d < dim; d++) {
              int c = Math.round((data[r * dim + d] - mn[d]) / scale[d]);
              c = Math.max(0, Math.min(255, c));
              codes[p * dim + d] = (byte) (c - 128);
              float dec = mn[d] + c * scale[d];
              norm += dec * dec;
            }
            norms[p] = norm;
          }
        });
        return new IvfIndex(spec, codec, n, nlist, centroids, offsets, ids, null, codes, mn, scale, norms, 0, 0,
            null);
      }
      case PQ -> {
        int ksub = 1 << nbits;
        int dsub = dim / pqM;
        // residual training sample
        int sN = Math.min(n, 64 * ksub);
        int stride = Math.max(1, n / Math.max(1, sN));
        sN = n == 0 ? 0 : (n + stride - 1) / stride;
        float[] codebooks = new float[pqM * ksub * dsub];
        float[] sub = new float[sN * dsub];
        for (int j = 0; j < pqM; j++) {
          int s = 0;
          for (int i = 0; i < n; i += stride, s++) {
            int a = assign[i];
            for (int d = 0; d < dsub; d++) {
              int col = j * dsub + d;
              sub[s * dsub + d] = data[i * dim + col] - centroids[a * dim + col];
            }
          }
          float[] cb = KMeans.train(sub, sN, dsub, ksub, 12, 256, seed + 31L * (j + 1), threads);
          System.arraycopy(cb, 0, codebooks, j * ksub * dsub, ksub * dsub);
        }
        byte[] codes = new byte[n * pqM];
        Parallel.forRange(threads, n, 1024, (w, from, to) -> {
          float[] res = new float[dim];
          for (int i = from; i < to; i++) {
            int a = assign[i];
            for (int d = 0; d < dim; d++) {
              res[d] = data[i * dim + d] - centroids[a * dim + d];
            }
            int p = posOf[i];
            for (int j = 0; j < pqM; j++) {
              int best = 0;
              float bestD = Float.POSITIVE_INFINITY;
              int cbBase = j * ksub * dsub;
              for (int c = 0; c < ksub; c++) {
                float dd = VectorUtil.squareDistance(res, j * dsub, codebooks, cbBase + c * dsub, dsub);
                if (dd < bestD) {
                  bestD = dd;
                  best = c;
                }
              }
              codes[p * pqM + j] = (byte) best;
            }
          }
        });
        return new IvfIndex(spec, codec, n, nlist, centroids, offsets, ids, null, codes, null, null, null, pqM,
            nbits, codebooks);
      }
      default -> throw new IllegalStateException();
    }
  }

  private static void assignLists(float[] data, int n, int dim, float[] centroids, int nlist, boolean ip,
      int[] assign, int threads) {
    KMeans.assign(data, n, dim, centroids, nlist, assign, threads, ip);
  }

  // ------------------------------------------------------------------ search

  @Override
  protected void checkSearchParams(Map<String, String> params, int k) {
    IndexParams.nprobe(params);
  }

  /** Fills s.probeKeys with the nprobe nearest lists (packed centroid distance, list), returns count. */
  private int probe(float[] q, int nprobe, Scratch s) {
    if (ip) {
      VectorUtil.dotProductRange(q, centroids, 0, nlist, dim, s.cdist);
      for (int c = 0; c < nlist; c++) {
        s.cdist[c] = -s.cdist[c];
      }
    } else {
      VectorUtil.squareDistanceRange(q, centroids, 0, nlist, dim, s.cdist);
    }
    if (nprobe >= nlist) {
      for (int c = 0; c < nlist; c++) {
        s.probeKeys[c] = Packed.pack(s.cdist[c], c);
      }
      return nlist;
    }
    TopK t = s.probes;
    t.reset(nprobe);
    for (int c = 0; c < nlist; c++) {
      t.offer(s.cdist[c], c);
    }
    return t.drainAscending(s.probeKeys);
  }

  @Override
  protected void searchOne(float[] q, int k, Map<String, String> params, FilterInfo filter, TopK out) {
    int nprobe = Math.min(nlist, IndexParams.nprobe(params));
    boolean exhaustive = !filter.none() && filter.fraction() < EXHAUSTIVE_FRACTION;
    Scratch s = pool.acquire();
    try {
      int probes = probe(q, exhaustive ? nlist : nprobe, s);
      prepareQuery(q, s);
      for (int i = 0; i < probes; i++) {
        scanList(q, Packed.row(s.probeKeys[i]), Packed.distance(s.probeKeys[i]), s, filter, out, null, 0, 0);
      }
      if (!filter.none() && !exhaustive && probes < nlist && out.size() < Math.min(k, filter.allowed)) {
        out.reset(k);
        probes = probe(q, nlist, s);
        for (int i = 0; i < probes; i++) {
          scanList(q, Packed.row(s.probeKeys[i]), Packed.distance(s.probeKeys[i]), s, filter, out, null, 0, 0);
        }
      }
    } finally {
      pool.release(s);
    }
  }

  @Override
  protected void rangeOne(float[] q, float lo, float hi, Map<String, String> params, FilterInfo filter,
      RangeCollector out) {
    int nprobe = Math.min(nlist, IndexParams.nprobe(params));
    boolean exhaustive = !filter.none() && filter.fraction() < EXHAUSTIVE_FRACTION;
    Scratch s = pool.acquire();
    try {
      int probes = probe(q, exhaustive ? nlist : nprobe, s);
      prepareQuery(q, s);
      for (int i = 0; i < probes; i++) {
        scanList(q, Packed.row(s.probeKeys[i]), Packed.distance(s.probeKeys[i]), s, filter, null, out, lo, hi);
      }
    } finally {
      pool.release(s);
    }
  }

  /** Per-query precomputation (SQ8: q·scale and constants; PQ-IP: one LUT), kept in the scratch. */
  private void prepareQuery(float[] q, Scratch s) {
    if (codec == Codec.SQ8) {
      float c = 0, sumQs = 0, qn = 0;
      for (int d = 0; d < dim; d++) {
        s.qs[d] = q[d] * vscale[d];
        sumQs += s.qs[d];
        c += q[d] * vmin[d];
        qn += q[d] * q[d];
      }
      s.sqConst = c + 128f * sumQs;
      s.qNorm = qn;
    } else if (codec == Codec.PQ && ip) {
      buildLut(q, s.lut, false);
    }
  }

  /** Scans one list into a top-k (out != null) or a range collector. */
  private void scanList(float[] q, int list, float centroidDist, Scratch s, FilterInfo filter, TopK out,
      RangeCollector range, float lo, float hi) {
    int start = offsets[list], end = offsets[list + 1];
    if (start == end) {
      return;
    }
    float[] buf = s.buf;
    boolean all = filter.none();
    switch (codec) {
      case FLAT -> {
        for (int from = start; from < end; from += buf.length) {
          int cnt = Math.min(buf.length, end - from);
          vectors.distanceRange(q, from, cnt, buf);
          emit(buf, from, cnt, filter, all, out, range, lo, hi);
        }
      }
      case SQ8 -> {
        float c = s.sqConst;
        float qn = s.qNorm;
        for (int from = start; from < end; from += buf.length) {
          int cnt = Math.min(buf.length, end - from);
          for (int j = 0; j < cnt; j++) {
            int p = from + j;
            float dot = c + VectorUtil.dotProductF32I8(s.qs, codes, p * dim, dim);
            buf[j] = ip ? -dot : qn - 2 * dot + rowNorms[p];
          }
          emit(buf, from, cnt, filter, all, out, range, lo, hi);
        }
      }
      case PQ -> {
        int ksub = 1 << nbits;
        float base;
        if (ip) {
          base = centroidDist; // already -q·c
        } else {
          for (int d = 0; d < dim; d++) {
            s.qr[d] = q[d] - centroids[list * dim + d];
          }
          buildLut(s.qr, s.lut, true);
          base = 0;
        }
        for (int from = start; from < end; from += buf.length) {
          int cnt = Math.min(buf.length, end - from);
          for (int j = 0; j < cnt; j++) {
            buf[j] = base + VectorUtil.pqAdc(s.lut, ksub, codes, (from + j) * pqM, pqM);
          }
          emit(buf, from, cnt, filter, all, out, range, lo, hi);
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  private void emit(float[] buf, int from, int cnt, FilterInfo filter, boolean all, TopK out, RangeCollector range,
      float lo, float hi) {
    if (out != null) {
      for (int j = 0; j < cnt; j++) {
        int row = ids[from + j];
        if (all || filter.allows(row)) {
          out.offer(buf[j], row);
        }
      }
    } else {
      for (int j = 0; j < cnt; j++) {
        float d = buf[j];
        int row = ids[from + j];
        if (d >= lo && d < hi && (all || filter.allows(row))) {
          range.add(row, d);
        }
      }
    }
  }

  @Override
  public int size() {
    return n;
  }

  @Override
  protected HalfFloats.Kind storedHalfKind() {
    return vectors == null ? null : vectors.halfKind();
  }

  @Override
  public long ramBytesUsed() {
    long r = 256 + 4L * centroids.length + 4L * offsets.length + 4L * ids.length;
    if (vectors != null) {
      r += vectors.ramBytesUsed();
    }
    if (codes != null) {
      r += codes.length;
    }
    if (rowNorms != null) {
      r += 4L * rowNorms.length + 8L * dim;
    }
    if (codebooks != null) {
      r += 4L * codebooks.length;
    }
    return r;
  }

  // ------------------------------------------------------------------ serialisation

  @Override
  protected void writeBody(IndexOutput out) throws IOException {
    out.writeInt(codec.ordinal());
    out.writeInt(n);
    out.writeInt(nlist);
    out.writeFloats(centroids, 0, centroids.length);
    out.writeInts(offsets);
    out.writeInts(ids);
    switch (codec) {
      case FLAT -> vectors.write(out);
      case SQ8 -> {
        out.writeFloats(vmin, 0, dim);
        out.writeFloats(vscale, 0, dim);
        out.writeFloats(rowNorms, 0, n);
        out.writeByteArray(codes);
      }
      case PQ -> {
        out.writeInt(pqM);
        out.writeInt(nbits);
        out.writeFloats(codebooks, 0, codebooks.length);
        out.writeByteArray(codes);
      }
      default -> throw new IllegalStateException();
    }
  }

  public static IvfIndex read(IndexSpec spec, IndexInput in) {
    Codec codec = Codec.values()[in.readInt()];
    int n = in.readInt();
    int nlist = in.readInt();
    float[] centroids = in.readFloats();
    int[] offsets = in.readInts();
    int[] ids = in.readInts();
    boolean ip = spec.metric() != MetricType.L2;
    return switch (codec) {
      case FLAT -> new IvfIndex(spec, codec, n, nlist, centroids, offsets, ids,
          FloatVectors.read(in, spec.dim(), n, ip), null, null, null, null, 0, 0, null);
      case SQ8 -> {
        float[] mn = in.readFloats();
        float[] sc = in.readFloats();
        float[] norms = in.readFloats();
        byte[] codes = in.readByteArray();
        yield new IvfIndex(spec, codec, n, nlist, centroids, offsets, ids, null, codes, mn, sc, norms, 0, 0, null);
      }
      case PQ -> {
        int m = in.readInt();
        int nb = in.readInt();
        float[] cb = in.readFloats();
        byte[] codes = in.readByteArray();
        yield new IvfIndex(spec, codec, n, nlist, centroids, offsets, ids, null, codes, null, null, null, m, nb, cb);
      }
    };
  }
}
