package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.milvus.bulkwriter.BulkImport;
import io.milvus.bulkwriter.LocalBulkWriter;
import io.milvus.bulkwriter.LocalBulkWriterParam;
import io.milvus.bulkwriter.common.clientenum.BulkFileType;
import io.milvus.bulkwriter.request.describe.MilvusDescribeImportRequest;
import io.milvus.bulkwriter.request.import_.MilvusImportRequest;
import io.milvus.bulkwriter.request.list.MilvusListImportJobsRequest;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bulk import as users do it (issue 15): files written by the Java SDK's {@code LocalBulkWriter} (Parquet and JSON)
 * and NumPy files, put into the server's object store (standalone: {@code <data dir>/objects/<key>}), imported with
 * the bulkwriter's {@code BulkImport} REST helper against the server's port, polled until Completed; then count(*)
 * and search through {@code MilvusClientV2} see exactly the imported rows. Failures answer Milvus' messages and
 * leave no rows behind.
 */
class ImportSdkTest extends ConformanceBase {
    private static final int DIM = 8;

    private static CreateCollectionReq.CollectionSchema schema(int dim) {
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.setEnableDynamicField(true);
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(dim).build());
        s.addField(AddFieldReq.builder().fieldName("text").dataType(DataType.VarChar).maxLength(64).build());
        return s;
    }

    private static String createCollection() {
        String coll = uniq("imp");
        client.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(schema(DIM))
                .consistencyLevel(ConsistencyLevel.STRONG).indexParams(List.of(IndexParam.builder().fieldName("vector")
                        .indexType(IndexParam.IndexType.HNSW).metricType(IndexParam.MetricType.L2).build())).build());
        awaitLoaded(coll);
        return coll;
    }

    /** Writes rows with BulkWriter and moves its files into the object store; returns their object keys, per file. */
    private static List<List<String>> bulkWrite(CreateCollectionReq.CollectionSchema s, BulkFileType type, long firstId, int n, int dim)
            throws Exception {
        Path local = Files.createTempDirectory(dir, "bulk-");
        Random r = new Random(firstId);
        try (LocalBulkWriter w = new LocalBulkWriter(LocalBulkWriterParam.newBuilder().withCollectionSchema(s)
                .withLocalPath(local.toString()).withFileType(type).build())) {
            for (long id = firstId; id < firstId + n; id++) {
                JsonObject row = new JsonObject();
                row.addProperty("id", id);
                row.add("vector", json(randVec(r, dim)));
                row.addProperty("text", "t" + id);
                row.addProperty("color", id % 2 == 0 ? "red" : "blue");
                w.appendRow(row);
            }
            w.commit(false);
            List<List<String>> keys = new ArrayList<>();
            for (List<String> batch : w.getBatchFiles()) {
                List<String> group = new ArrayList<>();
                for (String f : batch) {
                    Path src = Path.of(f);
                    String key = "import/" + local.getFileName() + "/" + src.getParent().getFileName() + "/" + src.getFileName();
                    put(key, Files.readAllBytes(src));
                    group.add(key);
                }
                keys.add(group);
            }
            return keys;
        }
    }

    private static void put(String key, byte[] data) throws IOException {
        Path p = dir.resolve("data").resolve("objects").resolve(key);
        Files.createDirectories(p.getParent());
        Files.write(p, data);
    }

    private static JsonObject create(String coll, List<List<String>> files) {
        String resp = BulkImport.bulkImport(server.uri(), MilvusImportRequest.builder().collectionName(coll).files(files).build());
        return JsonParser.parseString(resp).getAsJsonObject();
    }

    private static JsonObject describe(String jobId) {
        String resp = BulkImport.getImportProgress(server.uri(), MilvusDescribeImportRequest.builder().jobId(jobId).build());
        return JsonParser.parseString(resp).getAsJsonObject();
    }

    /** Imports and waits for the end; returns the describe data of the finished job. */
    private static JsonObject importAndWait(String coll, List<List<String>> files) throws InterruptedException {
        JsonObject created = create(coll, files);
        assertThat(created.get("code").getAsInt()).as(created.toString()).isZero();
        String jobId = created.getAsJsonObject("data").get("jobId").getAsString();
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            JsonObject d = describe(jobId);
            assertThat(d.get("code").getAsInt()).as(d.toString()).isZero();
            JsonObject data = d.getAsJsonObject("data");
            String state = data.get("state").getAsString();
            if (state.equals("Completed") || state.equals("Failed")) {
                return data;
            }
            assertThat(state).isIn("Pending", "Importing");
            assertThat(System.currentTimeMillis()).as("import %s finished within 120 s: %s", jobId, data).isLessThan(deadline);
            Thread.sleep(300);
        }
    }

    @Test
    void parquetJsonAndNumpyFilesBecomeSearchableRows() throws Exception {
        String coll = createCollection();
        JsonObject parquet = importAndWait(coll, bulkWrite(schema(DIM), BulkFileType.PARQUET, 0, 3000, DIM));
        assertThat(parquet.get("state").getAsString()).as(parquet.toString()).isEqualTo("Completed");
        assertThat(parquet.get("progress").getAsInt()).isEqualTo(100);
        assertThat(parquet.get("importedRows").getAsLong()).isEqualTo(3000);
        assertThat(parquet.get("totalRows").getAsLong()).isEqualTo(3000);
        assertThat(parquet.getAsJsonArray("details")).isNotEmpty();
        awaitCount(coll, 3000);
        assertThat(count(coll, "color == \"red\"")).isEqualTo(1500);
        assertThat(count(coll, "text == \"t1234\"")).isEqualTo(1);

        JsonObject json = importAndWait(coll, bulkWrite(schema(DIM), BulkFileType.JSON, 3000, 500, DIM));
        assertThat(json.get("state").getAsString()).as(json.toString()).isEqualTo("Completed");
        awaitCount(coll, 3500);

        put("import/np/id.npy", npy("<i8", "(2,)", longs(4000, 4001)));
        put("import/np/vector.npy", npy("<f4", "(2, 8)", floats(new float[16])));
        put("import/np/text.npy", npy("<U2", "(2,)", unicode(2, "a", "bb")));
        JsonObject numpy = importAndWait(coll, List.of(List.of("import/np/id.npy", "import/np/vector.npy", "import/np/text.npy")));
        assertThat(numpy.get("state").getAsString()).as(numpy.toString()).isEqualTo("Completed");
        awaitCount(coll, 3502);
        assertThat(count(coll, "text == \"bb\" and id == 4001")).isEqualTo(1);

        float[] probe = randVec(new Random(0), DIM); // the vector of id 0 in the Parquet file
        SearchResp r = client.search(SearchReq.builder().collectionName(coll).data(List.of(new FloatVec(probe))).topK(3)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(r.getSearchResults().get(0).get(0).getId()).isEqualTo(0L);

        String list = BulkImport.listImportJobs(server.uri(), MilvusListImportJobsRequest.builder().collectionName(coll).build());
        assertThat(JsonParser.parseString(list).getAsJsonObject().getAsJsonObject("data").getAsJsonArray("records")).hasSize(3);
    }

    @Test
    void failuresAreExplainedAndLeaveNothingBehind() throws Exception {
        String coll = createCollection();
        JsonObject dim = importAndWait(coll, bulkWrite(schema(4), BulkFileType.PARQUET, 0, 100, 4));
        assertThat(dim.get("state").getAsString()).isEqualTo("Failed");
        assertThat(dim.get("reason").getAsString()).contains("importing data failed").contains("dimension mismatch for field 'vector'");

        CreateCollectionReq.CollectionSchema extra = schema(DIM);
        extra.addField(AddFieldReq.builder().fieldName("other").dataType(DataType.Int64).isNullable(true).build());
        JsonObject notInSchema = importAndWait(coll, bulkWrite(extra, BulkFileType.PARQUET, 0, 10, DIM));
        assertThat(notInSchema.get("reason").getAsString()).contains("the field: other is not in schema");

        put("import/bad/rows.json", "[{\"id\": 1, \"text\": \"x\"}]".getBytes(StandardCharsets.UTF_8));
        JsonObject missing = importAndWait(coll, List.of(List.of("import/bad/rows.json")));
        assertThat(missing.get("reason").getAsString()).contains("value of field 'vector' is missed");

        // the BulkImport helper turns a non-zero code into an exception carrying the code and message
        assertThatThrownBy(() -> create(coll, List.of(List.of("import/bad/rows.txt"))))
                .hasMessageContaining("code: 2100").hasMessageContaining("unexpected file type, files=[import/bad/rows.txt]");
        assertThatThrownBy(() -> describe("123456789"))
                .hasMessageContaining("code: 2100").hasMessageContaining("import job does not exist, jobID=123456789");

        assertThat(count(coll, "")).isZero();
    }

    /**
     * Waits until count(*) shows {@code expected} rows: published segments reach the querynodes in querycoord's next
     * rounds (300 ms each), as in Milvus, where a completed import is visible once the segments are loaded.
     */
    private static void awaitCount(String coll, long expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        long n;
        while ((n = count(coll, "")) != expected && System.currentTimeMillis() < deadline) {
            assertThat(n).isLessThan(expected);
            Thread.sleep(200);
        }
        assertThat(n).isEqualTo(expected);
    }

    // ---------------------------------------------------------------- NumPy files, as numpy.save writes them

    private static byte[] npy(String descr, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return b.array();
    }

    private static byte[] longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    private static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    private static byte[] unicode(int width, String... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * width * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (String s : v) {
            for (int i = 0; i < width; i++) {
                b.putInt(i < s.length() ? s.charAt(i) : 0);
            }
        }
        return b.array();
    }
}
