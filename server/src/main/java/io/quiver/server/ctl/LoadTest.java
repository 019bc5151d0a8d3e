package io.quiver.server.ctl;

import static io.quiver.server.ctl.MilvusRpc.check;
import static io.quiver.server.ctl.MilvusRpc.floatVectorField;
import static io.quiver.server.ctl.MilvusRpc.kv;
import static io.quiver.server.ctl.MilvusRpc.longField;
import static io.quiver.server.ctl.MilvusRpc.placeholders;

import io.grpc.ManagedChannel;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.CreateCollectionRequest;
import io.milvus.grpc.CreateIndexRequest;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.HasCollectionRequest;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.Status;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code quiver loadtest}: concurrent insert and search load against any proxy (the seeds' load tester), over the
 * Milvus gRPC API. Prints a live progress line every second and a final table of throughput, QPS, latency
 * percentiles and errors. Bounded by its duration; traffic goes only to the address given (loopback by default).
 *
 * <pre>
 * quiver loadtest [--address 127.0.0.1:19530] [--collection loadtest] [--dim 128] [--threads 4] [--duration 30]
 *                 [--batch 1000] [--topk 10] [--insert-ratio 0.1] [--filter EXPR] [--preload 20000] [--replicas 1]
 * </pre>
 */
public final class LoadTest {
    /** Milvus' rate-limit status code: counted apart from errors, so the table shows a quota holding. */
    private static final int RATE_LIMITED = 8;

    private LoadTest() {}

    static final String USAGE = "usage: quiver loadtest [--address 127.0.0.1:19530] [--collection loadtest] [--dim 128] [--threads 4]"
            + " [--duration 30] [--batch 1000] [--topk 10] [--insert-ratio 0.1] [--filter EXPR] [--preload 20000] [--replicas 1]\n"
            + "  creates the collection (HNSW, 2 shards) with --preload rows if it does not exist, loads it with --replicas replicas,\n"
            + "  then runs --threads workers for --duration seconds, each doing an insert of --batch rows with probability\n"
            + "  --insert-ratio and otherwise a top-k search (Eventually consistency, optional --filter on the int64 field 'tag').\n"
            + "  Requests refused with the rate-limit status (code 8, quotaAndLimits) are counted as rate-limited, not retried.\n"
            + "  quiver loadtest --churn --help: the churn benchmark (upserts, deletes and inserts with Strong checks, issue 10).\n"
            + "  quiver loadtest --compaction-qps --help: search QPS idle, during and after a manual compaction (issue 10).\n"
            + "  quiver loadtest --read-after-write --help: Strong reads right after each write: latency and visibility (issue 13).\n"
            + "  quiver loadtest --streaming --help: search QPS idle and while inserting at a fixed rate (issue 13).";

    public static int main(String[] args, PrintStream out) throws Exception {
        if (Arrays.asList(args).contains("--compaction-qps")) {
            return CompactionQps.main(Arrays.stream(args).filter(x -> !x.equals("--compaction-qps")).toArray(String[]::new), out);
        }
        if (Arrays.asList(args).contains("--read-after-write")) {
            return ReadAfterWrite.main(Arrays.stream(args).filter(x -> !x.equals("--read-after-write")).toArray(String[]::new), out);
        }
        if (Arrays.asList(args).contains("--streaming")) {
            return Streaming.main(Arrays.stream(args).filter(x -> !x.equals("--streaming")).toArray(String[]::new), out);
        }
        if (Arrays.asList(args).contains("--churn")) {
            return ChurnTest.main(Arrays.stream(args).filter(x -> !x.equals("--churn")).toArray(String[]::new), out);
        }
        Map<String, String> defaults = new HashMap<>(Map.of("--address", "127.0.0.1:19530", "--collection", "loadtest", "--dim", "128",
                "--threads", "4", "--duration", "30", "--batch", "1000", "--topk", "10", "--insert-ratio", "0.1", "--filter", "",
                "--preload", "20000"));
        defaults.put("--replicas", "1");
        Flags flags = Flags.parse(args, defaults, USAGE, out);
        if (flags.exit()) {
            return flags.exitCode();
        }
        Map<String, String> a = flags.values();
        String coll = a.get("--collection");
        int dim = Integer.parseInt(a.get("--dim"));
        int threads = Integer.parseInt(a.get("--threads"));
        long durationMs = Long.parseLong(a.get("--duration")) * 1000;
        int batch = Integer.parseInt(a.get("--batch"));
        int topk = Integer.parseInt(a.get("--topk"));
        double insertRatio = Double.parseDouble(a.get("--insert-ratio"));
        String filter = a.get("--filter");
        ManagedChannel ch = MilvusRpc.channel(a.get("--address"));
        try {
            var stub = MilvusServiceGrpc.newBlockingStub(ch);
            AtomicLong nextId = new AtomicLong(System.currentTimeMillis() * 1000);
            if (!stub.hasCollection(HasCollectionRequest.newBuilder().setCollectionName(coll).build()).getValue()
                    && !createAndPreload(stub, coll, dim, Integer.parseInt(a.get("--preload")), batch, nextId, out)) {
                return 1;
            }
            if (!MilvusRpc.loadAndWait(stub, coll, Integer.parseInt(a.get("--replicas")), out)) {
                return 1;
            }
            OpStats ins = new OpStats();
            OpStats srch = new OpStats();
            long start = System.currentTimeMillis();
            long end = start + durationMs;
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int seed = t;
                Thread w = new Thread(() -> {
                    Random r = new Random(seed * 7919L + 17);
                    while (System.currentTimeMillis() < end) {
                        boolean doInsert = r.nextDouble() < insertRatio;
                        long t0 = System.nanoTime();
                        try {
                            Status st = doInsert ? stub.withDeadlineAfter(60, TimeUnit.SECONDS).insert(insert(coll, batch, dim, nextId, r)).getStatus()
                                    : stub.withDeadlineAfter(60, TimeUnit.SECONDS).search(search(coll, dim, topk, filter, r)).getStatus();
                            OpStats stats = doInsert ? ins : srch;
                            if (st.getCode() == RATE_LIMITED) {
                                stats.limited.incrementAndGet();
                            } else {
                                stats.record(System.nanoTime() - t0, st.getCode() == 0, doInsert ? batch : 1);
                            }
                        } catch (RuntimeException e) {
                            (doInsert ? ins : srch).record(System.nanoTime() - t0, false, 0);
                        }
                    }
                });
                w.start();
                workers.add(w);
            }
            while (System.currentTimeMillis() < end) {
                Thread.sleep(1000);
                double s = (System.currentTimeMillis() - start) / 1000.0;
                System.err.printf("\rt=%4.0fs  insert %8.0f rows/s  search %7.0f qps  p99 %6.1f ms  errors %d  rate-limited %d   ", s,
                        ins.items.get() / s, srch.ok.get() / s, srch.percentile(0.99) / 1e6, ins.errors.get() + srch.errors.get(),
                        ins.limited.get() + srch.limited.get());
            }
            for (Thread w : workers) {
                w.join();
            }
            System.err.println();
            double secs = (System.currentTimeMillis() - start) / 1000.0;
            out.printf("%-8s %10s %12s %10s %10s %10s %8s %12s%n", "op", "ok", "per second", "p50 ms", "p95 ms", "p99 ms", "errors",
                    "rate-limited");
            out.printf("%-8s %10d %12.0f %10.2f %10.2f %10.2f %8d %12d   (rows/s, batches of %d)%n", "insert", ins.ok.get(),
                    ins.items.get() / secs, ins.percentile(0.5) / 1e6, ins.percentile(0.95) / 1e6, ins.percentile(0.99) / 1e6,
                    ins.errors.get(), ins.limited.get(), batch);
            out.printf("%-8s %10d %12.1f %10.2f %10.2f %10.2f %8d %12d   (qps, top-%d%s)%n", "search", srch.ok.get(), srch.ok.get() / secs,
                    srch.percentile(0.5) / 1e6, srch.percentile(0.95) / 1e6, srch.percentile(0.99) / 1e6, srch.errors.get(),
                    srch.limited.get(), topk, filter.isEmpty() ? "" : ", filter " + filter);
            return ins.errors.get() + srch.errors.get() == 0 ? 0 : 1;
        } finally {
            ch.shutdownNow();
        }
    }

    /** Creates the collection (HNSW, 2 shards), inserts {@code preload} rows, flushes and waits for the index. */
    private static boolean createAndPreload(MilvusServiceGrpc.MilvusServiceBlockingStub stub, String coll, int dim, int preload, int batch,
            AtomicLong nextId, PrintStream out) throws InterruptedException {
        CollectionSchema schema = CollectionSchema.newBuilder().setName(coll)
                .addFields(FieldSchema.newBuilder().setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
                .addFields(FieldSchema.newBuilder().setName("vector").setDataType(DataType.FloatVector)
                        .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue(Integer.toString(dim))))
                .addFields(FieldSchema.newBuilder().setName("tag").setDataType(DataType.Int64)).build();
        check(stub.createCollection(CreateCollectionRequest.newBuilder().setCollectionName(coll).setSchema(schema.toByteString())
                .setShardsNum(2).build()), "create collection");
        check(stub.createIndex(CreateIndexRequest.newBuilder().setCollectionName(coll).setFieldName("vector")
                .addExtraParams(kv("index_type", "HNSW")).addExtraParams(kv("metric_type", "L2")).addExtraParams(kv("M", "16"))
                .addExtraParams(kv("efConstruction", "100")).build()), "create index");
        Random r = new Random(1);
        for (int done = 0; done < preload; done += batch) {
            check(stub.insert(insert(coll, Math.min(batch, preload - done), dim, nextId, r)).getStatus(), "preload insert");
        }
        return preload == 0 || MilvusRpc.flushAndWait(stub, coll, out);
    }

    static InsertRequest insert(String coll, int n, int dim, AtomicLong nextId, Random r) {
        long first = nextId.getAndAdd(n);
        LongArray.Builder ids = LongArray.newBuilder();
        LongArray.Builder tags = LongArray.newBuilder();
        FloatArray.Builder v = FloatArray.newBuilder();
        for (int i = 0; i < n; i++) {
            ids.addData(first + i);
            tags.addData(r.nextInt(100));
            for (int j = 0; j < dim; j++) v.addData(r.nextFloat());
        }
        return InsertRequest.newBuilder().setCollectionName(coll).setNumRows(n).addFieldsData(longField("id", ids))
                .addFieldsData(longField("tag", tags)).addFieldsData(floatVectorField("vector", dim, v)).build();
    }

    static SearchRequest search(String coll, int dim, int topk, String filter, Random r) {
        float[] q = new float[dim];
        for (int j = 0; j < dim; j++) q[j] = r.nextFloat();
        return SearchRequest.newBuilder().setCollectionName(coll).setPlaceholderGroup(placeholders(List.of(q))).setNq(1).setDsl(filter)
                .addSearchParams(kv("topk", Integer.toString(topk))).addSearchParams(kv("anns_field", "vector"))
                .addSearchParams(kv("params", "{\"ef\":64}")).setConsistencyLevel(ConsistencyLevel.Eventually).build();
    }
}
