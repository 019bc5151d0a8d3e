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

  /** How a query walks the posting lists. */
  public enum Algo { TAAT_NAIVE, DAAT_WAND, DAAT_MAXSCORE }

  /** What one search call uses. */
  public record Search(double dropRatio, float boundScale) {}

  private SparseParams() {}

  static MetricType validateBuild(String type, MetricType metric, Map<String, String> p) {
    if (metric != MetricType.IP) {
      throw new IndexParamException("metric type not found or not supported, supported: [IP BM25]");
    }
    algo(type, p);
    dropRatioBuild(p);
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
    return new Search(drop, (float) scale);
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
