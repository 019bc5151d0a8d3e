package io.quiver.index.bench;

import io.quiver.index.HalfFloats;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.RowNorms;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorIndexes;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code quiver bench half}: FLOAT16 and BFLOAT16 storage against float32 storage of the same values, in one run.
 * Data: SIFT-like clustered rows ({@code --rows} x {@code --dim}, a mixture of {@code --clusters} Gaussians, seeded),
 * rounded to each 16-bit kind; the float32 twin holds the same rounded values, as a FLOAT_VECTOR collection fed the
 * same numbers would. For each kind and storage: HNSW build seconds, bytes per vector of the index
 * ({@code ramBytesUsed}), heap growth after building, recall@k against an exact search over those values, single-thread
 * QPS (best of {@code --repeat} passes after a warm-up), and the exact scan's QPS (a growing segment's path) over the
 * first {@code --scan-rows} rows. One JSON object per line.
 *
 * <pre>
 * [--rows 100000] [--dim 128] [--queries 1000] [--k 10] [--metric L2] [--M 16] [--efConstruction 128]
 * [--ef 64] [--threads 2] [--repeat 3] [--clusters 100] [--scan-rows 100000] [--scan-queries 50] [--seed 1]
 * </pre>
 */
public final class HalfBenchCli {
  private HalfBenchCli() {}

  /** One measured storage of one data set. */
  private record Run(String storage, VectorIndex index, double buildS, long heapBytes) {}

  public static void main(String[] args) {
    Map<String, String> a = IndexBenchCli.parse(args);
    int rows = IndexBenchCli.intArg(a, "rows", 100000);
    int dim = IndexBenchCli.intArg(a, "dim", 128);
    int nq = IndexBenchCli.intArg(a, "queries", 1000);
    int k = IndexBenchCli.intArg(a, "k", 10);
    int threads = IndexBenchCli.intArg(a, "threads", 2);
    int repeat = IndexBenchCli.intArg(a, "repeat", 3);
    int scanRows = Math.min(rows, IndexBenchCli.intArg(a, "scan-rows", 100000));
    int scanQueries = Math.min(nq, IndexBenchCli.intArg(a, "scan-queries", 50));
    long seed = Long.parseLong(a.getOrDefault("seed", "1"));
    MetricType metric = MetricType.parse(a.getOrDefault("metric", "L2"));
    IndexSpec spec = IndexSpec.of("HNSW", metric, dim, "M", a.getOrDefault("M", "16"), "efConstruction",
        a.getOrDefault("efConstruction", "128"));
    Map<String, String> search = Map.of("ef", a.getOrDefault("ef", "64"));

    float[] all = clustered(rows + nq, dim, IndexBenchCli.intArg(a, "clusters", 100), seed);
    float[] queries = Arrays.copyOfRange(all, rows * dim, (rows + nq) * dim);
    for (HalfFloats.Kind kind : HalfFloats.Kind.values()) {
      byte[] half = HalfFloats.encode(all, rows * dim, kind);
      float[] data = HalfFloats.decode(half, rows, dim, kind);
      SearchResult truth = VectorIndexes.build(IndexSpec.of("FLAT", metric, dim), data, rows, 1)
          .search(queries, nq, k, Map.of(), null);
      for (boolean sixteen : new boolean[] {false, true}) {
        Run run = measure(sixteen ? kind.name() : "FLOAT32", () -> sixteen
            ? VectorIndexes.buildHalf(spec, half, kind, rows, threads) : VectorIndexes.build(spec, data, rows, threads));
        double recall = recall(truth, run.index().search(queries, nq, k, search, null), k);
        double qps = qps(run.index(), queries, nq, dim, k, search, repeat);
        VectorIndex scan = sixteen ? VectorIndexes.halfExactView(metric, dim, half, kind, scanRows, new RowNorms())
            : VectorIndexes.exactView(metric, dim, data, scanRows, new RowNorms());
        double scanQps = qps(scan, queries, scanQueries, dim, k, Map.of(), repeat);
        System.out.printf(Locale.ROOT, "{\"values\": \"%s\", \"storage\": \"%s\", \"index\": \"HNSW\", \"metric\": \"%s\", "
            + "\"rows\": %d, \"dim\": %d, \"build_s\": %.1f, \"index_bytes_per_vector\": %.1f, "
            + "\"heap_bytes_per_vector\": %.1f, \"recall\": %.4f, \"qps\": %.0f, \"exact_scan_rows\": %d, "
            + "\"exact_scan_qps\": %.1f}%n", kind, run.storage(), metric, rows, dim, run.buildS(),
            (double) run.index().ramBytesUsed() / rows, (double) run.heapBytes() / rows, recall, qps, scanRows, scanQps);
        run = null; // let the index go before the next build's heap measurement
      }
    }
  }

  private interface Builder {
    VectorIndex build();
  }

  /** Builds, timing it, and the heap the result keeps (used heap after full GCs, before and after). */
  private static Run measure(String storage, Builder b) {
    long before = usedHeap();
    long t0 = System.nanoTime();
    VectorIndex index = b.build();
    double s = (System.nanoTime() - t0) / 1e9;
    return new Run(storage, index, s, usedHeap() - before);
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  /** A mixture of Gaussians: {@code clusters} centres (spread 4), rows at unit spread around one of them. */
  static float[] clustered(int n, int dim, int clusters, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] centres = new float[clusters * dim];
    for (int i = 0; i < centres.length; i++) {
      centres[i] = (float) (4 * gaussian(r));
    }
    float[] v = new float[n * dim];
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(clusters);
      for (int j = 0; j < dim; j++) {
        v[i * dim + j] = centres[c * dim + j] + (float) gaussian(r);
      }
    }
    return v;
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  /** Queries per second, one query per call on this thread: best of {@code repeat} passes after one warm-up pass. */
  private static double qps(VectorIndex index, float[] queries, int nq, int dim, int k, Map<String, String> params,
      int repeat) {
    float[] q = new float[dim];
    double best = 0;
    for (int pass = 0; pass <= repeat; pass++) {
      long t = System.nanoTime();
      for (int i = 0; i < nq; i++) {
        System.arraycopy(queries, i * dim, q, 0, dim);
        index.search(q, 1, k, params, null);
      }
      double qps = nq / ((System.nanoTime() - t) / 1e9);
      if (pass > 0) {
        best = Math.max(best, qps);
      }
    }
    return best;
  }

  private static double recall(SearchResult truth, SearchResult got, int k) {
    return IndexBenchCli.recall(got.rows(), truth.nq(), k, truth.rows(), k);
  }
}
