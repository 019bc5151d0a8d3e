package io.quiver.index.bench;

import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorIndexes;
import io.quiver.index.simd.VectorUtil;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code quiver bench index}: builds one index over a base file, then for each value of one search
 * parameter measures recall@k against the ground truth, QPS (queries issued one at a time, best of
 * {@code --repeat} passes after a warm-up pass) and per-query p50/p99 latency. One JSON object per line.
 *
 * <pre>
 * --base FILE --queries FILE [--gt FILE] --metric L2|IP|COSINE --index TYPE [--build "k=v,..."]
 * [--search "param=v1,v2,..."] [--k 10] [--threads N] [--search-threads 1] [--limit-base N] [--repeat 3]
 * [--save FILE] [--load FILE]
 * </pre>
 * Without {@code --gt}, or with {@code --limit-base} below the base size, ground truth is computed
 * exactly with a FLAT index.
 */
public final class IndexBenchCli {
  private IndexBenchCli() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    Path base = Path.of(req(a, "base"));
    Path queries = Path.of(req(a, "queries"));
    MetricType metric = MetricType.parse(a.getOrDefault("metric", "L2"));
    String type = a.getOrDefault("index", "HNSW").toUpperCase(Locale.ROOT);
    int k = Integer.parseInt(a.getOrDefault("k", "10"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
    int searchThreads = Integer.parseInt(a.getOrDefault("search-threads", "1"));
    int limit = Integer.parseInt(a.getOrDefault("limit-base", "0"));
    int repeat = Integer.parseInt(a.getOrDefault("repeat", "3"));
    Map<String, String> build = kv(a.getOrDefault("build", ""));
    String searchSpec = a.getOrDefault("search", "");

    VectorFiles.Matrix b = VectorFiles.read(base, limit);
    VectorFiles.Matrix q = VectorFiles.read(queries, 0);
    int[] gt;
    int gtK;
    boolean limited = limit > 0 && limit < readN(base);
    if (a.containsKey("gt") && !limited) {
      VectorFiles.Matrix g = VectorFiles.read(Path.of(a.get("gt")), 0);
      gt = g.ints();
      gtK = g.dim();
    } else {
      long t0 = System.nanoTime();
      VectorIndex flat = VectorIndexes.build(new IndexSpec("FLAT", metric, b.dim(), Map.of()), b.floats(), b.n(), 1);
      SearchResult r = flat.search(q.floats(), q.n(), k, Map.of(), null);
      gt = r.rows();
      gtK = k;
      System.err.printf(Locale.ROOT, "ground truth computed exactly (FLAT) in %.1fs%n", (System.nanoTime() - t0) / 1e9);
    }

    IndexSpec spec = new IndexSpec(type, metric, b.dim(), build);
    long t0 = System.nanoTime();
    VectorIndex index;
    if (a.containsKey("load")) {
      index = VectorIndexes.load(Path.of(a.get("load")));
    } else {
      index = VectorIndexes.build(spec, b.floats(), b.n(), threads);
    }
    double buildS = (System.nanoTime() - t0) / 1e9;
    if (a.containsKey("save")) {
      try (var out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(Path.of(a.get("save"))))) {
        index.write(out);
      }
    }
    System.err.printf(Locale.ROOT, "built %s %s n=%d dim=%d in %.2fs (kernels=%s)%n", type, metric, b.n(), b.dim(),
        buildS, VectorUtil.implementationName());

    String param = null;
    List<String> values = new ArrayList<>();
    if (!searchSpec.isBlank()) {
      int eq = searchSpec.indexOf('=');
      param = searchSpec.substring(0, eq).trim();
      values.addAll(Arrays.asList(searchSpec.substring(eq + 1).split(",")));
    } else {
      values.add("");
    }
    // JIT warm-up over every search value before any timing (C2 needs a few thousand calls)
    int warm = Integer.parseInt(a.getOrDefault("warmup", "2"));
    for (int w = 0; w < warm; w++) {
      for (String v : values) {
        Map<String, String> sp = param == null ? Map.of() : Map.of(param, v.trim());
        for (int i = 0; i < q.n(); i++) {
          index.search(Arrays.copyOfRange(q.floats(), i * q.dim(), (i + 1) * q.dim()), 1, k, sp, null);
        }
      }
    }
    for (String v : values) {
      Map<String, String> sp = param == null ? Map.of() : Map.of(param, v.trim());
      Measure m = measure(index, q, k, sp, repeat, searchThreads);
      double recall = recall(m.rows, q.n(), k, gt, gtK);
      System.out.println(String.format(Locale.ROOT,
          "{\"index\":\"%s\",\"metric\":\"%s\",\"n\":%d,\"dim\":%d,\"build\":\"%s\",\"search\":\"%s\",\"k\":%d,"
              + "\"threads\":%d,\"search_threads\":%d,\"kernels\":\"%s\",\"build_s\":%.3f,\"recall\":%.4f,"
              + "\"qps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"ram_bytes\":%d}",
          type, metric, b.n(), b.dim(), a.getOrDefault("build", ""), param == null ? "" : param + "=" + v.trim(), k,
          threads, searchThreads, VectorUtil.implementationName(), buildS, recall, m.qps, m.p50, m.p99,
          index.ramBytesUsed()));
    }
  }

  private static long readN(Path p) throws java.io.IOException {
    try (var ch = java.nio.channels.FileChannel.open(p)) {
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      ch.read(bb, 0);
      String name = p.getFileName().toString();
      if (name.endsWith("vecs")) {
        return ch.size() / (4L * (bb.getInt(0) + 1));
      }
      return bb.getInt(0);
    }
  }

  record Measure(int[] rows, double qps, double p50, double p99) {}

  static Measure measure(VectorIndex index, VectorFiles.Matrix q, int k, Map<String, String> sp, int repeat,
      int searchThreads) throws Exception {
    int nq = q.n(), dim = q.dim();
    int[] rows = new int[nq * k];
    long[] lat = new long[nq];
    // warm-up pass (JIT) doubles as the recall pass
    for (int i = 0; i < nq; i++) {
      SearchResult r = index.search(Arrays.copyOfRange(q.floats(), i * dim, (i + 1) * dim), 1, k, sp, null);
      System.arraycopy(r.rows(), 0, rows, i * k, k);
    }
    double bestQps = 0;
    long[] bestLat = null;
    float[][] qs = new float[nq][];
    for (int i = 0; i < nq; i++) {
      qs[i] = Arrays.copyOfRange(q.floats(), i * dim, (i + 1) * dim);
    }
    for (int rep = 0; rep < Math.max(1, repeat); rep++) {
      long start = System.nanoTime();
      if (searchThreads <= 1) {
        for (int i = 0; i < nq; i++) {
          long t = System.nanoTime();
          index.search(qs[i], 1, k, sp, null);
          lat[i] = System.nanoTime() - t;
        }
      } else {
        Thread[] ts = new Thread[searchThreads];
        for (int t = 0; t < searchThreads; t++) {
          final int w = t;
          ts[t] = new Thread(() -> {
            for (int i = w; i < nq; i += searchThreads) {
              long s = System.nanoTime();
              index.search(qs[i], 1, k, sp, null);
              lat[i] = System.nanoTime() - s;
            }
          });
          ts[t].start();
        }
        for (Thread t : ts) {
          t.join();
        }
      }
      double qps = nq / ((System.nanoTime() - start) / 1e9);
      if (qps > bestQps) {
        bestQps = qps;
        bestLat = lat.clone();
      }
    }
    Arrays.sort(bestLat);
    return new Measure(rows, bestQps, bestLat[nq / 2] / 1e3, bestLat[Math.min(nq - 1, (int) (nq * 0.99))] / 1e3);
  }

  static double recall(int[] rows, int nq, int k, int[] gt, int gtK) {
    long hits = 0;
    for (int i = 0; i < nq; i++) {
      Set<Integer> truth = new HashSet<>();
      for (int j = 0; j < k; j++) {
        truth.add(gt[i * gtK + j]);
      }
      for (int j = 0; j < k; j++) {
        if (truth.contains(rows[i * k + j])) {
          hits++;
        }
      }
    }
    return (double) hits / ((double) nq * k);
  }

  /** An integer argument, or {@code dflt} when absent. */
  static int intArg(Map<String, String> args, String name, int dflt) {
    String v = args.get(name);
    return v == null ? dflt : Integer.parseInt(v.trim());
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      String key = args[i].substring(2);
      String val = i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : "true";
      m.put(key, val);
    }
    return m;
  }

  static Map<String, String> kv(String s) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String part : s.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      m.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    return m;
  }

  private static String req(Map<String, String> a, String k) {
    String v = a.get(k);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + k);
    }
    return v;
  }
}
