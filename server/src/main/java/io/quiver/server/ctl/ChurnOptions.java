package io.quiver.server.ctl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The options of {@code quiver loadtest --churn}, parsed and validated. Percentages are of the live rows at the start of
 * each round.
 *
 * @param metricsAddress HOST:PORT of a Prometheus /metrics endpoint for querynode memory, or null (use system_info)
 */
record ChurnOptions(String address, String collection, int dim, String metric, int preload, long durationSeconds, double upsertPercent,
        double deletePercent, double insertPercent, int reportEvery, int sample, double qpsSeconds, int qpsThreads, List<Path> measureDirs,
        String metricsAddress, long finalWaitSeconds, boolean freshCompare, long seed, int batch, int ef, int shards,
        double roundIntervalSeconds) {

    static final String USAGE = """
            usage: quiver loadtest --churn [--address 127.0.0.1:19530] [--collection churn] [--dim 64] [--metric COSINE|L2]
                                   [--preload 100000] [--duration 600] [--upsert-pct 5] [--delete-pct 2.5] [--insert-pct 2.5]
                                   [--report-every 10] [--sample 20] [--qps-seconds 2] [--qps-threads 4] [--measure-dir DIR]...
                                   [--metrics-address HOST:PORT] [--final-wait 0] [--fresh-compare] [--seed 1] [--batch 5000]
                                   [--ef 128] [--shards 2] [--round-interval 6]
              Churn benchmark (issue 10). (Re)creates --collection (id INT64 primary key, v FLOAT_VECTOR --dim, ver INT64;
              HNSW M=16 efConstruction=200), inserts --preload rows, flushes, waits for the index and loads. Then, for
              --duration seconds, each round upserts --upsert-pct % of the live rows (new vector, ver+1), deletes
              --delete-pct % and inserts --insert-pct % new ids (a round starts --round-interval seconds after the one
              before, or at once when that one took longer; 0: back to back; the default paces the issue's run, 76
              rounds in 10 minutes), and checks with Strong consistency: count(*) equals the
              client's live rows; --sample deleted ids are absent; --sample upserted ids return one row with the latest
              ver; --sample upserted rows are top-1 when searched by their own vector. A round failing a check is bad.
              Every --report-every rounds it prints rows written, live rows, querynode entities (sealed rows of the
              collection from GetQuerySegmentInfo + growing rows from system_info), querynode memory (system_info, or
              quiver_querynode_memory_bytes from --metrics-address), bytes under each --measure-dir, flushed segments
              (GetPersistentSegmentInfo, else loaded sealed segments), count(*) and self-search p99 latency, the QPS of a
              --qps-seconds search phase with --qps-threads threads, and bad rounds. At the end it waits --final-wait
              seconds, measures again and, with --fresh-compare, loads the same live rows into <collection>_fresh (the
              churned collection is released first) and prints the ratios. Exit code 1 if any round was bad.""";

    ChurnOptions {
        require(dim > 0 && dim <= 32768, "--dim must be in 1..32768");
        require(metric.equals("COSINE") || metric.equals("L2") || metric.equals("IP"), "--metric must be COSINE, L2 or IP");
        require(preload >= 0, "--preload must be >= 0");
        require(durationSeconds >= 0, "--duration must be >= 0");
        require(upsertPercent >= 0 && deletePercent >= 0 && insertPercent >= 0, "percentages must be >= 0");
        require(upsertPercent + deletePercent <= 100, "--upsert-pct + --delete-pct must be <= 100");
        require(reportEvery > 0, "--report-every must be > 0");
        require(sample > 0, "--sample must be > 0");
        require(qpsSeconds >= 0 && qpsThreads > 0, "--qps-seconds must be >= 0 and --qps-threads > 0");
        require(finalWaitSeconds >= 0, "--final-wait must be >= 0");
        require(batch > 0 && ef > 0 && shards > 0, "--batch, --ef and --shards must be > 0");
        require(roundIntervalSeconds >= 0, "--round-interval must be >= 0");
        require(!collection.isBlank(), "--collection must not be empty");
        measureDirs = List.copyOf(measureDirs);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Parses the arguments (without {@code --churn}); null for {@code --help}; IllegalArgumentException for bad input. */
    static ChurnOptions parse(String[] args) {
        String address = "127.0.0.1:19530";
        String collection = "churn";
        String metric = "COSINE";
        String metricsAddress = null;
        List<Path> dirs = new ArrayList<>();
        boolean fresh = false;
        long[] n = {64, 100_000, 600, 10, 20, 4, 0, 1, 5000, 128, 2}; // dim preload duration report sample threads wait seed batch ef shards
        double[] d = {5, 2.5, 2.5, 2, 6}; // upsert delete insert qps-seconds round-interval
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            if (a.equals("--fresh-compare")) {
                fresh = true;
                continue;
            }
            require(i + 1 < args.length, "missing value for " + a);
            String v = args[++i];
            try {
                switch (a) {
                    case "--address" -> address = v;
                    case "--collection" -> collection = v;
                    case "--metric" -> metric = v.toUpperCase(Locale.ROOT);
                    case "--metrics-address" -> metricsAddress = v;
                    case "--measure-dir" -> dirs.add(Path.of(v));
                    case "--dim" -> n[0] = Integer.parseInt(v);
                    case "--preload" -> n[1] = Integer.parseInt(v);
                    case "--duration" -> n[2] = Long.parseLong(v);
                    case "--report-every" -> n[3] = Integer.parseInt(v);
                    case "--sample" -> n[4] = Integer.parseInt(v);
                    case "--qps-threads" -> n[5] = Integer.parseInt(v);
                    case "--final-wait" -> n[6] = Long.parseLong(v);
                    case "--seed" -> n[7] = Long.parseLong(v);
                    case "--batch" -> n[8] = Integer.parseInt(v);
                    case "--ef" -> n[9] = Integer.parseInt(v);
                    case "--shards" -> n[10] = Integer.parseInt(v);
                    case "--upsert-pct" -> d[0] = Double.parseDouble(v);
                    case "--delete-pct" -> d[1] = Double.parseDouble(v);
                    case "--insert-pct" -> d[2] = Double.parseDouble(v);
                    case "--qps-seconds" -> d[3] = Double.parseDouble(v);
                    case "--round-interval" -> d[4] = Double.parseDouble(v);
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number for " + a + ": " + v);
            }
        }
        return new ChurnOptions(address, collection, (int) n[0], metric, (int) n[1], n[2], d[0], d[1], d[2], (int) n[3], (int) n[4], d[3],
                (int) n[5], dirs, metricsAddress, n[6], fresh, n[7], (int) n[8], (int) n[9], (int) n[10], d[4]);
    }
}
