package io.quiver.tests.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.management.OperatingSystemMXBean;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorIndexes;
import io.quiver.index.bench.VectorFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * End-to-end benchmark through the official Java SDK against a running server: insert throughput (batches),
 * flush + index build + load time, then search QPS and latency at top-k with recall@k, for each client thread
 * count, and (one thread) the same index and queries in-process on index-core. Prints one JSON line per phase.
 *
 * <p>Method, as the index benchmark: {@code --warmup-passes} passes over all queries (JIT of both processes), then
 * the best of {@code --passes} timed passes. The client's CPU time (this JVM) and, with {@code --server-pid}, the
 * server's (from /proc) are measured over the timed passes and printed per search, so what the SDK costs is known
 * apart from what the server costs.
 *
 * <pre>
 * ./mvnw -q -pl tests exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.quiver.tests.bench.SdkBench \
 *   -Dexec.args="--uri http://127.0.0.1:19530 --data /tmp/quiver-data/synth-200k-128 --rows 100000 --index HNSW \
 *   --search ef=64 --threads 1,8 --server-pid PID"
 * </pre>
 * Options: {@code --gt FILE.ibin} (exact neighbours of the data set; otherwise computed here for the first 200
 * queries), {@code --reuse true} (search an existing loaded collection), {@code --in-process false},
 * {@code --metric L2|IP|COSINE}, {@code --batch N}, {@code --consistency EVENTUALLY|BOUNDED|STRONG}, {@code --raw-grpc true}
 * (the same searches from a plain gRPC stub with requests built before timing: the server and transport without the
 * SDK's request building and result decoding, see {@link RawGrpcSearch}).
 */
public final class SdkBench {
    private final Map<String, String> a;
    private final MilvusClientV2 client;
    private final String coll;
    private final int k;

    private SdkBench(Map<String, String> a, MilvusClientV2 client, String coll) {
        this.a = a;
        this.client = client;
        this.coll = coll;
        this.k = Integer.parseInt(a.get("--k"));
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>(Map.ofEntries(Map.entry("--uri", "http://127.0.0.1:19530"), Map.entry("--rows", "100000"),
                Map.entry("--dim", "128"), Map.entry("--batch", "1000"), Map.entry("--index", "HNSW"), Map.entry("--queries", "1000"),
                Map.entry("--k", "10"), Map.entry("--params", "M=16,efConstruction=200"), Map.entry("--search", "ef=64"),
                Map.entry("--metric", "L2"), Map.entry("--threads", "1"), Map.entry("--warmup-passes", "2"), Map.entry("--passes", "3"),
                Map.entry("--reuse", "false"), Map.entry("--in-process", "true"), Map.entry("--consistency", "EVENTUALLY")));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        Data d = Data.of(a);
        String coll = a.getOrDefault("--collection", "bench_" + a.get("--index").toLowerCase() + "_" + d.n());
        MilvusClientV2 c = new MilvusClientV2(ConnectConfig.builder().uri(a.get("--uri")).rpcDeadlineMs(3_600_000).build());
        SdkBench b = new SdkBench(a, c, coll);
        if (!Boolean.parseBoolean(a.get("--reuse")) || !c.hasCollection(HasCollectionReq.builder().collectionName(coll).build())) {
            b.load(d);
        } else {
            b.indexAndLoad(0, 0); // an earlier run's collection: the same index and load again are no-ops once done
        }
        List<Set<Long>> truth = d.truth(b.k);
        for (String t : a.get("--threads").split(",")) {
            b.searchPhase(d, truth, Integer.parseInt(t.trim()));
        }
        c.close();
        if (Boolean.parseBoolean(a.getOrDefault("--raw-grpc", "false"))) {
            RawGrpcSearch.run(a, d, coll, b.k, truth);
        }
        if (Boolean.parseBoolean(a.get("--in-process"))) {
            b.inProcess(d, truth);
        }
    }

    /** Vectors and queries: from a big-ann directory ({@code --data}) or random. */
    record Data(int n, int dim, float[] base, Path baseFile, float[][] queries, int[] gt, int gtK) {
        static Data of(Map<String, String> a) throws IOException {
            int rows = Integer.parseInt(a.get("--rows"));
            int nq = Integer.parseInt(a.get("--queries"));
            if (a.containsKey("--data")) {
                Path dir = Path.of(a.get("--data"));
                Path baseFile = dir.resolve("base.fbin");
                int n = Math.min(rows, VectorFiles.rows(baseFile));
                VectorFiles.Matrix qf = VectorFiles.read(dir.resolve("query.fbin"), nq);
                Path gtFile = a.containsKey("--gt") ? Path.of(a.get("--gt")) : null;
                if (gtFile == null && n == VectorFiles.rows(baseFile)) {
                    for (String name : List.of("gt-l2.ibin", "gt-cosine.ibin")) { // only valid over the whole file
                        boolean cosine = name.contains("cosine");
                        if (Files.exists(dir.resolve(name)) && cosine == a.get("--metric").equals("COSINE")) {
                            gtFile = dir.resolve(name);
                        }
                    }
                }
                VectorFiles.Matrix gt = gtFile == null ? null : VectorFiles.read(gtFile, qf.n());
                // with exact neighbours given and no in-process index, rows are streamed from the file at insert
                boolean stream = gt != null && !Boolean.parseBoolean(a.get("--in-process"));
                float[] base = stream ? null : VectorFiles.read(baseFile, n).floats();
                return new Data(n, qf.dim(), base, baseFile, split(qf.floats(), qf.n(), qf.dim()),
                        gt == null ? null : gt.ints(), gt == null ? 0 : gt.dim());
            }
            int dim = Integer.parseInt(a.get("--dim"));
            Random r = new Random(42);
            float[] base = new float[rows * dim];
            for (int i = 0; i < base.length; i++) base[i] = r.nextFloat();
            float[][] queries = new float[nq][dim];
            for (float[] v : queries) for (int j = 0; j < dim; j++) v[j] = r.nextFloat();
            return new Data(rows, dim, base, null, queries, null, 0);
        }

        /** Rows {@code from .. from+count-1}, row-major: from memory, or read from the file when streamed. */
        float[] rows(int from, int count) {
            if (base != null) {
                return Arrays.copyOfRange(base, from * dim, (from + count) * dim);
            }
            try {
                return VectorFiles.read(baseFile, from, count).floats();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The exact top-k of each query that recall is measured on (all with a ground-truth file, else the first 200). */
        List<Set<Long>> truth(int k) {
            List<Set<Long>> out = new ArrayList<>();
            if (gt != null) {
                for (int q = 0; q < queries.length; q++) {
                    Set<Long> s = new HashSet<>();
                    for (int i = 0; i < k; i++) s.add((long) gt[q * gtK + i]);
                    out.add(s);
                }
                return out;
            }
            for (int q = 0; q < Math.min(queries.length, 200); q++) {
                out.add(exactL2(q, k)); // L2 order = cosine order only for unit vectors: pass --gt otherwise
            }
            return out;
        }

        private Set<Long> exactL2(int q, int k) {
            Integer[] idx = new Integer[n];
            float[] d = new float[n];
            float[] v = queries[q];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
                float s = 0;
                for (int j = 0; j < dim; j++) {
                    float t = base[i * dim + j] - v[j];
                    s += t * t;
                }
                d[i] = s;
            }
            Arrays.sort(idx, (x, y) -> Float.compare(d[x], d[y]));
            Set<Long> out = new HashSet<>();
            for (int i = 0; i < k; i++) out.add((long) idx[i]);
            return out;
        }
    }

    private void load(Data d) {
        client.dropCollection(DropCollectionReq.builder().collectionName(coll).build());
        CreateCollectionReq.CollectionSchema schema = client.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).autoID(false).build());
        schema.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(d.dim()).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(schema).build());
        int batch = Integer.parseInt(a.get("--batch"));
        long cpu0 = clientCpuNanos();
        long t0 = System.nanoTime();
        for (int from = 0; from < d.n(); from += batch) {
            List<JsonObject> b = new ArrayList<>();
            float[] rowsOf = d.rows(from, Math.min(batch, d.n() - from));
            for (int i = from; i < Math.min(d.n(), from + batch); i++) {
                JsonObject o = new JsonObject();
                o.addProperty("id", i);
                JsonArray v = new JsonArray();
                for (int j = 0; j < d.dim(); j++) v.add(rowsOf[(i - from) * d.dim() + j]);
                o.add("vector", v);
                b.add(o);
            }
            client.insert(InsertReq.builder().collectionName(coll).data(b).build());
        }
        double insertS = (System.nanoTime() - t0) / 1e9;
        System.out.printf("{\"phase\":\"insert\",\"rows\":%d,\"dim\":%d,\"batch\":%d,\"seconds\":%.2f,\"rows_per_s\":%.0f,\"client_cpu_s\":%.2f}%n",
                d.n(), d.dim(), batch, insertS, d.n() / insertS, (clientCpuNanos() - cpu0) / 1e9);
        long t1 = System.nanoTime();
        client.flush(FlushReq.builder().collectionNames(List.of(coll)).build());
        indexAndLoad(insertS, (System.nanoTime() - t1) / 1e9);
    }

    /** Creates the index and loads, both waiting up to an hour (a 1M-row build takes minutes); prints the times. */
    private void indexAndLoad(double insertS, double flushS) {
        Map<String, Object> extra = new HashMap<>();
        params("--params").forEach((key, v) -> extra.put(key, Integer.parseInt(v)));
        long t2 = System.nanoTime();
        client.createIndex(CreateIndexReq.builder().collectionName(coll).indexParams(List.of(IndexParam.builder().fieldName("vector")
                .indexType(IndexParam.IndexType.valueOf(a.get("--index"))).metricType(IndexParam.MetricType.valueOf(a.get("--metric")))
                .extraParams(extra).build())).timeout(3_600_000L).build());
        double indexS = (System.nanoTime() - t2) / 1e9;
        long t3 = System.nanoTime();
        client.loadCollection(LoadCollectionReq.builder().collectionName(coll).timeout(3_600_000L).build());
        double loadS = (System.nanoTime() - t3) / 1e9;
        System.out.printf("{\"phase\":\"flush_index_load\",\"flush_s\":%.2f,\"index_s\":%.2f,\"load_s\":%.2f,\"total_s\":%.2f}%n",
                flushS, indexS, loadS, insertS + flushS + indexS + loadS);
        // the count (Strong) also proves every row is there before searches are timed
        var cnt = client.query(QueryReq.builder().collectionName(coll).filter("").outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        System.out.printf("{\"phase\":\"count\",\"rows\":%s}%n", cnt.getQueryResults().get(0).getEntity().get("count(*)"));
    }

    private Map<String, String> params(String key) {
        Map<String, String> out = new HashMap<>();
        if (a.get("--index").equals("FLAT")) {
            return out;
        }
        for (String kv : a.get(key).split(",")) {
            if (!kv.isBlank()) {
                String[] p = kv.split("=");
                out.put(p[0], p[1]);
            }
        }
        return out;
    }

    /** Best of the timed passes over all queries with {@code threads} client threads (queries dealt round-robin). */
    private void searchPhase(Data d, List<Set<Long>> truth, int threads) {
        Map<String, Object> sp = new HashMap<>();
        params("--search").forEach((key, v) -> sp.put(key, Integer.parseInt(v)));
        ConsistencyLevel level = ConsistencyLevel.valueOf(a.get("--consistency"));
        int nq = d.queries().length;
        int warm = Integer.parseInt(a.get("--warmup-passes"));
        int passes = Integer.parseInt(a.get("--passes"));
        long serverPid = Long.parseLong(a.getOrDefault("--server-pid", "0"));
        for (int w = 0; w < warm; w++) {
            pass(d, sp, level, threads, new long[nq], null);
        }
        Pass best = Pass.best(passes, serverPid, (lat, hits) -> pass(d, sp, level, threads, lat, hits), nq, truth.size());
        best.print("search", "\"index\":\"" + a.get("--index") + "\",\"params\":\"" + a.get("--search") + "\",\"threads\":" + threads, truth, k);
    }

    /** One timed pass over all queries: wall time, per-query latency and hits, client and server CPU. */
    record Pass(double seconds, long[] lat, long[][] hits, long clientCpu, long serverCpu) {
        interface Runner {
            void run(long[] lat, long[][] hits);
        }

        /** The fastest of {@code passes} timed passes. */
        static Pass best(int passes, long serverPid, Runner runner, int nq, int truthN) {
            Pass best = null;
            for (int p = 0; p < passes; p++) {
                long[] lat = new long[nq];
                long[][] hits = new long[truthN][];
                long cpu0 = clientCpuNanos();
                long srv0 = serverCpuNanos(serverPid);
                long t0 = System.nanoTime();
                runner.run(lat, hits);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Pass cur = new Pass(seconds, lat, hits, clientCpuNanos() - cpu0, serverPid == 0 ? -1 : serverCpuNanos(serverPid) - srv0);
                if (best == null || cur.seconds() < best.seconds()) {
                    best = cur;
                }
            }
            return best;
        }

        /** One JSON line: QPS, latency percentiles, recall@k against {@code truth}, CPU per search. */
        void print(String phase, String fields, List<Set<Long>> truth, int k) {
            int nq = lat.length;
            long[] sorted = lat.clone();
            Arrays.sort(sorted);
            double recall = 0;
            for (int q = 0; q < truth.size(); q++) {
                int hit = 0;
                for (long id : hits[q]) if (truth.get(q).contains(id)) hit++;
                recall += hit / (double) k;
            }
            System.out.printf("{\"phase\":\"%s\",%s,\"k\":%d,\"queries\":%d,\"qps\":%.0f,\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d,"
                            + "\"recall\":%.4f,\"client_cpu_us_per_search\":%.0f,\"server_cpu_us_per_search\":%.0f}%n",
                    phase, fields, k, nq, nq / seconds, sorted[nq / 2] / 1000, sorted[(int) (nq * 0.9)] / 1000, sorted[(int) (nq * 0.99)] / 1000,
                    recall / truth.size(), clientCpu / 1e3 / nq, serverCpu < 0 ? -1 : serverCpu / 1e3 / nq);
        }
    }

    private void pass(Data d, Map<String, Object> sp, ConsistencyLevel level, int threads, long[] lat, long[][] hits) {
        AtomicInteger next = new AtomicInteger();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                for (int q = next.getAndIncrement(); q < d.queries().length; q = next.getAndIncrement()) {
                    long s = System.nanoTime();
                    SearchResp resp = client.search(SearchReq.builder().collectionName(coll).data(List.of(new FloatVec(d.queries()[q])))
                            .topK(k).searchParams(sp).consistencyLevel(level).build());
                    lat[q] = System.nanoTime() - s;
                    if (hits != null && q < hits.length) {
                        hits[q] = resp.getSearchResults().get(0).stream().mapToLong(x -> (Long) x.getId()).toArray();
                    }
                }
            }));
        }
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The same index and queries in-process on index-core: no SDK, no gRPC, no proxy, no reduce; same passes. */
    private void inProcess(Data d, List<Set<Long>> truth) {
        MetricType metric = MetricType.parse(a.get("--metric"));
        VectorIndex idx = VectorIndexes.build(new IndexSpec(a.get("--index"), metric, d.dim(), params("--params")), d.base(), d.n(), 2);
        Map<String, String> search = params("--search");
        int nq = d.queries().length;
        for (int w = 0; w < Integer.parseInt(a.get("--warmup-passes")); w++) {
            for (float[] q : d.queries()) idx.search(q, 1, k, search, null);
        }
        double best = Double.MAX_VALUE;
        long[] bestLat = null;
        double recall = 0;
        for (int p = 0; p < Integer.parseInt(a.get("--passes")); p++) {
            long[] lat = new long[nq];
            double rec = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < nq; i++) {
                long s = System.nanoTime();
                var res = idx.search(d.queries()[i], 1, k, search, null);
                lat[i] = System.nanoTime() - s;
                if (i < truth.size()) {
                    int hit = 0;
                    for (int j = 0; j < res.k(); j++) if (res.rows()[j] >= 0 && truth.get(i).contains((long) res.rows()[j])) hit++;
                    rec += hit / (double) k;
                }
            }
            double total = (System.nanoTime() - t0) / 1e9;
            if (total < best) {
                best = total;
                bestLat = lat;
                recall = rec / truth.size();
            }
        }
        Arrays.sort(bestLat);
        System.out.printf("{\"phase\":\"in_process_search\",\"index\":\"%s\",\"params\":\"%s\",\"k\":%d,\"queries\":%d,\"qps\":%.0f,\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d,\"recall\":%.4f}%n",
                a.get("--index"), a.get("--search"), k, nq, nq / best, bestLat[nq / 2] / 1000, bestLat[(int) (nq * 0.9)] / 1000,
                bestLat[(int) (nq * 0.99)] / 1000, recall);
    }

    static long clientCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of a process from /proc (clock ticks of 10 ms), in nanoseconds; 0 when no pid is given. */
    static long serverCpuNanos(long pid) {
        if (pid == 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float[][] split(float[] flat, int n, int dim) {
        float[][] out = new float[n][dim];
        for (int i = 0; i < n; i++) System.arraycopy(flat, i * dim, out[i], 0, dim);
        return out;
    }
}
