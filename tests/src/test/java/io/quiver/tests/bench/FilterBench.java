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
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.collection.request.ReleaseCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Filtered search and the read API (issue 5), through the official Java SDK against a running server.
 *
 * <p>Collection: {@code id} INT64 pk, {@code vector} FLOAT_VECTOR (dim of the file), {@code sel} and {@code sel2}
 * INT64 holding the same seeded random permutation of 0..n-1, so {@code sel < n*p} keeps exactly the fraction p of
 * the rows and the rows it keeps are spread uniformly over the vector space and over the segments. {@code sel} is
 * the field that may get a scalar index; {@code sel2} stays unindexed for comparison.
 *
 * <p>Phases (one JSON line per measurement, all timed loops on one client thread with Eventually consistency):
 * <ol>
 *   <li>{@code load}: insert N rows of base.fbin, flush, HNSW (M=16, efConstruction=200, L2), load; a Strong
 *       count(*) checks that every row is visible;</li>
 *   <li>{@code search}: unfiltered and {@code sel < n*p} for p = 50/10/1/0.1 %, at every ef of {@code --efs}:
 *       QPS, p50/p90/p99 over {@code --queries} queries, recall@k over the first {@code --recall-queries} of them
 *       against exact filtered top-k computed here (brute force over the rows that pass) before any timing;</li>
 *   <li>{@code query}: {@code field < n*p} with limit 100 (output id, sel, sel2) for the four selectivities, on sel2
 *       and sel;</li>
 *   <li>{@code count}: count(*) with {@code field < n*p} for the four selectivities, on sel2 and sel;</li>
 *   <li>{@code scalar_index}: create an INVERTED (then STL_SORT if INVERTED is refused) index on {@code sel},
 *       release + load, then repeat query and count on sel (and sel2 as the control) and the filtered searches.</li>
 * </ol>
 * Every count and every query row is checked against the expected value (the permutation is known here).
 *
 * <pre>
 * ./mvnw -q -pl tests test-compile
 * ./mvnw -q -pl tests exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.quiver.tests.bench.FilterBench \
 *   -Dexec.args="--uri http://127.0.0.1:19720 --data /tmp/quiver-data/synth-1m-128 --rows 1000000"
 * # re-run the timed phases on the collection already built (same --rows and --seed): add --reuse true, e.g.
 * #   --reuse true --phases search,query,count --search-field sel2,sel
 * # --warmup W: untimed searches per (ef, filter) before the timed ones (default 200; the SDK client's JIT needs them)
 * </pre>
 */
public final class FilterBench {
    private static final double[] SELECTIVITIES = {0.5, 0.1, 0.01, 0.001};

    private final MilvusClientV2 c;
    private final String coll;
    private final int n;
    private final int dim;
    private final float[] base;
    private final float[][] queries;
    private final int[] sel;
    private final int k;
    private int warmup = 200;

    private FilterBench(MilvusClientV2 c, String coll, int n, int dim, float[] base, float[][] queries, int[] sel, int k) {
        this.c = c;
        this.coll = coll;
        this.n = n;
        this.dim = dim;
        this.base = base;
        this.queries = queries;
        this.sel = sel;
        this.k = k;
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>(Map.of("--uri", "http://127.0.0.1:19530", "--rows", "1000000",
                "--batch", "2000", "--queries", "300", "--recall-queries", "100", "--k", "10", "--efs", "64,128",
                "--seed", "7", "--reuse", "false", "--phases", "load,search,query,count,scalar_index"));
        a.put("--data", "/tmp/quiver-data/synth-1m-128");
        a.put("--calls", "50");
        a.put("--scalar-index", "INVERTED,STL_SORT");
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        int rows = Integer.parseInt(a.get("--rows"));
        int nq = Integer.parseInt(a.get("--queries"));
        int k = Integer.parseInt(a.get("--k"));
        var bf = io.quiver.index.bench.VectorFiles.read(Path.of(a.get("--data"), "base.fbin"), rows);
        var qf = io.quiver.index.bench.VectorFiles.read(Path.of(a.get("--data"), "query.fbin"), nq);
        int n = bf.n();
        int dim = bf.dim();
        float[][] queries = new float[qf.n()][];
        for (int i = 0; i < qf.n(); i++) {
            queries[i] = Arrays.copyOfRange(qf.floats(), i * dim, (i + 1) * dim);
        }
        // sel = seeded random permutation of 0..n-1 (Fisher-Yates): sel < n*p keeps exactly n*p rows
        int[] sel = new int[n];
        for (int i = 0; i < n; i++) sel[i] = i;
        Random r = new Random(Long.parseLong(a.get("--seed")));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = sel[i];
            sel[i] = sel[j];
            sel[j] = t;
        }
        String coll = a.getOrDefault("--collection", "filterbench_" + n);
        Set<String> phases = new HashSet<>(Arrays.asList(a.get("--phases").split(",")));
        emit("start", Map.of("rows", n, "dim", dim, "queries", queries.length, "collection", coll, "data", a.get("--data")));

        MilvusClientV2 c = new MilvusClientV2(ConnectConfig.builder().uri(a.get("--uri")).rpcDeadlineMs(1_800_000).build());
        FilterBench b = new FilterBench(c, coll, n, dim, bf.floats(), queries, sel, k);
        b.warmup = Integer.parseInt(a.getOrDefault("--warmup", "200"));
        if (!Boolean.parseBoolean(a.get("--reuse")) || !c.hasCollection(HasCollectionReq.builder().collectionName(coll).build())) {
            b.load(Integer.parseInt(a.get("--batch")));
        } else {
            c.loadCollection(LoadCollectionReq.builder().collectionName(coll).timeout(1_800_000L).build());
        }
        long strong = b.count("", ConsistencyLevel.STRONG);
        emit("visible_rows", Map.of("count_strong", strong, "expected", n, "ok", strong == n));

        int[] efs = Arrays.stream(a.get("--efs").split(",")).mapToInt(Integer::parseInt).toArray();
        int recallN = Math.min(Integer.parseInt(a.get("--recall-queries")), queries.length);
        List<List<Set<Long>>> truth = null;
        if (phases.contains("search")) {
            truth = b.groundTruth(recallN);
            List<List<Set<Long>>> t = truth;
            for (String searchField : a.getOrDefault("--search-field", "sel").split(",")) {
                guard(() -> b.searches(efs, t, searchField, b.hasScalarIndex(searchField)));
            }
        }
        int calls = Integer.parseInt(a.get("--calls"));
        String selIndex = b.hasScalarIndex("sel");
        String sel2Index = b.hasScalarIndex("sel2");
        if (phases.contains("query")) {
            guard(() -> b.queries("sel2", calls, sel2Index));
            guard(() -> b.queries("sel", calls, selIndex));
        }
        if (phases.contains("count")) {
            guard(() -> b.counts("sel2", calls, sel2Index));
            guard(() -> b.counts("sel", calls, selIndex));
        }
        if (phases.contains("scalar_index")) {
            String made = b.scalarIndex(a.get("--scalar-index").split(","));
            if (made != null) {
                guard(() -> b.queries("sel", calls, made));
                guard(() -> b.queries("sel2", calls, sel2Index));
                guard(() -> b.counts("sel", calls, made));
                guard(() -> b.counts("sel2", calls, sel2Index));
                List<List<Set<Long>>> t = truth;
                if (t != null) {
                    guard(() -> b.searches(new int[] {efs[0]}, t, "sel", made));
                }
            }
        }
        c.close();
    }

    /** The scalar index type on {@code field}, or "none". */
    private String hasScalarIndex(String field) {
        try {
            for (String name : c.listIndexes(io.milvus.v2.service.index.request.ListIndexesReq.builder().collectionName(coll)
                    .fieldName(field).build())) {
                var d = c.describeIndex(io.milvus.v2.service.index.request.DescribeIndexReq.builder().collectionName(coll)
                        .fieldName(field).indexName(name).build());
                var desc = d.getIndexDescByFieldName(field);
                if (desc != null) return String.valueOf(desc.getIndexType());
            }
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "none";
    }

    /** Runs one measurement; a failure is printed as an error line and the next measurement still runs. */
    private static void guard(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            emit("error", Map.of("error", e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    private void load(int batch) {
        c.dropCollection(DropCollectionReq.builder().collectionName(coll).build());
        CreateCollectionReq.CollectionSchema schema = c.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).autoID(false).build());
        schema.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(dim).build());
        schema.addField(AddFieldReq.builder().fieldName("sel").dataType(DataType.Int64).build());
        schema.addField(AddFieldReq.builder().fieldName("sel2").dataType(DataType.Int64).build());
        c.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(schema).build());
        long t0 = System.nanoTime();
        for (int from = 0; from < n; from += batch) {
            List<JsonObject> rows = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + batch); i++) {
                JsonObject o = new JsonObject();
                o.addProperty("id", i);
                JsonArray v = new JsonArray();
                for (int j = 0; j < dim; j++) v.add(base[i * dim + j]);
                o.add("vector", v);
                o.addProperty("sel", sel[i]);
                o.addProperty("sel2", sel[i]);
                rows.add(o);
            }
            c.insert(InsertReq.builder().collectionName(coll).data(rows).build());
        }
        double insertS = secs(t0);
        emit("insert", Map.of("rows", n, "batch", batch, "seconds", round(insertS), "rows_per_s", Math.round(n / insertS)));
        long t1 = System.nanoTime();
        c.flush(FlushReq.builder().collectionNames(List.of(coll)).waitFlushedTimeoutMs(1_800_000L).build());
        double flushS = secs(t1);
        long t2 = System.nanoTime();
        c.createIndex(CreateIndexReq.builder().collectionName(coll).timeout(3_600_000L).indexParams(List.of(IndexParam.builder()
                .fieldName("vector").indexType(IndexParam.IndexType.HNSW).metricType(IndexParam.MetricType.L2)
                .extraParams(Map.of("M", 16, "efConstruction", 200)).build())).build());
        double indexS = secs(t2);
        long t3 = System.nanoTime();
        c.loadCollection(LoadCollectionReq.builder().collectionName(coll).timeout(1_800_000L).build());
        emit("flush_index_load", Map.of("flush_s", round(flushS), "index_s", round(indexS), "load_s", round(secs(t3))));
    }

    /**
     * Exact top-k per query for every filter (index 0 = no filter, then SELECTIVITIES): one pass over all rows
     * per query computing the distance once, a bounded heap per filter. Run before any timing.
     */
    private List<List<Set<Long>>> groundTruth(int recallN) {
        long t0 = System.nanoTime();
        long[] limits = new long[SELECTIVITIES.length + 1];
        limits[0] = Long.MAX_VALUE;
        for (int f = 0; f < SELECTIVITIES.length; f++) limits[f + 1] = threshold(SELECTIVITIES[f]);
        List<List<Set<Long>>> out = IntStream.range(0, recallN).parallel().mapToObj(qi -> {
            float[] q = queries[qi];
            TopK[] heaps = new TopK[limits.length];
            for (int f = 0; f < limits.length; f++) heaps[f] = new TopK(k);
            for (int i = 0; i < n; i++) {
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int o = i * dim;
                int j = 0;
                for (; j + 3 < dim; j += 4) {
                    float d0 = base[o + j] - q[j], d1 = base[o + j + 1] - q[j + 1];
                    float d2 = base[o + j + 2] - q[j + 2], d3 = base[o + j + 3] - q[j + 3];
                    s0 += d0 * d0;
                    s1 += d1 * d1;
                    s2 += d2 * d2;
                    s3 += d3 * d3;
                }
                for (; j < dim; j++) {
                    float d = base[o + j] - q[j];
                    s0 += d * d;
                }
                float d = (s0 + s1) + (s2 + s3);
                for (int f = 0; f < limits.length; f++) {
                    if (sel[i] < limits[f]) heaps[f].offer(d, i);
                }
            }
            List<Set<Long>> per = new ArrayList<>();
            for (TopK h : heaps) per.add(h.ids());
            return per;
        }).toList();
        emit("ground_truth", Map.of("queries", recallN, "seconds", round(secs(t0))));
        return out;
    }

    private void searches(int[] efs, List<List<Set<Long>>> truth, String field, String scalarIndex) {
        // warm-up over every (ef, filter) pair first, so that the first timed configuration is not the JIT's victim
        for (int ef : efs) {
            for (int f = 0; f <= SELECTIVITIES.length; f++) {
                String filter = f == 0 ? "" : field + " < " + threshold(SELECTIVITIES[f - 1]);
                for (int i = 0; i < Math.min(warmup, queries.length); i++) search(queries[queries.length - 1 - i], Map.of("ef", ef), filter);
            }
        }
        for (int ef : efs) {
            for (int f = 0; f <= SELECTIVITIES.length; f++) {
                String filter = f == 0 ? "" : field + " < " + threshold(SELECTIVITIES[f - 1]);
                int fi = f;
                Map<String, Object> sp = Map.of("ef", ef);
                for (int i = 0; i < Math.min(30, queries.length); i++) search(queries[i], sp, filter); // warm-up
                int nq = queries.length;
                long[] lat = new long[nq];
                double recall = 0;
                int short_ = 0;
                long tq = System.nanoTime();
                for (int i = 0; i < nq; i++) {
                    long s = System.nanoTime();
                    SearchResp resp = search(queries[i], sp, filter);
                    lat[i] = System.nanoTime() - s;
                    if (i < truth.size()) {
                        Set<Long> got = new HashSet<>();
                        resp.getSearchResults().get(0).forEach(x -> got.add(((Number) x.getId()).longValue()));
                        if (got.size() < k) short_++;
                        Set<Long> t = truth.get(i).get(fi);
                        int hit = 0;
                        for (Long id : got) {
                            if (t.contains(id)) hit++;
                            if (fi > 0 && sel[(int) (long) id] >= threshold(SELECTIVITIES[fi - 1])) {
                                throw new IllegalStateException("search returned id " + id + " that fails filter " + filter);
                            }
                        }
                        recall += hit / (double) k;
                    }
                }
                double total = secs(tq);
                Arrays.sort(lat);
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("selectivity", f == 0 ? "100%" : pct(SELECTIVITIES[f - 1]));
                m.put("filter", filter);
                m.put("ef", ef);
                m.put("scalar_index", scalarIndex);
                m.put("queries", nq);
                m.put("qps", Math.round(nq / total));
                m.put("p50_ms", ms(lat[nq / 2]));
                m.put("p90_ms", ms(lat[(int) (nq * 0.9)]));
                m.put("p99_ms", ms(lat[(int) (nq * 0.99)]));
                m.put("recall", round4(recall / truth.size()));
                m.put("short_results", short_);
                emit("search", m);
            }
        }
    }

    private SearchResp search(float[] q, Map<String, Object> sp, String filter) {
        SearchReq.SearchReqBuilder<?, ?> b = SearchReq.builder().collectionName(coll).annsField("vector")
                .data(List.of(new FloatVec(q))).topK(k).searchParams(sp).consistencyLevel(ConsistencyLevel.EVENTUALLY);
        if (!filter.isEmpty()) b.filter(filter);
        return c.search(b.build());
    }

    /** Query {@code field < n*p} with limit 100 (output id, sel, sel2) at the four selectivities; rows checked. */
    private void queries(String field, int calls, String scalarIndex) {
        for (double p : SELECTIVITIES) {
            long t = threshold(p);
            String filter = field + " < " + t;
            long[] lat = new long[calls];
            for (int i = 0; i < 5; i++) query(filter, 100);
            for (int i = 0; i < calls; i++) {
                long s = System.nanoTime();
                QueryResp resp = query(filter, 100);
                lat[i] = System.nanoTime() - s;
                List<QueryResp.QueryResult> res = resp.getQueryResults();
                if (res.size() != 100) throw new IllegalStateException(filter + " limit 100 returned " + res.size() + " rows");
                for (QueryResp.QueryResult qr : res) {
                    long id = ((Number) qr.getEntity().get("id")).longValue();
                    long v = ((Number) qr.getEntity().get(field)).longValue();
                    if (v != sel[(int) id] || v >= t) throw new IllegalStateException(filter + " returned id " + id + " " + field + "=" + v);
                }
            }
            emitLat("query_limit100", field, filter, scalarIndex, lat, 100, 100);
        }
    }

    private void counts(String field, int calls, String scalarIndex) {
        for (double p : SELECTIVITIES) {
            long t = threshold(p);
            countLoop(field, field + " < " + t, calls, scalarIndex, t);
        }
        countLoop(field, "", calls, scalarIndex, n);
    }

    private void countLoop(String field, String filter, int calls, String scalarIndex, long expected) {
        long[] lat = new long[calls];
        long got = 0;
        for (int i = 0; i < 5; i++) count(filter, ConsistencyLevel.EVENTUALLY);
        for (int i = 0; i < calls; i++) {
            long s = System.nanoTime();
            got = count(filter, ConsistencyLevel.EVENTUALLY);
            lat[i] = System.nanoTime() - s;
            if (got != expected) throw new IllegalStateException("count(*) where " + filter + " = " + got + ", expected " + expected);
        }
        emitLat("count", field, filter, scalarIndex, lat, got, expected);
    }

    private QueryResp query(String filter, long limit) {
        return c.query(QueryReq.builder().collectionName(coll).filter(filter).outputFields(List.of("id", "sel", "sel2"))
                .limit(limit).consistencyLevel(ConsistencyLevel.EVENTUALLY).build());
    }

    private long count(String filter, ConsistencyLevel level) {
        QueryReq.QueryReqBuilder<?, ?> b = QueryReq.builder().collectionName(coll).outputFields(List.of("count(*)")).consistencyLevel(level)
                .filter(filter); // "" = all rows (the SDK refuses a null filter without ids)
        QueryResp r = c.query(b.build());
        return ((Number) r.getQueryResults().get(0).getEntity().get("count(*)")).longValue();
    }

    /** Tries each scalar index type on {@code sel}; returns the one created, or null if all were refused. */
    private String scalarIndex(String[] types) {
        for (String type : types) {
            long t0 = System.nanoTime();
            try {
                c.createIndex(CreateIndexReq.builder().collectionName(coll).timeout(1_800_000L).indexParams(List.of(IndexParam.builder()
                        .fieldName("sel").indexName("sel_" + type.toLowerCase(Locale.ROOT)).indexType(IndexParam.IndexType.valueOf(type))
                        .build())).build());
            } catch (RuntimeException e) {
                emit("scalar_index", Map.of("type", type, "field", "sel", "ok", false, "error", String.valueOf(e.getMessage())));
                continue;
            }
            double createS = secs(t0);
            long t1 = System.nanoTime();
            c.releaseCollection(ReleaseCollectionReq.builder().collectionName(coll).build());
            c.loadCollection(LoadCollectionReq.builder().collectionName(coll).timeout(1_800_000L).build());
            emit("scalar_index", Map.of("type", type, "field", "sel", "ok", true, "create_s", round(createS), "reload_s", round(secs(t1))));
            return type;
        }
        return null;
    }

    private long threshold(double p) {
        return Math.round(n * p);
    }

    private void emitLat(String phase, String field, String filter, String scalarIndex, long[] lat, long rows, long expected) {
        Arrays.sort(lat);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("field", field);
        m.put("filter", filter);
        m.put("scalar_index", scalarIndex);
        m.put("calls", lat.length);
        m.put("p50_ms", ms(lat[lat.length / 2]));
        m.put("p99_ms", ms(lat[Math.min(lat.length - 1, (int) (lat.length * 0.99))]));
        m.put("max_ms", ms(lat[lat.length - 1]));
        m.put("result", rows);
        m.put("expected", expected);
        emit(phase, m);
    }

    private static void emit(String phase, Map<String, Object> fields) {
        StringBuilder sb = new StringBuilder("{\"phase\":\"").append(phase).append('"');
        for (var e : fields.entrySet()) {
            sb.append(",\"").append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v instanceof Number || v instanceof Boolean) sb.append(v);
            else sb.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        sb.append(",\"loadavg\":\"").append(loadavg()).append("\"}");
        System.out.println(sb);
    }

    private static String loadavg() {
        try {
            String[] p = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return p[0] + " " + p[1] + " " + p[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }

    private static double round4(double x) {
        return Math.round(x * 10000) / 10000.0;
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    private static String pct(double p) {
        return (p * 100 == Math.rint(p * 100) ? Long.toString(Math.round(p * 100)) : Double.toString(p * 100)) + "%";
    }

    /** Bounded max-heap of (distance, row) keeping the k smallest. */
    private static final class TopK {
        private final float[] d;
        private final int[] id;
        private int size;

        TopK(int k) {
            d = new float[k];
            id = new int[k];
        }

        void offer(float dist, int row) {
            if (size < d.length) {
                d[size] = dist;
                id[size] = row;
                size++;
                int i = size - 1;
                while (i > 0) {
                    int p = (i - 1) / 2;
                    if (d[p] >= d[i]) break;
                    swap(p, i);
                    i = p;
                }
            } else if (dist < d[0]) {
                d[0] = dist;
                id[0] = row;
                int i = 0;
                while (true) {
                    int l = 2 * i + 1, r = l + 1, m = i;
                    if (l < size && d[l] > d[m]) m = l;
                    if (r < size && d[r] > d[m]) m = r;
                    if (m == i) break;
                    swap(i, m);
                    i = m;
                }
            }
        }

        private void swap(int a, int b) {
            float t = d[a];
            d[a] = d[b];
            d[b] = t;
            int u = id[a];
            id[a] = id[b];
            id[b] = u;
        }

        Set<Long> ids() {
            Set<Long> s = new HashSet<>();
            for (int i = 0; i < size; i++) s.add((long) id[i]);
            return s;
        }
    }
}
