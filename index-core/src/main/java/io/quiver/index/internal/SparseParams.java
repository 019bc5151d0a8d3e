package io.quiver.index.internal;

import io.quiver.index.IndexParamException;
import io.quiver.index.MetricType;
import java.util.Locale;
import java.util.Map;

/**
 * Build and search parameters of the sparse inverted indexes, with Milvus 2.5's names, ranges and messages:
 * {@code inverted_index_algo} (TAAT_NAIVE, DAAT_WAND, DAAT_MAXSCORE; default DAAT_MAXSCORE; SPARSE_WAND is always
 * DAAT_WAND), {@code drop_ratio_build} in [0, 1), metric IP; at search {@code drop_ratio_search} in [0, 1) and
 * {@code dim_max_score_ratio} in [0.5, 1.3] (default 1.05: how much the per-term score bounds of WAND and MaxScore are
 * scaled; below 1 they prune rows that could still qualify, trading recall for speed).
 */
public final class SparseParams {
  public static final String ALGO = "inverted_index_algo";
  public static final String DROP_RATIO_BUILD = "drop_ratio_build";
  public static final String DROP_RATIO_SEARCH = "drop_ratio_search";
  public static final String DIM_MAX_SCORE_RATIO = "dim_max_score_ratio";
  public static final String BM25_K1 = "bm25_k1";
  public static final String BM25_B = "bm25_b";
  public static final String BM25_AVGDL = "bm25_avgdl";

  /** How a query walks the posting lists. */
  public enum Algo { TAAT_NAIVE, DAAT_WAND, DAAT_MAXSCORE }

  /** What one search call uses ({@code bm25}: null unless the metric is BM25). */
  public record Search(double dropRatio, float boundScale, Bm25Norm bm25) {}

  private SparseParams() {}

  static MetricType validateBuild(String type, MetricType metric, Map<String, String> p) {
    if (metric != MetricType.IP && metric != MetricType.BM25) {
      throw new IndexParamException("metric type not found or not supported, supported: [IP BM25]");
    }
    algo(type, p);
    dropRatioBuild(p);
    if (metric == MetricType.BM25) {
      bm25(p, Map.of());
    }
    return metric;
  }

  public static Algo algo(String type, Map<String, String> p) {
    String v = p.get(ALGO);
    if (v == null) {
      return type.equals(IndexParams.SPARSE_WAND) ? Algo.DAAT_WAND : Algo.DAAT_MAXSCORE;
    }
    Algo a;
    try {
      a = Algo.valueOf(v.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IndexParamException("sparse inverted index algo " + v
          + " not found or not supported, supported: [TAAT_NAIVE DAAT_WAND DAAT_MAXSCORE]");
    }
    if (type.equals(IndexParams.SPARSE_WAND) && a != Algo.DAAT_WAND) {
      throw new IndexParamException("index type SPARSE_WAND always searches with DAAT_WAND, got " + ALGO + "=" + v
          + ": use SPARSE_INVERTED_INDEX for " + a);
    }
    return a;
  }

  public static double dropRatioBuild(Map<String, String> p) {
    return ratio(p, DROP_RATIO_BUILD);
  }

  /** The search parameters, checked; for BM25 with k1 and b from the search, else the index's build parameters. */
  public static Search search(Map<String, String> p, MetricType metric, Map<String, String> build) {
    Search s = search(p);
    return metric == MetricType.BM25 ? new Search(s.dropRatio(), s.boundScale(), bm25(p, build)) : s;
  }

  /**
   * BM25's {@code bm25_k1} in [0, 3] (default 1.2), {@code bm25_b} in [0, 1] (0.75), each from {@code p} else
   * {@code fallback}, and {@code bm25_avgdl} from {@code p} (default 100; below 1 counts as 1, as in Milvus).
   */
  static Bm25Norm bm25(Map<String, String> p, Map<String, String> fallback) {
    double k1 = bounded(p, fallback, BM25_K1, 1.2, 0, 3);
    double b = bounded(p, fallback, BM25_B, 0.75, 0, 1);
    String v = p == null ? null : p.get(BM25_AVGDL);
    double avgdl = v == null ? 100 : parse(v, BM25_AVGDL, "(0, +inf)");
    if (!(avgdl > 0) || Double.isInfinite(avgdl)) {
      throw new IndexParamException("invalid " + BM25_AVGDL + ": " + v + ", must be a positive number");
    }
    return new Bm25Norm((float) k1, (float) b, (float) Math.max(1, avgdl));
  }

  private static double bounded(Map<String, String> p, Map<String, String> fallback, String name, double dflt, double lo,
      double hi) {
    String v = p != null && p.get(name) != null ? p.get(name) : fallback == null ? null : fallback.get(name);
    if (v == null) {
      return dflt;
    }
    String range = "[" + (long) lo + ", " + (long) hi + "]";
    double x = parse(v, name, range);
    if (!(x >= lo && x <= hi)) {
      throw new IndexParamException("invalid " + name + ": " + v + ", must be in range " + range);
    }
    return x;
  }

  /** The search parameters, checked. */
  public static Search search(Map<String, String> p) {
    double drop = ratio(p, DROP_RATIO_SEARCH);
    String v = p == null ? null : p.get(DIM_MAX_SCORE_RATIO);
    double scale = 1.05;
    if (v != null) {
      scale = parse(v, DIM_MAX_SCORE_RATIO, "[0.5, 1.3]");
      if (!(scale >= 0.5 && scale <= 1.3)) {
        throw new IndexParamException("invalid " + DIM_MAX_SCORE_RATIO + ": " + v + ", must be in range [0.5, 1.3]");
      }
    }
    return new Search(drop, (float) scale, null);
  }

  private static double ratio(Map<String, String> p, String name) {
    String v = p == null ? null : p.get(name);
    if (v == null) {
      return 0;
    }
    double r = parse(v, name, "[0, 1)");
    if (!(r >= 0 && r < 1)) {
      throw new IndexParamException("invalid " + name + ": " + v + ", must be in range [0, 1)");
    }
    return r;
  }

  private static double parse(String v, String name, String range) {
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IndexParamException("invalid " + name + ": " + v + ", must be a number in range " + range);
    }
  }
}
