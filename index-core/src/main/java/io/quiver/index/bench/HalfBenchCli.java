package io.quiver.index.bench;

import io.quiver.index.HalfFloats;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.RowNorms;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorIndexes;
import io.quiver.index.simd.VectorUtil;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * QPS and the exact scan's QPS (a growing segment's path) over the first {@code --scan-rows} rows, the two storages
 * alternating pass by pass ({@code --repeat} passes after a warm-up, best kept). First, the dot-product kernel by
 * element type and memory, interleaved the same way. One JSON object per line.
 *
 * <pre>
 * [--rows 100000] [--dim 128] [--queries 1000] [--k 10] [--metric L2] [--M 16] [--efConstruction 128]
 * [--ef 64] [--threads 2] [--repeat 5] [--clusters 100] [--scan-rows 100000] [--scan-queries 50] [--seed 1]
 * [--kernel-rounds 15]
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
    int repeat = IndexBenchCli.intArg(a, "repeat", 5);
    int scanRows = Math.min(rows, IndexBenchCli.intArg(a, "scan-rows", 100000));
    int scanQueries = Math.min(nq, IndexBenchCli.intArg(a, "scan-queries", 50));
    long seed = Long.parseLong(a.getOrDefault("seed", "1"));
    MetricType metric = MetricType.parse(a.getOrDefault("metric", "L2"));
    IndexSpec spec = IndexSpec.of("HNSW", metric, dim, "M", a.getOrDefault("M", "16"), "efConstruction",
        a.getOrDefault("efConstruction", "128"));
    Map<String, String> search = Map.of("ef", a.getOrDefault("ef", "64"));

    kernels(new int[] {128, 768}, IndexBenchCli.intArg(a, "kernel-rounds", 15));
    float[] all = clustered(rows + nq, dim, IndexBenchCli.intArg(a, "clusters", 100), seed);
    float[] queries = Arrays.copyOfRange(all, rows * dim, (rows + nq) * dim);
    for (HalfFloats.Kind kind : HalfFloats.Kind.values()) {
      byte[] half = HalfFloats.encode(all, rows * dim, kind);
      float[] data = HalfFloats.decode(half, rows, dim, kind);
      SearchResult truth = VectorIndexes.build(IndexSpec.of("FLAT", metric, dim), data, rows, 1)
          .search(queries, nq, k, Map.of(), null);
      Run[] runs = {
          measure("FLOAT32", () -> VectorIndexes.build(spec, data, rows, threads)),
          measure(kind.name(), () -> VectorIndexes.buildHalf(spec, half, kind, rows, threads))};
      VectorIndex[] scans = {
          VectorIndexes.exactView(metric, dim, data, scanRows, new RowNorms()),
          VectorIndexes.halfExactView(metric, dim, half, kind, scanRows, new RowNorms())};
      // QPS: the two storages alternate pass by pass and each keeps its best, so load from other processes
      // weighs on both alike
      double[] qps = new double[2];
      double[] scanQps = new double[2];
      for (int pass = 0; pass <= repeat; pass++) {
        for (int s = 0; s < 2; s++) {
          double hnsw = qps(runs[s].index(), queries, nq, dim, k, search);
          double scan = qps(scans[s], queries, scanQueries, dim, k, Map.of());
          if (pass > 0) { // the first pass warms up
            qps[s] = Math.max(qps[s], hnsw);
            scanQps[s] = Math.max(scanQps[s], scan);
          }
        }
      }
      for (int s = 0; s < 2; s++) {
        Run run = runs[s];
        double recall = recall(truth, run.index().search(queries, nq, k, search, null), k);
        System.out.printf(Locale.ROOT, "{\"values\": \"%s\", \"storage\": \"%s\", \"index\": \"HNSW\", "
            + "\"metric\": \"%s\", \"rows\": %d, \"dim\": %d, \"build_s\": %.1f, \"index_bytes_per_vector\": %.1f, "
            + "\"heap_bytes_per_vector\": %.1f, \"recall\": %.4f, \"qps\": %.0f, \"qps_vs_float32\": %.2f, "
            + "\"exact_scan_rows\": %d, \"exact_scan_qps\": %.1f, \"exact_scan_vs_float32\": %.2f}%n", kind,
            run.storage(), metric, rows, dim, run.buildS(), (double) run.index().ramBytesUsed() / rows,
            (double) run.heapBytes() / rows, recall, qps[s], qps[s] / qps[0], scanRows, scanQps[s],
            scanQps[s] / scanQps[0]);
      }
    }
  }

  /**
   * Kernel calls per microsecond, float32 query x one stored row, by element type and memory (native: a mapped
   * index, through the segment kernels; heap: a built index or a growing segment's column, through the array
   * kernels), all in one loop of rounds so that every variant sees the same machine load; each keeps its best round.
   */
  private static void kernels(int[] dims, int rounds) {
    String[] elements = {"FLOAT32", "FLOAT16", "BFLOAT16"};
    for (int dim : dims) {
      float[] q = clustered(1, dim, 1, 7);
      float[] x = clustered(1, dim, 1, 8);
      byte[][] heap = new byte[3][];
      MemorySegment[] nativeRows = new MemorySegment[3];
      for (int e = 0; e < 3; e++) {
        if (e == 0) {
          heap[e] = new byte[4 * dim];
          MemorySegment.copy(x, 0, MemorySegment.ofArray(heap[e]), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, dim);
        } else {
          heap[e] = HalfFloats.encode(x, dim, HalfFloats.Kind.values()[e - 1]);
        }
        nativeRows[e] = Arena.ofAuto().allocate(heap[e].length, 64).copyFrom(MemorySegment.ofArray(heap[e]));
      }
      double[][] best = new double[2][3];
      float sink = 0;
      for (int round = 0; round < rounds; round++) {
        for (int m = 0; m < 2; m++) {
          for (int e = 0; e < 3; e++) {
            long t = System.nanoTime();
            sink += kernelCalls(q, x, heap[e], nativeRows[e], m == 0, e == 0 ? null : HalfFloats.Kind.values()[e - 1]);
            best[m][e] = Math.max(best[m][e], KERNEL_CALLS / ((System.nanoTime() - t) / 1e3));
          }
        }
      }
      for (int m = 0; m < 2; m++) {
        for (int e = 0; e < 3; e++) {
          System.out.printf(Locale.ROOT, "{\"kernel\": \"dotProduct\", \"impl\": \"%s\", \"dim\": %d, "
              + "\"element\": \"%s\", \"memory\": \"%s\", \"ops_per_us\": %.2f, \"vs_float32_same_memory\": %.2f}%n",
              VectorUtil.implementationName(), dim, elements[e], m == 0 ? "native" : "heap", best[m][e],
              best[m][e] / best[m][0]);
        }
      }
      if (sink == 42) {
        System.out.println(); // keeps the kernel calls observable
      }
    }
  }

  private static final int KERNEL_CALLS = 200_000;

  /** {@link #KERNEL_CALLS} dot products of {@code q} with the row (float32 when {@code kind} is null). */
  private static float kernelCalls(float[] q, float[] x, byte[] heap, MemorySegment nativeRow, boolean onNative,
      HalfFloats.Kind kind) {
    int dim = q.length;
    float sink = 0;
    for (int i = 0; i < KERNEL_CALLS; i++) {
      if (kind == null) {
        sink += onNative ? VectorUtil.dotProduct(q, nativeRow, 0, dim) : VectorUtil.dotProduct(q, 0, x, 0, dim);
      } else {
        sink += onNative ? VectorUtil.dotProduct(q, nativeRow, 0, dim, kind) : VectorUtil.dotProduct(q, heap, 0, dim, kind);
      }
    }
    return sink;
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

  /** Queries per second of one pass, one query per call on this thread. */
  private static double qps(VectorIndex index, float[] queries, int nq, int dim, int k, Map<String, String> params) {
    float[] q = new float[dim];
    long t = System.nanoTime();
    for (int i = 0; i < nq; i++) {
      System.arraycopy(queries, i * dim, q, 0, dim);
      index.search(q, 1, k, params, null);
    }
    return nq / ((System.nanoTime() - t) / 1e9);
  }

  private static double recall(SearchResult truth, SearchResult got, int k) {
    return IndexBenchCli.recall(got.rows(), truth.nq(), k, truth.rows(), k);
  }
}
