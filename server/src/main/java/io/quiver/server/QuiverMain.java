package io.quiver.server;

import io.quiver.common.config.QuiverConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code quiver run standalone|ROLE [--config FILE] [--port N] [--metrics-port N] [--data-dir DIR]} and
 * {@code quiver bench index ...}. Start-up failures are logged with their cause and exit non-zero.
 */
public final class QuiverMain {
    private static final Logger LOG = LoggerFactory.getLogger(QuiverMain.class);
    static final String USAGE = """
            usage: quiver run standalone [--config FILE] [--port N] [--metrics-port N] [--data-dir DIR]
                   quiver run <rootcoord|datacoord|querycoord|datanode|querynode|indexnode|proxy> [--config FILE] [--port N] [--metrics-port N] [--data-dir DIR]
                   quiver ctl status [--address HOST:PORT] [--json] [--watch SECONDS]
                   quiver loadtest [--address HOST:PORT] [--collection C] [--dim 128] [--threads 4] [--duration 30] [--batch 1000] [--topk 10] [--insert-ratio 0.1] [--filter EXPR] [--preload 20000] [--replicas 1]
                   quiver loadtest --churn [--address HOST:PORT] [--preload 100000] [--duration 600] [--upsert-pct 5] [--delete-pct 2.5] [--insert-pct 2.5] [--report-every 10] [--measure-dir DIR]... [--metrics-address HOST:PORT] [--final-wait 0] [--fresh-compare] [--seed 1] (--churn --help for all)
                   quiver loadtest --compaction-qps [--address HOST:PORT] [--preload 100000] (--compaction-qps --help for all)
                   quiver loadtest --streaming [--address HOST:PORT] [--preload 100000] [--rate 1000] [--threads 2] [--duration 30] (--streaming --help for all)
                   quiver loadtest --read-after-write [--address HOST:PORT] [--preload 10000] [--rounds 300] (--read-after-write --help for all)
                   quiver bench index --base FILE --queries FILE --gt FILE --metric L2|IP|COSINE --index TYPE [--build k=v,..] [--search p=v1,v2] [--k 10] [--threads N]
                   quiver bench sparse [--rows 300000] [--vocab 30000] [--nnz 100] [--queries 200] [--query-nnz 20] [--k 10] [--drop 0,0.2,0.5]
                   quiver bench half [--rows 100000] [--dim 128] [--queries 1000] [--metric L2] [--M 16] [--efConstruction 128] [--ef 64]
            environment: QUIVER_PORT, QUIVER_METRICS_PORT, QUIVER_DATA_DIR, QUIVER_HOST, ETCD_ENDPOINTS, MINIO_ADDRESS, PULSAR_ADDRESS""";

    private QuiverMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("ctl") && args[1].equals("bench")) {
            System.exit(io.quiver.server.ctl.LoadTest.main(Arrays.copyOfRange(args, 2, args.length), System.out));
        }
        if (args.length >= 1 && args[0].equals("loadtest")) {
            System.exit(io.quiver.server.ctl.LoadTest.main(Arrays.copyOfRange(args, 1, args.length), System.out));
        }
        if (args.length >= 1 && args[0].equals("ctl")) {
            System.exit(io.quiver.server.ctl.Ctl.main(Arrays.copyOfRange(args, 1, args.length), System.out));
        }
        if (args.length >= 2 && args[0].equals("bench") && args[1].equals("index")) {
            io.quiver.index.bench.IndexBenchCli.main(Arrays.copyOfRange(args, 2, args.length));
            return;
        }
        if (args.length >= 2 && args[0].equals("bench") && args[1].equals("half")) {
            io.quiver.index.bench.HalfBenchCli.main(Arrays.copyOfRange(args, 2, args.length));
            return;
        }
        if (args.length >= 2 && args[0].equals("bench") && args[1].equals("sparse")) {
            io.quiver.index.bench.SparseBenchCli.main(Arrays.copyOfRange(args, 2, args.length));
            return;
        }
        if (args.length < 2 || !args[0].equals("run")) {
            System.err.println(USAGE);
            System.exit(2);
        }
        String what = args[1];
        Path config = null;
        Map<String, String> overrides = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--config" -> config = Path.of(require(a, v));
                case "--port" -> overrides.put("common.port", require(a, v));
                case "--metrics-port" -> overrides.put("common.metricsPort", require(a, v));
                case "--data-dir" -> overrides.put("common.dataDir", require(a, v));
                case "--host" -> overrides.put("common.host", require(a, v));
                default -> {
                    System.err.println("unknown argument: " + a + "\n" + USAGE);
                    System.exit(2);
                }
            }
            i++;
        }
        Node node;
        try {
            QuiverConfig cfg = QuiverConfig.load(config, System.getenv(), overrides);
            node = what.equals("standalone") ? Node.standalone(cfg) : Node.role(cfg, what);
            node.start();
        } catch (Exception e) {
            LOG.error("quiver failed to start: {}", e.toString(), e);
            System.err.println("quiver failed to start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Node n = node;
        Runtime.getRuntime().addShutdownHook(new Thread(n::close, "quiver-shutdown"));
        n.blockUntilShutdown();
    }

    private static String require(String flag, String v) {
        if (v == null) {
            System.err.println(flag + " needs a value\n" + USAGE);
            System.exit(2);
        }
        return v;
    }
}
