package io.quiver.server.ctl;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Options of {@code quiver loadtest --streaming} (see {@link #USAGE}).
 *
 * @param rate rows per second inserted during the streaming phase
 * @param insertBatch rows per insert call of the streaming phase
 * @param metricsAddress HOST:PORT of the server's Prometheus endpoint, or empty (no CPU figures)
 */
record StreamingOptions(String address, String collection, int dim, int preload, int batch, int threads, long phaseSeconds,
        long warmupSeconds, int rate, int insertBatch, int ef, int shards, long seed, String metricsAddress) {

    static final int TOPK = 10;

    static final String USAGE = """
            usage: quiver loadtest --streaming [--address 127.0.0.1:19530] [--collection streaming] [--dim 128] [--preload 100000]
                                   [--batch 5000] [--threads 2] [--duration 30] [--warmup 10] [--rate 1000] [--insert-batch 100]
                                   [--ef 64] [--shards 2] [--seed 1] [--metrics-address HOST:PORT]
              Search QPS while inserting at a fixed rate (issue 13; VectorDBBench's streaming case). (Re)creates --collection
              (id INT64 primary key, v FLOAT_VECTOR --dim, L2; HNSW M=16 efConstruction=200, --shards shards), inserts
              --preload random rows in batches of --batch, flushes, waits for the index and loads. Then --threads threads
              search random vectors (top-10, ef --ef, Bounded) for --warmup s (not reported) and --duration s (idle);
              then the same search load for --duration s while one more thread inserts --rate rows/s in batches of
              --insert-batch, paced on a fixed schedule. Prints QPS, p50 and p99 of both phases (with the server's mean
              process_cpu_usage given --metrics-address), streaming QPS / idle QPS (issue 13 wants >= 0.9), and the insert
              rate achieved. Exit code 1 if a search or an insert failed.""";

    StreamingOptions {
        require(!collection.isBlank(), "--collection must not be empty");
        require(dim <= 32768, "--dim must be <= 32768");
        require(ef >= TOPK, "--ef must be >= " + TOPK);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Parses the arguments (without {@code --streaming}); null when the command should exit with the code in
     * {@code exit[0]} (help or unknown flag, usage printed to {@code out}); IllegalArgumentException naming the flag
     * for a bad value.
     */
    static StreamingOptions parse(String[] args, PrintStream out, int[] exit) {
        Map<String, String> d = new HashMap<>(Map.of("--address", "127.0.0.1:19530", "--collection", "streaming", "--dim", "128",
                "--preload", "100000", "--batch", "5000", "--threads", "2", "--duration", "30", "--warmup", "10", "--rate", "1000",
                "--insert-batch", "100"));
        d.putAll(Map.of("--ef", "64", "--shards", "2", "--seed", "1", "--metrics-address", ""));
        Flags f = Flags.parse(args, d, USAGE, out);
        if (f.exit()) {
            exit[0] = f.exitCode();
            return null;
        }
        return new StreamingOptions(f.values().get("--address"), f.values().get("--collection"), (int) f.number("--dim", 1),
                (int) Math.min(f.number("--preload", 1), Integer.MAX_VALUE), (int) Math.min(f.number("--batch", 1), 1_000_000),
                (int) Math.min(f.number("--threads", 1), 1024), f.number("--duration", 1), f.number("--warmup", 0),
                (int) Math.min(f.number("--rate", 1), 10_000_000), (int) Math.min(f.number("--insert-batch", 1), 1_000_000),
                (int) Math.min(f.number("--ef", 1), 32768), (int) Math.min(f.number("--shards", 1), 64), f.number("--seed", Long.MIN_VALUE),
                f.values().get("--metrics-address"));
    }
}
