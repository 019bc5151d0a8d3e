package io.quiver.index.bench;

import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.SearchResult;
import io.quiver.index.SparseVectors;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorIndexes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code quiver bench sparse}: SPLADE-shaped sparse rows ({@link SparseData}: {@code --rows} rows of about
 * {@code --nnz} terms from a {@code --vocab} vocabulary, queries of about {@code --query-nnz} terms), searched one query
 * per call on one thread by the exact view (brute force over the rows in Milvus' encoding, what a growing segment
 * uses) and by SPARSE_INVERTED_INDEX with each {@code inverted_index_algo} and SPARSE_WAND, each at the given
 * {@code drop_ratio_search} values. Prints one JSON object per configuration: build seconds, index bytes, QPS (best
 * of {@code --repeat} passes after a warm-up pass) and recall@k against the exact search, all in the same run.
 *
 * <pre>
 * [--rows 300000] [--vocab 30000] [--nnz 100] [--queries 200] [--query-nnz 20] [--k 10] [--repeat 3]
 * [--drop "0,0.2,0.5"] [--seed 1] [--brute-queries 50]
 * </pre>
 */
public final class SparseBenchCli {
  private SparseBenchCli() {}

  public static void main(String[] args) {
    Map<String, String> a = IndexBenchCli.parse(args);
    int rows = Integer.parseInt(a.getOrDefault("rows", "300000"));
    int vocab = Integer.parseInt(a.getOrDefault("vocab", "30000"));
    int nnz = Integer.parseInt(a.getOrDefault("nnz", "100"));
    int nq = Integer.parseInt(a.getOrDefault("queries", "200"));
    int qnnz = Integer.parseInt(a.getOrDefault("query-nnz", "20"));
    int k = Integer.parseInt(a.getOrDefault("k", "10"));
    int repeat = Integer.parseInt(a.getOrDefault("repeat", "3"));
    int bruteQueries = Math.min(nq, Integer.parseInt(a.getOrDefault("brute-queries", "50")));
    long seed = Long.parseLong(a.getOrDefault("seed", "1"));
    String[] drops = a.getOrDefault("drop", "0,0.2,0.5").split(",");

    long t0 = System.nanoTime();
    SparseVectors data = SparseData.generate(rows, vocab, nnz, seed);
    SparseVectors queries = SparseData.generate(nq, vocab, qnnz, seed + 1);
    byte[][] raw = SparseData.milvusRows(data);
    System.err.printf(Locale.ROOT, "generated rows=%d nnz=%d queries=%d in %.1fs%n", rows, data.nnz(), nq,
        (System.nanoTime() - t0) / 1e9);

    VectorIndex exact = VectorIndexes.sparseExactView(raw, rows);
    SearchResult truth = exact.searchSparse(queries, k, Map.of(), null);
    SparseVectors bruteSet = slice(queries, 0, bruteQueries);
    double bruteQps = qps(exact, bruteSet, k, Map.of(), repeat);
    print("BRUTE_FORCE", "", 0, 0, 0, bruteQps, 1.0, bruteQps, rows, data.nnz());

    List<String[]> configs = new ArrayList<>();
    for (String algo : new String[] {"TAAT_NAIVE", "DAAT_WAND", "DAAT_MAXSCORE"}) {
      configs.add(new String[] {"SPARSE_INVERTED_INDEX", algo});
    }
    configs.add(new String[] {"SPARSE_WAND", "DAAT_WAND"});
    for (String[] c : configs) {
      IndexSpec spec = IndexSpec.of(c[0], MetricType.IP, 0, "inverted_index_algo", c[1]);
      long b0 = System.nanoTime();
      VectorIndex index = VectorIndexes.buildSparse(spec, data);
      double buildS = (System.nanoTime() - b0) / 1e9;
      for (String d : drops) {
        Map<String, String> sp = Map.of("drop_ratio_search", d.trim());
        double recall = recall(truth, index.searchSparse(queries, k, sp, null), k);
        print(c[0], c[1], Double.parseDouble(d.trim()), buildS, index.ramBytesUsed(), qps(index, queries, k, sp, repeat),
            recall, bruteQps, rows, data.nnz());
      }
    }
  }

  /** Rows {@code [from, to)} of {@code v} as their own set. */
  private static SparseVectors slice(SparseVectors v, int from, int to) {
    int[] offsets = new int[to - from + 1];
    for (int r = from; r <= to; r++) {
      offsets[r - from] = v.start(r) - v.start(from);
    }
    return SparseVectors.of(offsets, Arrays.copyOfRange(v.indices(), v.start(from), v.start(to)),
        Arrays.copyOfRange(v.values(), v.start(from), v.start(to)));
  }

  /** Queries per second, one query per call on this thread: best of {@code repeat} passes after one warm-up pass. */
  private static double qps(VectorIndex index, SparseVectors queries, int k, Map<String, String> params, int repeat) {
    List<SparseVectors> single = new ArrayList<>();
    for (int q = 0; q < queries.rows(); q++) {
      single.add(slice(queries, q, q + 1));
    }
    double best = 0;
    for (int pass = 0; pass <= repeat; pass++) {
      long t = System.nanoTime();
      for (SparseVectors q : single) {
        index.searchSparse(q, k, params, null);
      }
      double qps = single.size() / ((System.nanoTime() - t) / 1e9);
      if (pass > 0) {
        best = Math.max(best, qps);
      }
    }
    return best;
  }

  private static double recall(SearchResult truth, SearchResult got, int k) {
    int hit = 0;
    int total = 0;
    for (int q = 0; q < truth.nq(); q++) {
      Set<Integer> t = new HashSet<>();
      for (int i = 0; i < k; i++) {
        if (truth.row(q, i) >= 0) {
          t.add(truth.row(q, i));
        }
      }
      for (int i = 0; i < k; i++) {
        hit += t.contains(got.row(q, i)) ? 1 : 0;
      }
      total += t.size();
    }
    return total == 0 ? 1.0 : (double) hit / total;
  }

  private static void print(String type, String algo, double drop, double buildS, long bytes, double qps, double recall,
      double bruteQps, int rows, int nnz) {
    System.out.printf(Locale.ROOT, "{\"index\": \"%s\", \"algo\": \"%s\", \"drop_ratio_search\": %s, \"rows\": %d, "
        + "\"nnz\": %d, \"build_s\": %.2f, \"ram_bytes\": %d, \"qps\": %.1f, \"x_brute_force\": %.1f, "
        + "\"recall\": %.4f}%n", type, algo, drop, rows, nnz, buildS, bytes, qps, qps / bruteQps, recall);
  }
}
