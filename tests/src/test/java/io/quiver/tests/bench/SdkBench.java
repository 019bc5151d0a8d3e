package io.quiver.tests.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * End-to-end benchmark through the official Java SDK against a running server: insert throughput (batches),
 * flush + index build time, then single-threaded search latency/QPS at top-k with recall against exact
 * results computed here. Prints one JSON line per phase.
 *
 * <pre>
 * ./mvnw -q -pl tests exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.quiver.tests.bench.SdkBench \
 *   -Dexec.args="--uri http://127.0.0.1:19530 --rows 100000 --dim 128 --index HNSW"
 * </pre>
 */
public final class SdkBench {
    public static void main(String[] args) {
        Map<String, String> a = new HashMap<>(Map.of("--uri", "http://127.0.0.1:19530", "--rows", "100000", "--dim", "128",
                "--batch", "1000", "--index", "HNSW", "--queries", "1000", "--k", "10", "--params", "M=16,efConstruction=200",
                "--search", "ef=64", "--metric", "L2"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        int rows = Integer.parseInt(a.get("--rows"));
        int dim = Integer.parseInt(a.get("--dim"));
        int batch = Integer.parseInt(a.get("--batch"));
        int nq = Integer.parseInt(a.get("--queries"));
        int k = Integer.parseInt(a.get("--k"));
        String index = a.get("--index");
        String coll = "bench_" + index.toLowerCase() + "_" + rows;
        MilvusClientV2 c = new MilvusClientV2(ConnectConfig.builder().uri(a.get("--uri")).rpcDeadlineMs(600_000).build());
        c.dropCollection(DropCollectionReq.builder().collectionName(coll).build());
        CreateCollectionReq.CollectionSchema schema = c.createSchema();
        // (re-created below with the file's dimension when --data is given)
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).autoID(false).build());
        schema.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(dim).build());
        c.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(schema).build());

        Random r = new Random(42);
        float[][] data;
        float[][] fileQueries = null;
        if (a.containsKey("--data")) {
            // big-ann layout: base.fbin and query.fbin (e.g. the clustered synthetic sets of shared/bench)
            try {
                var base = io.quiver.index.bench.VectorFiles.read(java.nio.file.Path.of(a.get("--data"), "base.fbin"), rows);
                var qf = io.quiver.index.bench.VectorFiles.read(java.nio.file.Path.of(a.get("--data"), "query.fbin"), nq);
                dim = base.dim();
                rows = base.n();
                data = split(base.floats(), base.n(), dim);
                fileQueries = split(qf.floats(), qf.n(), dim);
                nq = qf.n();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            schema = c.createSchema();
            schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).autoID(false).build());
            schema.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(dim).build());
            c.dropCollection(DropCollectionReq.builder().collectionName(coll).build());
            c.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(schema).build());
        } else {
            data = new float[rows][dim];
            for (float[] v : data) for (int j = 0; j < dim; j++) v[j] = r.nextFloat();
        }
        long t0 = System.nanoTime();
        for (int from = 0; from < rows; from += batch) {
            List<JsonObject> b = new ArrayList<>();
            for (int i = from; i < Math.min(rows, from + batch); i++) {
                JsonObject o = new JsonObject();
                o.addProperty("id", i);
                JsonArray v = new JsonArray();
                for (float x : data[i]) v.add(x);
                o.add("vector", v);
                b.add(o);
            }
            c.insert(InsertReq.builder().collectionName(coll).data(b).build());
        }
        double insertS = (System.nanoTime() - t0) / 1e9;
        System.out.printf("{\"phase\":\"insert\",\"rows\":%d,\"dim\":%d,\"batch\":%d,\"seconds\":%.2f,\"rows_per_s\":%.0f}%n", rows, dim, batch, insertS, rows / insertS);

        long t1 = System.nanoTime();
        c.flush(FlushReq.builder().collectionNames(List.of(coll)).build());
        double flushS = (System.nanoTime() - t1) / 1e9;
        Map<String, Object> extra = new HashMap<>();
        for (String kv : a.get("--params").split(",")) {
            if (!kv.isBlank() && !index.equals("FLAT")) {
                String[] p = kv.split("=");
                extra.put(p[0], Integer.parseInt(p[1]));
            }
        }
        long t2 = System.nanoTime();
        c.createIndex(CreateIndexReq.builder().collectionName(coll).indexParams(List.of(IndexParam.builder().fieldName("vector")
                .indexType(IndexParam.IndexType.valueOf(index)).metricType(IndexParam.MetricType.valueOf(a.get("--metric")))
                .extraParams(extra).build())).build());
        double indexS = (System.nanoTime() - t2) / 1e9;
        long t3 = System.nanoTime();
        c.loadCollection(LoadCollectionReq.builder().collectionName(coll).build());
        double loadS = (System.nanoTime() - t3) / 1e9;
        System.out.printf("{\"phase\":\"flush_index_load\",\"flush_s\":%.2f,\"index_s\":%.2f,\"load_s\":%.2f}%n", flushS, indexS, loadS);

        Map<String, Object> sp = new HashMap<>();
        for (String kv : a.get("--search").split(",")) {
            if (!kv.isBlank() && !index.equals("FLAT")) {
                String[] p = kv.split("=");
                sp.put(p[0], Integer.parseInt(p[1]));
            }
        }
        float[][] queries = fileQueries;
        if (queries == null) {
            queries = new float[nq][dim];
            for (float[] v : queries) for (int j = 0; j < dim; j++) v[j] = r.nextFloat();
        }
        long[] lat = new long[nq];
        double recall = 0;
        int recallN = Math.min(nq, 200);
        List<Set<Long>> truth = new ArrayList<>();
        for (int i = 0; i < recallN; i++) {
            truth.add(exact(data, queries[i], k)); // computed before timing: never inside the timed loop
        }
        // warm-up
        for (int i = 0; i < Math.min(50, nq); i++) {
            search(c, coll, queries[i], k, sp);
        }
        long tq = System.nanoTime();
        for (int i = 0; i < nq; i++) {
            long s = System.nanoTime();
            SearchResp resp = search(c, coll, queries[i], k, sp);
            lat[i] = System.nanoTime() - s;
            if (i < recallN) {
                Set<Long> got = new HashSet<>();
                resp.getSearchResults().get(0).forEach(x -> got.add((Long) x.getId()));
                recall += overlap(truth.get(i), got) / (double) k;
            }
        }
        double total = (System.nanoTime() - tq) / 1e9;
        Arrays.sort(lat);
        System.out.printf("{\"phase\":\"search\",\"index\":\"%s\",\"params\":\"%s\",\"k\":%d,\"queries\":%d,\"qps\":%.0f,\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d,\"recall\":%.4f}%n",
                index, a.get("--search"), k, nq, nq / total, lat[nq / 2] / 1000, lat[(int) (nq * 0.9)] / 1000, lat[(int) (nq * 0.99)] / 1000, recall / recallN);
        c.close();
        inProcess(index, a, data, queries, k, truth);
    }

    /** The same index and queries in-process on index-core: no SDK, no gRPC, no proxy, no reduce. */
    private static void inProcess(String index, Map<String, String> a, float[][] data, float[][] queries, int k, List<Set<Long>> truth) {
        int recallN = truth.size();
        int n = data.length;
        int dim = data[0].length;
        float[] flat = new float[n * dim];
        for (int i = 0; i < n; i++) System.arraycopy(data[i], 0, flat, i * dim, dim);
        Map<String, String> build = new HashMap<>();
        for (String kv : a.get("--params").split(",")) {
            if (!kv.isBlank() && !index.equals("FLAT")) {
                String[] p = kv.split("=");
                build.put(p[0], p[1]);
            }
        }
        Map<String, String> search = new HashMap<>();
        for (String kv : a.get("--search").split(",")) {
            if (!kv.isBlank() && !index.equals("FLAT")) {
                String[] p = kv.split("=");
                search.put(p[0], p[1]);
            }
        }
        var spec = new io.quiver.index.IndexSpec(index, io.quiver.index.MetricType.parse(a.get("--metric")), dim, build);
        var idx = io.quiver.index.VectorIndexes.build(spec, flat, n, 2);
        int nq = queries.length;
        long[] lat = new long[nq];
        double recall = 0;
        for (int i = 0; i < Math.min(50, nq); i++) idx.search(queries[i], 1, k, search, null);
        long t0 = System.nanoTime();
        for (int i = 0; i < nq; i++) {
            long s = System.nanoTime();
            var res = idx.search(queries[i], 1, k, search, null);
            lat[i] = System.nanoTime() - s;
            if (i < recallN) {
                Set<Long> got = new HashSet<>();
                for (int j = 0; j < res.k(); j++) if (res.rows()[j] >= 0) got.add((long) res.rows()[j]);
                recall += overlap(truth.get(i), got) / (double) k;
            }
        }
        double total = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(lat);
        System.out.printf("{\"phase\":\"in_process_search\",\"index\":\"%s\",\"params\":\"%s\",\"k\":%d,\"queries\":%d,\"qps\":%.0f,\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d,\"recall\":%.4f}%n",
                index, a.get("--search"), k, nq, nq / total, lat[nq / 2] / 1000, lat[(int) (nq * 0.9)] / 1000, lat[(int) (nq * 0.99)] / 1000, recall / Math.min(nq, recallN));
    }

    private static float[][] split(float[] flat, int n, int dim) {
        float[][] out = new float[n][dim];
        for (int i = 0; i < n; i++) System.arraycopy(flat, i * dim, out[i], 0, dim);
        return out;
    }

    private static SearchResp search(MilvusClientV2 c, String coll, float[] q, int k, Map<String, Object> sp) {
        return c.search(SearchReq.builder().collectionName(coll).data(List.of(new FloatVec(q))).topK(k).searchParams(sp)
                .consistencyLevel(ConsistencyLevel.EVENTUALLY).build());
    }

    private static int overlap(Set<Long> a, Set<Long> b) {
        int n = 0;
        for (Long x : a) if (b.contains(x)) n++;
        return n;
    }

    private static Set<Long> exact(float[][] data, float[] q, int k) {
        Integer[] idx = new Integer[data.length];
        float[] d = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            idx[i] = i;
            float s = 0;
            for (int j = 0; j < q.length; j++) {
                float t = data[i][j] - q[j];
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
