package io.quiver.server.ctl;

import io.milvus.grpc.ConsistencyLevel;
import java.util.Locale;

/**
 * Options of {@code quiver loadtest --compaction-qps} (see {@link #USAGE}).
 *
 * @param consistency Bounded (default) or Strong
 * @param deleteWaitSeconds bound of the wait for the server's L0 compaction to apply the deletes
 * @param settleSeconds the flushed and loaded segment ids must stay unchanged this long after the compaction state left Executing
 * @param timeoutSeconds bound of phase 2 (the wait for compaction and handoff)
 * @param metricsAddress HOST:PORT of the server's Prometheus endpoint, or null (no CPU figures)
 */
record CompactionQpsOptions(String address, String collection, int dim, String metric, int preload, int batch, int threads,
        long phaseSeconds, ConsistencyLevel consistency, double deletePercent, int deleteBatch, long deleteWaitSeconds, long settleSeconds,
        long timeoutSeconds, String metricsAddress, long seed, int ef, int shards) {

    static final int TOPK = 10;

    static final String USAGE = """
            usage: quiver loadtest --compaction-qps [--address 127.0.0.1:19530] [--collection compaction_qps] [--dim 128]
                                   [--metric L2|COSINE] [--preload 200000] [--batch 5000] [--threads 4] [--phase-seconds 30]
                                   [--consistency bounded|strong] [--delete-pct 30] [--delete-batch 1000] [--delete-wait 180]
                                   [--settle 10] [--timeout 900] [--metrics-address HOST:PORT] [--seed 1] [--ef 64] [--shards 2]
              Search QPS while a compaction runs (issue 10). (Re)creates --collection (id INT64 primary key, v FLOAT_VECTOR
              --dim, ver INT64 always 0; HNSW M=16 efConstruction=200), inserts --preload rows in batches of --batch,
              flushes, waits for the index and loads. Phase 1 (idle): --threads threads search random vectors (top-10,
              ef --ef, --consistency) for --phase-seconds. Then deletes --delete-pct % of the ids (uniformly over all
              segments, `id in [...]` batches of --delete-batch), flushes and waits (at most --delete-wait s) until no L0
              segment is left (the server's L0 compaction applied the deletes). Phase 2: the same search load while a
              ManualCompaction runs: until GetCompactionState leaves Executing and the flushed (GetPersistentSegmentInfo)
              and loaded (GetQuerySegmentInfo) segment ids stay unchanged for --settle s, at most --timeout s. Phase 3:
              the same load for --phase-seconds after it. Prints phase, seconds, QPS, p50, p99, failed searches, deleted
              ids seen in hits (every hit of every search is checked) and, with --metrics-address, the server's mean
              process_cpu_usage; then QPS during / QPS idle (issue 10 wants >= 0.8). Exit code 1 if a search failed,
              a deleted id was returned, or the compaction did not finish.""";

    CompactionQpsOptions {
        require(!collection.isBlank(), "--collection must not be empty");
        require(dim > 0 && dim <= 32768, "--dim must be in 1..32768");
        require(metric.equals("COSINE") || metric.equals("L2"), "--metric must be L2 or COSINE");
        require(preload > 0, "--preload must be > 0");
        require(batch > 0 && deleteBatch > 0, "--batch and --delete-batch must be > 0");
        require(threads > 0, "--threads must be > 0");
        require(phaseSeconds > 0, "--phase-seconds must be > 0");
        require(consistency == ConsistencyLevel.Bounded || consistency == ConsistencyLevel.Strong, "--consistency must be bounded or strong");
        require(deletePercent > 0 && deletePercent < 100, "--delete-pct must be in (0, 100)");
        require(deleteWaitSeconds >= 0 && settleSeconds >= 0, "--delete-wait and --settle must be >= 0");
        require(timeoutSeconds > 0, "--timeout must be > 0");
        require(ef >= TOPK, "--ef must be >= " + TOPK);
        require(shards > 0, "--shards must be > 0");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Parses the arguments (without {@code --compaction-qps}); null for {@code --help}; IllegalArgumentException for bad input. */
    static CompactionQpsOptions parse(String[] args) {
        String address = "127.0.0.1:19530";
        String collection = "compaction_qps";
        String metric = "L2";
        String metricsAddress = null;
        ConsistencyLevel consistency = ConsistencyLevel.Bounded;
        double deletePct = 30;
        long[] n = {128, 200_000, 5000, 4, 30, 1000, 180, 10, 900, 1, 64, 2}; // dim preload batch threads phase dbatch dwait settle timeout seed ef shards
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            require(i + 1 < args.length, "missing value for " + a);
            String v = args[++i];
            try {
                switch (a) {
                    case "--address" -> address = v;
                    case "--collection" -> collection = v;
                    case "--metric" -> metric = v.toUpperCase(Locale.ROOT);
                    case "--metrics-address" -> metricsAddress = v;
                    case "--consistency" -> consistency = consistency(v);
                    case "--delete-pct" -> deletePct = Double.parseDouble(v);
                    case "--dim" -> n[0] = Integer.parseInt(v);
                    case "--preload" -> n[1] = Integer.parseInt(v);
                    case "--batch" -> n[2] = Integer.parseInt(v);
                    case "--threads" -> n[3] = Integer.parseInt(v);
                    case "--phase-seconds" -> n[4] = Long.parseLong(v);
                    case "--delete-batch" -> n[5] = Integer.parseInt(v);
                    case "--delete-wait" -> n[6] = Long.parseLong(v);
                    case "--settle" -> n[7] = Long.parseLong(v);
                    case "--timeout" -> n[8] = Long.parseLong(v);
                    case "--seed" -> n[9] = Long.parseLong(v);
                    case "--ef" -> n[10] = Integer.parseInt(v);
                    case "--shards" -> n[11] = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number for " + a + ": " + v);
            }
        }
        return new CompactionQpsOptions(address, collection, (int) n[0], metric, (int) n[1], (int) n[2], (int) n[3], n[4], consistency,
                deletePct, (int) n[5], n[6], n[7], n[8], metricsAddress, n[9], (int) n[10], (int) n[11]);
    }

    private static ConsistencyLevel consistency(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "bounded" -> ConsistencyLevel.Bounded;
            case "strong" -> ConsistencyLevel.Strong;
            default -> throw new IllegalArgumentException("--consistency must be bounded or strong, not " + v);
        };
    }
}
