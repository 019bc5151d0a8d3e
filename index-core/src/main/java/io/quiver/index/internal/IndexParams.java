package io.quiver.index.internal;

import io.quiver.index.IndexParamException;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import java.util.Locale;
import java.util.Map;

/**
 * Validation and defaults for Milvus index types, build and search parameters. Ranges follow Milvus
 * 2.5 / knowhere: nlist and nprobe in [1, 65536] (nprobe default 8), HNSW M in [2, 2048] (default 30),
 * efConstruction in [1, 2^31-1] (default 360), ef in [1, 2^31-1] and >= k (default max(k, 16)), IVF_PQ
 * m must divide dim, nbits in [1, 8] (Quiver stores one byte per code; Milvus allows up to 16).
 */
public final class IndexParams {
  public static final int MAX_DIM = 32768;
  public static final String SPARSE_INVERTED_INDEX = "SPARSE_INVERTED_INDEX";
  public static final String SPARSE_WAND = "SPARSE_WAND";

  private IndexParams() {}

  /** Canonical upper-case index type; AUTOINDEX is kept as given (it resolves to HNSW). */
  public static String type(IndexSpec spec) {
    if (spec == null) {
      throw new IndexParamException("index spec is missing");
    }
    String t = spec.indexType();
    if (t == null || t.isBlank()) {
      throw new IndexParamException("index type is missing: must be one of " + TYPES);
    }
    t = t.trim().toUpperCase(Locale.ROOT);
    return switch (t) {
      case "FLAT", "IVF_FLAT", "IVF_SQ8", "IVF_PQ", "HNSW", "AUTOINDEX", "BIN_FLAT", "BIN_IVF_FLAT", SPARSE_INVERTED_INDEX,
          SPARSE_WAND -> t;
      default -> throw new IndexParamException("invalid index type " + spec.indexType() + ": must be one of " + TYPES);
    };
  }

  static final String TYPES = "FLAT, IVF_FLAT, IVF_SQ8, IVF_PQ, HNSW, AUTOINDEX, BIN_FLAT, BIN_IVF_FLAT, "
      + "SPARSE_INVERTED_INDEX, SPARSE_WAND";

  public static boolean isBinaryType(String type) {
    return type.startsWith("BIN_");
  }

  public static boolean isSparseType(String type) {
    return type.equals(SPARSE_INVERTED_INDEX) || type.equals(SPARSE_WAND);
  }

  /** Validates the spec and returns its metric (COSINE when AUTOINDEX has none). */
  public static MetricType validate(IndexSpec spec) {
    String type = type(spec);
    MetricType metric = spec.metric();
    if (isSparseType(type)) {
      return SparseParams.validateBuild(type, metric, spec.buildParams());
    }
    if (metric == null) {
      if (type.equals("AUTOINDEX")) {
        metric = MetricType.COSINE;
      } else {
        throw new IndexParamException("metric type is missing for index type " + type);
      }
    }
    if (metric == MetricType.BM25) {
      throw new IndexParamException("metric type BM25 is not valid for index type " + type
          + ": BM25 scores sparse rows of term counts (SPARSE_INVERTED_INDEX, SPARSE_WAND)");
    }
    boolean binary = isBinaryType(type);
    if (binary && !metric.isBinary()) {
      throw new IndexParamException("metric type " + metric + " is not valid for index type " + type
          + ": must be one of HAMMING, JACCARD");
    }
    if (!binary && metric.isBinary()) {
      throw new IndexParamException("metric type " + metric + " is not valid for index type " + type
          + ": must be one of L2, IP, COSINE");
    }
    int dim = spec.dim();
    if (binary) {
      if (dim <= 0 || dim % 8 != 0 || dim > MAX_DIM * 8) {
        throw new IndexParamException("invalid dim=" + dim + " for binary vectors: must be a multiple of 8 in [8, "
            + MAX_DIM * 8 + "]");
      }
    } else if (dim <= 0 || dim > MAX_DIM) {
      throw new IndexParamException("invalid dim=" + dim + ": must be in [1, " + MAX_DIM + "]");
    }
    Map<String, String> p = spec.buildParams();
    switch (type) {
      case "IVF_FLAT", "IVF_SQ8", "BIN_IVF_FLAT" -> nlist(p);
      case "IVF_PQ" -> {
        nlist(p);
        pqM(p, dim);
        nbits(p);
      }
      case "HNSW" -> {
        hnswM(p);
        efConstruction(p);
      }
      default -> { }
    }
    if (p.containsKey("seed")) {
      longParam(p, "seed", Long.MIN_VALUE, Long.MAX_VALUE, 0);
    }
    return metric;
  }

  public static int nlist(Map<String, String> p) {
    return intParam(p, "nlist", 1, 65536, 128);
  }

  public static int pqM(Map<String, String> p, int dim) {
    int def = defaultPqM(dim);
    int m = intParam(p, "m", 1, dim, def);
    if (dim % m != 0) {
      throw new IndexParamException("invalid index param m=" + m + ": must divide dim=" + dim);
    }
    return m;
  }

  static int defaultPqM(int dim) {
    int target = Math.max(1, dim / 4);
    for (int m = target; m >= 1; m--) {
      if (dim % m == 0) {
        return m;
      }
    }
    return 1;
  }

  public static int nbits(Map<String, String> p) {
    return intParam(p, "nbits", 1, 8, 8);
  }

  public static int hnswM(Map<String, String> p) {
    return intParam(p, "M", 2, 2048, 30);
  }

  public static int efConstruction(Map<String, String> p) {
    return intParam(p, "efConstruction", 1, Integer.MAX_VALUE, 360);
  }

  public static long seed(Map<String, String> p) {
    return longParam(p, "seed", Long.MIN_VALUE, Long.MAX_VALUE, 0x5EEDL);
  }

  /** Search-time nprobe (default 8, Milvus' default), capped to nlist by the caller. */
  public static int nprobe(Map<String, String> p) {
    return intParam(p, "nprobe", 1, 65536, 8);
  }

  /** Search-time ef: default max(k, 16); an explicit ef < k is an error, as in Milvus. */
  public static int ef(Map<String, String> p, int k) {
    String v = p == null ? null : p.get("ef");
    if (v == null) {
      return Math.max(k, 16);
    }
    int ef = intParam(p, "ef", 1, Integer.MAX_VALUE, 16);
    if (ef < k) {
      throw new IndexParamException("invalid search param ef=" + ef + ": must be >= k=" + k);
    }
    return ef;
  }

  public static void validateSearchParams(IndexSpec spec, Map<String, String> p) {
    String type = type(spec);
    switch (type) {
      case "HNSW", "AUTOINDEX" -> {
        if (p != null && p.get("ef") != null) {
          intParam(p, "ef", 1, Integer.MAX_VALUE, 16);
        }
      }
      case "IVF_FLAT", "IVF_SQ8", "IVF_PQ", "BIN_IVF_FLAT" -> nprobe(p);
      case SPARSE_INVERTED_INDEX, SPARSE_WAND -> SparseParams.search(p);
      default -> { }
    }
  }

  public static void checkK(int k) {
    if (k < 1 || k > 16384) {
      throw new IndexParamException("invalid topk=" + k + ": must be in [1, 16384]");
    }
  }

  public static int intParam(Map<String, String> p, String name, int min, int max, int def) {
    return (int) longParam(p, name, min, max, def);
  }

  public static long longParam(Map<String, String> p, String name, long min, long max, long def) {
    String v = p == null ? null : p.get(name);
    if (v == null) {
      return def;
    }
    long x;
    try {
      x = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IndexParamException("invalid index param " + name + "=" + v + ": must be an integer in ["
          + min + ", " + max + "]");
    }
    if (x < min || x > max) {
      throw new IndexParamException("invalid index param " + name + "=" + v + ": must be in [" + min + ", " + max + "]");
    }
    return x;
  }
}
