package io.quiver.tests.bench;

import com.google.gson.JsonObject;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.rbac.request.CreateRoleReq;
import io.milvus.v2.service.rbac.request.CreateUserReq;
import io.milvus.v2.service.rbac.request.GrantPrivilegeReqV2;
import io.milvus.v2.service.rbac.request.GrantRoleReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.quiver.tests.StandaloneProcess;
import io.quiver.tests.TlsFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The cost of TLS on the hot path: two standalone servers of the same build, one plain and one with
 * {@code common.security.tlsMode} 1 or 2, driven by the official Java SDK v2 in the same run. Insert throughput
 * (batches of {@code --batch} rows of {@code --dim} floats into a quick-setup collection) and search throughput
 * (top-10 over those rows, Eventually consistent, {@code --threads} client threads) alternate between the two
 * servers, plain first, so machine noise hits both: {@code --warmup} rounds, then {@code --rounds} measured ones.
 * Reported per round and as medians of the TLS/plain ratios: throughput, and CPU time (server process from /proc plus
 * this client JVM) per 1,000 rows inserted and per search, which other load on the machine disturbs much less.
 *
 * <pre>
 * ./mvnw -q -pl tests exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.quiver.tests.bench.TlsBench \
 *   -Dquiver.root=$PWD -Dquiver.server.jar=$PWD/server/target/quiver-server.jar \
 *   -Dexec.args="--mode 2 --rows 20000 --batch 1000 --dim 128 --searches 2000 --threads 4 --warmup 2 --rounds 5"
 * # auth + RBAC on top of TLS (a non-root user checked against its role on every call): add --auth true
 * </pre>
 */
public final class TlsBench {
    private final Map<String, String> a;
    private final int dim;

    private TlsBench(Map<String, String> a) {
        this.a = a;
        this.dim = Integer.parseInt(a.get("--dim"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("--mode", "1", "--rows", "20000", "--batch", "1000", "--dim", "128",
                "--searches", "2000", "--threads", "4", "--rounds", "5", "--warmup", "2", "--auth", "false"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!a.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + a.keySet());
            }
            a.put(args[i], args[i + 1]);
        }
        new TlsBench(a).run();
        System.exit(0);
    }

    private void run() throws Exception {
        int mode = Integer.parseInt(a.get("--mode"));
        Path tmp = Files.createTempDirectory("tls-bench");
        Path certs = TlsFixture.certificates(tmp.resolve("certs"), "new");
        boolean auth = Boolean.parseBoolean(a.get("--auth"));
        try (StandaloneProcess plain = new StandaloneProcess(tmp.resolve("plain"));
             StandaloneProcess tls = TlsFixture.server(Files.createDirectories(tmp.resolve("tls")), certs, mode, auth)) {
            plain.start();
            MilvusClientV2 p = TlsFixture.v2(plain, b -> {});
            Consumer<ConnectConfig.ConnectConfigBuilder<?, ?>> secure = mode == 2
                    ? b -> b.secure(true).clientPemPath(certs.resolve("client.pem").toString())
                            .clientKeyPath(certs.resolve("client.key").toString()).caPemPath(certs.resolve("ca.pem").toString())
                    : b -> b.secure(true).serverPemPath(certs.resolve("ca.pem").toString()).serverName("localhost");
            // with --auth: a non-root user whose role holds CollectionReadWrite on every collection of the database and
            // CreateCollection, so every call is authenticated and checked against RBAC (root would bypass the check)
            MilvusClientV2 t = auth ? rbacUser(tls, secure) : TlsFixture.v2(tls, secure);
            int warmup = Integer.parseInt(a.get("--warmup"));
            int rounds = Integer.parseInt(a.get("--rounds"));
            // per round, per phase (insert plain, insert tls, search plain, search tls): throughput, and CPU per unit of work
            // (both processes: the server's from /proc, this client JVM's; CPU is what TLS adds, and it is far less
            // sensitive than throughput to other load on the machine)
            List<double[]> rates = new ArrayList<>();
            List<double[]> cpu = new ArrayList<>();
            for (int r = 0; r < warmup + rounds; r++) {
                double[] rate = new double[4];
                double[] us = new double[4];
                String id = Integer.toString(r);
                measure(plain, () -> insert(p, "bench_plain_" + id), rate, us, 0, 1000);
                measure(tls, () -> insert(t, "bench_tls_" + id), rate, us, 1, 1000);
                measure(plain, () -> search(p, "bench_plain_" + id), rate, us, 2, 1);
                measure(tls, () -> search(t, "bench_tls_" + id), rate, us, 3, 1);
                System.out.printf("%s %d: insert rows/s %.0f vs %.0f, CPU us/1k rows %.0f vs %.0f (%.2fx) | search/s %.0f vs %.0f, "
                        + "CPU us/search %.0f vs %.0f (%.2fx)   [plain vs TLS]%n", r < warmup ? "warm-up" : "round", r,
                        rate[0], rate[1], us[0], us[1], us[1] / us[0], rate[2], rate[3], us[2], us[3], us[3] / us[2]);
                if (r >= warmup) {
                    rates.add(rate);
                    cpu.add(us);
                }
            }
            System.out.printf("TLS mode %d%s, %d rounds after %d warm-up, medians of secured/plain: insert throughput %.2fx, CPU per row %.2fx; "
                    + "search throughput %.2fx, CPU per search %.2fx%n", mode, auth ? " + auth + RBAC" : "", rounds, warmup,
                    median(rates, 1, 0), median(cpu, 1, 0), median(rates, 3, 2), median(cpu, 3, 2));
            p.close();
            t.close();
        }
    }

    /** A client of a non-root user holding CollectionReadWrite on db default and CreateCollection (set up by root). */
    private static MilvusClientV2 rbacUser(StandaloneProcess server, Consumer<ConnectConfig.ConnectConfigBuilder<?, ?>> secure) {
        MilvusClientV2 root = TlsFixture.v2(server, b -> secure.accept(b.token("root:Milvus")));
        root.createUser(CreateUserReq.builder().userName("bench").password("Bench-pass-1").build());
        root.createRole(CreateRoleReq.builder().roleName("bench_rw").build());
        root.grantPrivilegeV2(GrantPrivilegeReqV2.builder().roleName("bench_rw").privilege("CollectionReadWrite").dbName("default")
                .collectionName("*").build());
        root.grantPrivilegeV2(GrantPrivilegeReqV2.builder().roleName("bench_rw").privilege("CreateCollection").dbName("default")
                .collectionName("*").build());
        root.grantRole(GrantRoleReq.builder().userName("bench").roleName("bench_rw").build());
        root.close();
        return TlsFixture.v2(server, b -> secure.accept(b.token("bench:Bench-pass-1")));
    }

    private interface Phase {
        double run() throws Exception;
    }

    /** Runs a phase against {@code server}; records its throughput and the CPU microseconds per {@code unit} of work. */
    private static void measure(StandaloneProcess server, Phase phase, double[] rate, double[] us, int i, int unit) throws Exception {
        long s0 = InsertBench.serverCpuNanos(server.pid());
        long c0 = InsertBench.cpuNanos();
        long t0 = System.nanoTime();
        rate[i] = phase.run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long cpuNanos = InsertBench.serverCpuNanos(server.pid()) - s0 + InsertBench.cpuNanos() - c0;
        us[i] = cpuNanos / 1e3 / (rate[i] * seconds / unit);
    }

    private static double median(List<double[]> rounds, int tls, int plain) {
        double[] r = rounds.stream().mapToDouble(m -> m[tls] / m[plain]).sorted().toArray();
        return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
    }

    /** Creates a quick-setup collection and inserts {@code --rows} rows; returns rows per second. */
    private double insert(MilvusClientV2 c, String name) {
        c.createCollection(CreateCollectionReq.builder().collectionName(name).dimension(dim).build());
        int rows = Integer.parseInt(a.get("--rows"));
        int batch = Integer.parseInt(a.get("--batch"));
        List<List<JsonObject>> batches = new ArrayList<>();
        for (int i = 0; i < rows; i += batch) {
            batches.add(TlsFixture.rows(i, Math.min(batch, rows - i), dim, i));
        }
        long t0 = System.nanoTime();
        for (List<JsonObject> b : batches) {
            c.insert(InsertReq.builder().collectionName(name).data(b).build());
        }
        return rows / ((System.nanoTime() - t0) / 1e9);
    }

    /** {@code --searches} top-10 searches from {@code --threads} threads; returns searches per second. */
    private double search(MilvusClientV2 c, String name) throws Exception {
        int n = Integer.parseInt(a.get("--searches"));
        int threads = Integer.parseInt(a.get("--threads"));
        List<FloatVec> queries = TlsFixture.vectors(7, 100, dim).stream().map(FloatVec::new).toList();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int worker = w;
                fs.add(pool.submit(() -> {
                    for (int i = worker; i < n; i += threads) {
                        c.search(SearchReq.builder().collectionName(name).data(List.of(queries.get(i % queries.size()))).topK(10)
                                .consistencyLevel(ConsistencyLevel.EVENTUALLY).build());
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }
}
