package io.quiver.tests.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.quiver.tests.StandaloneProcess;
import io.quiver.tests.TlsFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * REST search vs gRPC search on one collection of one standalone server: top-10 searches of the same query vectors
 * (Eventually consistent) from {@code --threads} client threads, through the official Java SDK v2 (gRPC) and through
 * {@code POST /v2/vectordb/entities/search} with java.net.http (HTTP/1.1 keep-alive, one client shared by the threads),
 * alternating per round so machine noise hits both; reported per round and as the median REST/gRPC ratio of
 * throughput and of CPU per search (server process from /proc plus this client JVM).
 *
 * <pre>
 * ./mvnw -q -pl tests exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.quiver.tests.bench.RestBench \
 *   -Dquiver.root=$PWD -Dquiver.server.jar=$PWD/server/target/quiver-server.jar \
 *   -Dexec.args="--rows 20000 --dim 128 --searches 2000 --threads 4 --warmup 2 --rounds 5"
 * </pre>
 */
public final class RestBench {
    private final Map<String, String> a;
    private final int dim;

    private RestBench(Map<String, String> a) {
        this.a = a;
        this.dim = Integer.parseInt(a.get("--dim"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("--rows", "20000", "--dim", "128", "--searches", "2000", "--threads", "4",
                "--rounds", "5", "--warmup", "2"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!a.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + a.keySet());
            }
            a.put(args[i], args[i + 1]);
        }
        new RestBench(a).run();
        System.exit(0);
    }

    private void run() throws Exception {
        Path tmp = Files.createTempDirectory("rest-bench");
        try (StandaloneProcess server = new StandaloneProcess(tmp.resolve("data"))) {
            server.start();
            MilvusClientV2 grpc = TlsFixture.v2(server, b -> {});
            String name = "rest_bench";
            grpc.createCollection(CreateCollectionReq.builder().collectionName(name).dimension(dim).build());
            int rows = Integer.parseInt(a.get("--rows"));
            for (int i = 0; i < rows; i += 1000) {
                grpc.insert(InsertReq.builder().collectionName(name).data(TlsFixture.rows(i, Math.min(1000, rows - i), dim, i)).build());
            }
            List<float[]> queries = TlsFixture.vectors(7, 100, dim);
            List<FloatVec> grpcQueries = queries.stream().map(FloatVec::new).toList();
            List<String> restBodies = queries.stream().map(q -> restBody(name, q)).toList();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v2/vectordb/entities/search");
            IntConsumer grpcSearch = i -> grpc.search(SearchReq.builder().collectionName(name).data(List.of(grpcQueries.get(i % 100)))
                    .topK(10).consistencyLevel(ConsistencyLevel.EVENTUALLY).build());
            IntConsumer restSearch = i -> restSearch(http, uri, restBodies.get(i % 100));
            int warmup = Integer.parseInt(a.get("--warmup"));
            int rounds = Integer.parseInt(a.get("--rounds"));
            List<double[]> measured = new ArrayList<>();
            for (int r = 0; r < warmup + rounds; r++) {
                double[] m = new double[4]; // grpc qps, rest qps, grpc us/search, rest us/search
                measure(server, grpcSearch, m, 0);
                measure(server, restSearch, m, 1);
                System.out.printf("%s %d: search/s gRPC %.0f REST %.0f (%.2fx) | CPU us/search gRPC %.0f REST %.0f (%.2fx)%n",
                        r < warmup ? "warm-up" : "round", r, m[0], m[1], m[1] / m[0], m[2], m[3], m[3] / m[2]);
                if (r >= warmup) {
                    measured.add(m);
                }
            }
            System.out.printf("REST/gRPC over %d rounds after %d warm-up (%d threads, top-10 of %d x %d): search throughput %.2fx, "
                    + "CPU per search %.2fx%n", rounds, warmup, Integer.parseInt(a.get("--threads")), rows, dim,
                    median(measured, 1, 0), median(measured, 3, 2));
            grpc.close();
        }
    }

    private String restBody(String name, float[] q) {
        JsonObject o = new JsonObject();
        o.addProperty("collectionName", name);
        JsonArray data = new JsonArray();
        JsonArray v = new JsonArray();
        for (float x : q) {
            v.add(x);
        }
        data.add(v);
        o.add("data", data);
        o.addProperty("limit", 10);
        o.addProperty("consistencyLevel", "Eventually");
        return o.toString();
    }

    private static void restSearch(HttpClient http, URI uri, String body) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
            if (o.get("code").getAsInt() != 0 || o.getAsJsonArray("data").size() != 10) {
                throw new IllegalStateException("REST search failed: " + r.body());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code --searches} searches from {@code --threads} threads: throughput into m[i], CPU us per search into m[i + 2]. */
    private void measure(StandaloneProcess server, IntConsumer search, double[] m, int i) throws Exception {
        int n = Integer.parseInt(a.get("--searches"));
        int threads = Integer.parseInt(a.get("--threads"));
        long s0 = InsertBench.serverCpuNanos(server.pid());
        long c0 = InsertBench.cpuNanos();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int worker = w;
                fs.add(pool.submit(() -> {
                    for (int k = worker; k < n; k += threads) {
                        search.accept(k);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            m[i] = n / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
        long cpu = InsertBench.serverCpuNanos(server.pid()) - s0 + InsertBench.cpuNanos() - c0;
        m[i + 2] = cpu / 1e3 / n;
    }

    private static double median(List<double[]> rounds, int num, int den) {
        double[] r = rounds.stream().mapToDouble(x -> x[num] / x[den]).sorted().toArray();
        return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
    }
}
