package io.quiver.tests.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.milvus.bulkwriter.BulkImport;
import io.milvus.bulkwriter.LocalBulkWriter;
import io.milvus.bulkwriter.LocalBulkWriterParam;
import io.milvus.bulkwriter.common.clientenum.BulkFileType;
import io.milvus.bulkwriter.request.describe.MilvusDescribeImportRequest;
import io.milvus.bulkwriter.request.import_.MilvusImportRequest;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Bulk import vs SDK insert of the same rows, same run (issue 15). Writes {@code --rows} rows {@code (id, vector)}
 * with the Java SDK's {@code LocalBulkWriter} as Parquet (untimed; its time is printed), copies the files into the
 * standalone server's object store ({@code --data-dir}/objects), imports them with the bulkwriter's REST helper and
 * times create to Completed; then inserts the same rows into a second collection with {@code MilvusClientV2.insert}
 * ({@code --batch} rows a call) and times the calls, then the flush. Both collections use a FLAT index, are loaded and
 * checked with count(*).
 *
 * <pre>
 * java -cp tests/target/test-classes:$TEST_CLASSPATH io.quiver.tests.bench.ImportBench \
 *   --uri http://127.0.0.1:19530 --data-dir /tmp/quiver-data --rows 200000 --dim 128 --batch 1000
 * </pre>
 */
public final class ImportBench {
    private ImportBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("--uri", "http://127.0.0.1:19530", "--rows", "200000", "--dim", "128",
                "--batch", "1000", "--data-dir", "/tmp/quiver-data"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        int rows = Integer.parseInt(a.get("--rows"));
        int dim = Integer.parseInt(a.get("--dim"));
        int batch = Integer.parseInt(a.get("--batch"));
        String uri = a.get("--uri");
        MilvusClientV2 c = new MilvusClientV2(ConnectConfig.builder().uri(uri).rpcDeadlineMs(600_000).build());
        CreateCollectionReq.CollectionSchema schema = c.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).autoID(false).build());
        schema.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(dim).build());
        create(c, "import_bench_bulk", schema);
        create(c, "import_bench_sdk", schema);

        long t0 = System.nanoTime();
        Path local = Files.createTempDirectory("import-bench-");
        List<List<String>> keys = new ArrayList<>();
        try (LocalBulkWriter w = new LocalBulkWriter(LocalBulkWriterParam.newBuilder().withCollectionSchema(schema)
                .withLocalPath(local.toString()).withFileType(BulkFileType.PARQUET).withChunkSize(256L << 20).build())) {
            Random r = new Random(42);
            for (long id = 0; id < rows; id++) {
                w.appendRow(row(id, dim, r));
            }
            w.commit(false);
            Path objects = Path.of(a.get("--data-dir")).resolve("objects");
            for (List<String> files : w.getBatchFiles()) {
                for (String f : files) {
                    String key = "bench/" + Path.of(f).getParent().getFileName() + "/" + Path.of(f).getFileName();
                    Files.createDirectories(objects.resolve(key).getParent());
                    Files.copy(Path.of(f), objects.resolve(key));
                    keys.add(List.of(key));
                }
            }
        }
        double writeSecs = (System.nanoTime() - t0) / 1e9;

        long t1 = System.nanoTime();
        String resp = BulkImport.bulkImport(uri, MilvusImportRequest.builder().collectionName("import_bench_bulk").files(keys).build());
        String jobId = JsonParser.parseString(resp).getAsJsonObject().getAsJsonObject("data").get("jobId").getAsString();
        JsonObject d;
        while (true) {
            d = JsonParser.parseString(BulkImport.getImportProgress(uri, MilvusDescribeImportRequest.builder().jobId(jobId).build()))
                    .getAsJsonObject().getAsJsonObject("data");
            String state = d.get("state").getAsString();
            if (state.equals("Completed") || state.equals("Failed")) {
                break;
            }
            Thread.sleep(200);
        }
        double importSecs = (System.nanoTime() - t1) / 1e9;
        if (!d.get("state").getAsString().equals("Completed")) {
            throw new IllegalStateException("import failed: " + d);
        }

        Random r = new Random(42);
        long t2 = System.nanoTime();
        List<JsonObject> buf = new ArrayList<>(batch);
        for (long id = 0; id < rows; id++) {
            buf.add(row(id, dim, r));
            if (buf.size() == batch || id == rows - 1) {
                c.insert(InsertReq.builder().collectionName("import_bench_sdk").data(buf).build());
                buf = new ArrayList<>(batch);
            }
        }
        double insertSecs = (System.nanoTime() - t2) / 1e9;
        long t3 = System.nanoTime();
        c.flush(FlushReq.builder().collectionNames(List.of("import_bench_sdk")).build());
        double flushSecs = (System.nanoTime() - t3) / 1e9;

        long bulkCount = count(c, "import_bench_bulk");
        long sdkCount = count(c, "import_bench_sdk");
        System.out.printf("{\"rows\":%d,\"dim\":%d,\"files\":%d,\"bulkwriter_write_s\":%.1f,\"import_s\":%.1f,\"import_rows_per_s\":%.0f,"
                        + "\"sdk_insert_s\":%.1f,\"sdk_insert_rows_per_s\":%.0f,\"sdk_flush_s\":%.1f,\"sdk_insert_flush_rows_per_s\":%.0f,"
                        + "\"count_bulk\":%d,\"count_sdk\":%d}%n", rows, dim, keys.size(), writeSecs, importSecs, rows / importSecs,
                insertSecs, rows / insertSecs, flushSecs, rows / (insertSecs + flushSecs), bulkCount, sdkCount);
        c.dropCollection(DropCollectionReq.builder().collectionName("import_bench_bulk").build());
        c.dropCollection(DropCollectionReq.builder().collectionName("import_bench_sdk").build());
        c.close();
    }

    private static void create(MilvusClientV2 c, String coll, CreateCollectionReq.CollectionSchema schema) {
        c.dropCollection(DropCollectionReq.builder().collectionName(coll).build());
        c.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(schema).indexParams(List.of(
                IndexParam.builder().fieldName("vector").indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.L2).build()))
                .build());
    }

    private static JsonObject row(long id, int dim, Random r) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        JsonArray v = new JsonArray(dim);
        for (int j = 0; j < dim; j++) {
            v.add(r.nextFloat());
        }
        o.add("vector", v);
        return o;
    }

    private static long count(MilvusClientV2 c, String coll) {
        c.loadCollection(LoadCollectionReq.builder().collectionName(coll).build());
        var r = c.query(QueryReq.builder().collectionName(coll).filter("").outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        return ((Number) r.getQueryResults().get(0).getEntity().get("count(*)")).longValue();
    }
}
