package io.quiver.tests.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.management.OperatingSystemMXBean;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.DataType;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.vector.request.InsertReq;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Insert throughput through the official Java SDK (row-based {@code InsertReq}, as users write it), one client
 * thread, with the CPU time of the client process and of the server process (read from {@code /proc/PID/stat} when
 * {@code --server-pid} is given) per 1,000 rows, so the SDK's own share is known apart from the server's.
 *
 * <p>The JSON rows of a few batches are built before timing and reused with fresh ids, so the timed loop holds
 * only the SDK's conversion, the RPC and the server; {@code json_build_ms_per_1k} reports what building the rows
 * costs a caller separately.
 *
 * <pre>
 * java -cp tests/target/test-classes:$SDK_CLASSPATH io.quiver.tests.bench.InsertBench \
 *   --uri http://127.0.0.1:19530 --rows 100000 --dim 384 --batch 2000 --server-pid PID
 * </pre>
 */
public final class InsertBench {
    private static final int DISTINCT_BATCHES = 2;

    private InsertBench() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>(Map.of("--uri", "http://127.0.0.1:19530", "--rows", "100000", "--dim", "384",
                "--batch", "2000", "--shards", "1", "--server-pid", "0", "--warmup", "10000", "--collection", "insert_bench"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        int rows = Integer.parseInt(a.get("--rows"));
        int dim = Integer.parseInt(a.get("--dim"));
        int batch = Integer.parseInt(a.get("--batch"));
        int warmup = Integer.parseInt(a.get("--warmup"));
        long serverPid = Long.parseLong(a.get("--server-pid"));
        String coll = a.get("--collection");
        MilvusClientV2 c = new MilvusClientV2(ConnectConfig.builder().uri(a.get("--uri")).rpcDeadlineMs(600_000).build());
        c.dropCollection(DropCollectionReq.builder().collectionName(coll).build());
        CreateCollectionReq.CollectionSchema schema = c.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).autoID(false).build());
        schema.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(dim).build());
        c.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(schema)
                .numShards(Integer.parseInt(a.get("--shards"))).build());

        Random r = new Random(42);
        long jb = cpuNanos();
        List<List<JsonObject>> batches = new ArrayList<>();
        for (int b = 0; b < DISTINCT_BATCHES; b++) {
            batches.add(rows(batch, dim, r));
        }
        double jsonMsPer1k = (cpuNanos() - jb) / 1e6 / (DISTINCT_BATCHES * batch / 1000.0);

        long next = insertAll(c, coll, batches, 0, warmup);
        long clientCpu0 = cpuNanos();
        long serverCpu0 = serverCpuNanos(serverPid);
        long t0 = System.nanoTime();
        insertAll(c, coll, batches, next, rows);
        double secs = (System.nanoTime() - t0) / 1e9;
        double clientMs = (cpuNanos() - clientCpu0) / 1e6;
        double serverMs = (serverCpuNanos(serverPid) - serverCpu0) / 1e6;
        System.out.printf("{\"phase\":\"insert\",\"rows\":%d,\"dim\":%d,\"batch\":%d,\"seconds\":%.2f,\"rows_per_s\":%.0f,"
                        + "\"client_cpu_ms_per_1k\":%.2f,\"server_cpu_ms_per_1k\":%s,\"json_build_ms_per_1k\":%.2f}%n",
                rows, dim, batch, secs, rows / secs, clientMs / (rows / 1000.0),
                serverPid == 0 ? "null" : String.format("%.2f", serverMs / (rows / 1000.0)), jsonMsPer1k);
        c.dropCollection(DropCollectionReq.builder().collectionName(coll).build());
        c.close();
    }

    /** Inserts {@code count} rows with ids from {@code firstId}, cycling through the prepared batches; the next id. */
    private static long insertAll(MilvusClientV2 c, String coll, List<List<JsonObject>> batches, long firstId, int count) {
        long id = firstId;
        int batch = batches.get(0).size();
        for (int done = 0, b = 0; done < count; done += batch, b++) {
            List<JsonObject> rows = batches.get(b % batches.size());
            int n = Math.min(batch, count - done);
            for (int i = 0; i < n; i++) {
                rows.get(i).addProperty("id", id++);
            }
            c.insert(InsertReq.builder().collectionName(coll).data(n == batch ? rows : rows.subList(0, n)).build());
        }
        return id;
    }

    private static List<JsonObject> rows(int n, int dim, Random r) {
        List<JsonObject> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", 0L);
            JsonArray v = new JsonArray(dim);
            for (int j = 0; j < dim; j++) {
                v.add(r.nextFloat());
            }
            o.add("vector", v);
            out.add(o);
        }
        return out;
    }

    static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of process {@code pid} in nanoseconds (Linux {@code /proc}; clock ticks of 10 ms); 0 for pid 0. */
    static long serverCpuNanos(long pid) throws IOException {
        if (pid == 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields after the command: state is index 0, utime 11, stime 12
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }
}
