package io.quiver.index.internal;

import io.quiver.index.simd.VectorUtil;
import java.util.SplittableRandom;

/**
 * Seeded, reproducible k-means for IVF coarse quantizers and PQ codebooks.
 *
 * <p>Trains on a seeded sample of at most {@code maxPerCentroid * k} points (FAISS caps at 256; IVF uses
 * 64 here, as the anchors did). Initialisation is k-means++ (D² sampling, Arthur and Vassilvitskii 2007)
 * on a seeded sub-sample of at most 8k points (a D² pass per centre over the whole sample would
 * stream it from memory k times); Lloyd iterations assign with ||c||² - 2·x·c, blocked so each centroid
 * is scored against 64 cache-resident points per load (see {@link #assign}), split over threads. An empty cluster takes over half of the largest cluster: it is re-seeded at that cluster's
 * centroid with a small symmetric perturbation (FAISS's rule), so k centroids always survive. With fewer
 * points than k, the points are the centroids (repeated).
 */
public final class KMeans {
  private KMeans() {}

  /** Returns k*dim centroids. */
  public static float[] train(float[] data, int n, int dim, int k, int iterations, int maxPerCentroid, long seed,
      int threads) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] centroids = new float[k * dim];
    if (n == 0) {
      return centroids;
    }
    if (n <= k) {
      for (int c = 0; c < k; c++) {
        System.arraycopy(data, (c % n) * dim, centroids, c * dim, dim);
      }
      return centroids;
    }
    int s = (int) Math.min(n, (long) maxPerCentroid * k);
    float[] x = s == n ? data : sample(data, n, dim, s, rnd);
    // k-means++ seeding on a sub-sample of at most 8k points: D² sampling costs a full pass per centre, so
    // on the whole sample it would stream the data k times from memory; 8k points stay cache-resident.
    int seedN = Math.min(s, 8 * k);
    kmeansPlusPlus(seedN == s ? x : sample(x, s, dim, seedN, rnd), seedN, dim, k, rnd, threads, centroids);
    int[] assign = new int[s];
    for (int it = 0; it < iterations; it++) {
      assign(x, s, dim, centroids, k, assign, threads, false);
      recompute(x, s, dim, centroids, k, assign, rnd);
    }
    return centroids;
  }

  /** Seeded sample of m rows without replacement (partial Fisher-Yates over indices). */
  static float[] sample(float[] data, int n, int dim, int m, SplittableRandom rnd) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    float[] x = new float[m * dim];
    for (int i = 0; i < m; i++) {
      int j = i + rnd.nextInt(n - i);
      int t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      System.arraycopy(data, idx[i] * dim, x, i * dim, dim);
    }
    return x;
  }

  private static void kmeansPlusPlus(float[] x, int s, int dim, int k, SplittableRandom rnd, int threads,
      float[] centroids) {
    float[] minD = new float[s];
    java.util.Arrays.fill(minD, Float.POSITIVE_INFINITY);
    int first = rnd.nextInt(s);
    System.arraycopy(x, first * dim, centroids, 0, dim);
    double[] partial = new double[Math.max(1, threads)];
    for (int c = 1; c <= k; c++) {
      final int last = c - 1;
      java.util.Arrays.fill(partial, 0);
      Parallel.forRange(threads, s, 4096, (w, from, to) -> {
        double sum = 0;
        for (int i = from; i < to; i++) {
          float d = VectorUtil.squareDistance(x, i * dim, centroids, last * dim, dim);
          if (d < minD[i]) {
            minD[i] = d;
          }
          sum += minD[i];
        }
        synchronized (partial) {
          partial[w] += sum;
        }
      });
      if (c == k) {
        break;
      }
      double total = 0;
      for (double p : partial) {
        total += p;
      }
      int pick;
      if (total <= 0) {
        pick = rnd.nextInt(s); // all points coincide with centroids: any point
      } else {
        double r = rnd.nextDouble() * total;
        pick = s - 1;
        for (int i = 0; i < s; i++) {
          r -= minD[i];
          if (r <= 0) {
            pick = i;
            break;
          }
        }
      }
      System.arraycopy(x, pick * dim, centroids, c * dim, dim);
    }
  }

  /** Points per block of the blocked assignment: 64 rows of up to 1k floats stay in L2 across centroids. */
  static final int BLOCK = 64;

  /**
   * Nearest-centroid assignment of n points (L2 via ||c||² - 2·x·c, or max inner product when {@code ip}).
   * Blocked like a GEMM: centroids stream from L3 once per block of {@link #BLOCK} cache-resident points,
   * and within a block a 4x4 register tile (4 points x 4 centroids) makes every loaded vector feed four
   * FMAs. Ties go to the lowest centroid index.
   */
  public static void assign(float[] x, int n, int dim, float[] centroids, int k, float[] norms, int[] assign,
      int threads) {
    assign(x, n, dim, centroids, k, assign, threads, false);
  }

  public static void assign(float[] x, int n, int dim, float[] centroids, int k, int[] assign, int threads,
      boolean ip) {
    float[] norms = new float[k];
    if (!ip) {
      for (int c = 0; c < k; c++) {
        norms[c] = VectorUtil.dotProduct(centroids, c * dim, centroids, c * dim, dim);
      }
    }
    Parallel.forRange(threads, n, BLOCK * 4, (w, from, to) -> {
      float[] dots = new float[BLOCK];
      float[] tile = new float[16];
      float[] best = new float[BLOCK];
      float[] cq = new float[dim];
      int k4 = k & ~3;
      for (int b = from; b < to; b += BLOCK) {
        int cnt = Math.min(BLOCK, to - b);
        int cnt4 = cnt & ~3;
        java.util.Arrays.fill(best, 0, cnt, Float.POSITIVE_INFINITY);
        // 4 points x 4 centroids register tiles (GEMM micro-kernel), then the ragged edges
        for (int c = 0; c < k4; c += 4) {
          for (int p = 0; p < cnt4; p += 4) {
            VectorUtil.dotProductTile4x4(x, (b + p) * dim, dim, centroids, c * dim, dim, dim, tile, 0);
            for (int i = 0; i < 4; i++) {
              for (int j = 0; j < 4; j++) {
                float dd = ip ? -tile[4 * i + j] : norms[c + j] - 2 * tile[4 * i + j];
                if (dd < best[p + i]) {
                  best[p + i] = dd;
                  assign[b + p + i] = c + j;
                }
              }
            }
          }
        }
        for (int c = 0; c < k; c++) {
          boolean edgeCentroid = c >= k4;
          if (!edgeCentroid && cnt4 == cnt) {
            continue;
          }
          System.arraycopy(centroids, c * dim, cq, 0, dim);
          int first = edgeCentroid ? 0 : cnt4;
          VectorUtil.dotProductRange(cq, x, b + first, cnt - first, dim, dots);
          float nc = norms[c];
          for (int p = first; p < cnt; p++) {
            float dd = ip ? -dots[p - first] : nc - 2 * dots[p - first];
            if (dd < best[p] || (dd == best[p] && c < assign[b + p])) {
              best[p] = dd;
              assign[b + p] = c;
            }
          }
        }
      }
    });
  }

  private static void recompute(float[] x, int s, int dim, float[] centroids, int k, int[] assign,
      SplittableRandom rnd) {
    double[] sums = new double[k * dim];
    int[] counts = new int[k];
    for (int i = 0; i < s; i++) {
      int c = assign[i];
      counts[c]++;
      int xo = i * dim, co = c * dim;
      for (int d = 0; d < dim; d++) {
        sums[co + d] += x[xo + d];
      }
    }
    for (int c = 0; c < k; c++) {
      if (counts[c] > 0) {
        for (int d = 0; d < dim; d++) {
          centroids[c * dim + d] = (float) (sums[c * dim + d] / counts[c]);
        }
      }
    }
    // empty clusters: split the largest cluster (FAISS)
    for (int c = 0; c < k; c++) {
      if (counts[c] != 0) {
        continue;
      }
      int big = 0;
      for (int j = 1; j < k; j++) {
        if (counts[j] > counts[big]) {
          big = j;
        }
      }
      if (counts[big] <= 1) {
        System.arraycopy(x, rnd.nextInt(s) * dim, centroids, c * dim, dim);
        continue;
      }
      for (int d = 0; d < dim; d++) {
        float v = centroids[big * dim + d];
        float eps = 1f / 1024f * (Math.abs(v) + 1e-6f);
        boolean up = (d & 1) == 0;
        centroids[c * dim + d] = up ? v + eps : v - eps;
        centroids[big * dim + d] = up ? v - eps : v + eps;
      }
      counts[c] = counts[big] / 2;
      counts[big] -= counts[c];
    }
  }
}
