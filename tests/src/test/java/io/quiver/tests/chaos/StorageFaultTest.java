package io.quiver.tests.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.quiver.tests.StandaloneProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Storage faults of the standalone server (embedded WAL, meta journal and object store on local disk):
 * <ul>
 *   <li>a full disk: the data dir on a small tmpfs filled with a ballast file; writes are refused with a Milvus
 *       status, reads go on, the process stays up, and writing resumes once space is freed; after kill -9 every
 *       acknowledged row is there;</li>
 *   <li>a lost unsynced write (a torn record appended to the WAL and the meta journal after kill -9) and a single
 *       bit flipped in a WAL segment, the meta journal, a binlog or an index file: the server detects it by
 *       checksum and refuses (does not start, or fails the load or the query) or repairs it; whatever it answers
 *       is exactly the acknowledged data, never corrupted or silently shortened.</li>
 * </ul>
 */
class StorageFaultTest {
    static final int DIM = 8;
    static final String COLL = "faults";

    private static MilvusClientV2 connect(StandaloneProcess s) {
        return new MilvusClientV2(ConnectConfig.builder().uri(s.uri()).rpcDeadlineMs(30_000).build());
    }

    private static void createLoaded(MilvusClientV2 c) {
        CreateCollectionReq.CollectionSchema schema = c.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        schema.addField(AddFieldReq.builder().fieldName("ver").dataType(DataType.Int64).build());
        schema.addField(AddFieldReq.builder().fieldName("vec").dataType(DataType.FloatVector).dimension(DIM).build());
        IndexParam index = IndexParam.builder().fieldName("vec").indexType(IndexParam.IndexType.HNSW)
                .metricType(IndexParam.MetricType.L2).extraParams(Map.of("M", 8, "efConstruction", 32)).build();
        c.createCollection(CreateCollectionReq.builder().collectionName(COLL).collectionSchema(schema).indexParams(List.of(index)).build());
        c.loadCollection(LoadCollectionReq.builder().collectionName(COLL).build());
    }

    private static void insert(MilvusClientV2 c, long from, int n) {
        List<JsonObject> rows = new ArrayList<>();
        for (long pk = from; pk < from + n; pk++) {
            rows.add(CheckerWorkload.row(pk, 1));
        }
        c.insert(InsertReq.builder().collectionName(COLL).data(rows).build());
    }

    /** Every row (id, ver, vec), Strong; throws if the server refuses. */
    private static Map<Long, float[]> readAll(MilvusClientV2 c) {
        Map<Long, float[]> out = new HashMap<>();
        var res = c.query(QueryReq.builder().collectionName(COLL).filter("id >= 0").outputFields(List.of("id", "ver", "vec"))
                .consistencyLevel(ConsistencyLevel.STRONG).limit(16_000).build()).getQueryResults();
        for (var r : res) {
            long id = ((Number) r.getEntity().get("id")).longValue();
            @SuppressWarnings("unchecked")
            List<Float> v = (List<Float>) r.getEntity().get("vec");
            float[] f = new float[v.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = v.get(i);
            }
            assertThat(out.put(id, f)).as("pk %d returned twice", id).isNull();
        }
        return out;
    }

    /** The acknowledged rows [0, n) exactly, each with its own vector. */
    private static void assertExactly(Map<Long, float[]> got, long n) {
        assertThat(got).as("rows served").hasSize((int) n);
        for (var e : got.entrySet()) {
            assertThat(e.getKey()).isBetween(0L, n - 1);
            assertThat(e.getValue()).as("vector of pk %d", e.getKey()).isEqualTo(CheckerWorkload.vector(e.getKey(), 1));
        }
    }

    @Test
    void fullDiskRefusesWritesKeepsReadsAndResumes() throws Exception {
        Path mnt = Path.of("target", "chaos", "tmpfs-" + System.currentTimeMillis()).toAbsolutePath();
        Files.createDirectories(mnt);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", mnt.toString()).inheritIO().start();
        Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here (needs root)");
        try (StandaloneProcess s = new StandaloneProcess(mnt.resolve("data"))) {
            s.start();
            MilvusClientV2 c = connect(s);
            createLoaded(c);
            insert(c, 0, 1000);
            c.flush(FlushReq.builder().collectionNames(List.of(COLL)).build());
            Path ballast = mnt.resolve("ballast");
            fill(ballast);
            long acked = 1000;
            String refusal = null;
            for (int i = 0; i < 200 && refusal == null; i++) {
                try {
                    insert(c, acked, 100);
                    acked += 100;
                } catch (RuntimeException e) {
                    refusal = e.getMessage();
                }
            }
            System.err.println("storage-faults: full disk refusal after " + acked + " rows: " + refusal);
            assertThat(refusal).as("a write on a full disk is refused").isNotNull();
            assertThat(s.isAlive()).isTrue();
            assertExactly(readAll(c), acked); // reads go on, nothing lost or corrupted
            Files.delete(ballast);
            long resumedAfter = System.currentTimeMillis();
            boolean resumed = false;
            for (int i = 0; i < 60 && !resumed; i++) {
                try {
                    insert(c, acked, 100);
                    acked += 100;
                    resumed = true;
                } catch (RuntimeException e) {
                    Thread.sleep(1000);
                }
            }
            System.err.println("storage-faults: writes resumed " + (System.currentTimeMillis() - resumedAfter) + " ms after freeing space");
            assertThat(resumed).as("writes resume once space is freed").isTrue();
            c.close();
            s.kill9();
            s.start();
            MilvusClientV2 c2 = connect(s);
            c2.loadCollection(LoadCollectionReq.builder().collectionName(COLL).build());
            assertExactly(readAll(c2), acked);
            c2.close();
        } finally {
            new ProcessBuilder("umount", "-l", mnt.toString()).inheritIO().start().waitFor();
        }
    }

    /** Writes a file until the file system is full. */
    private static void fill(Path ballast) throws IOException {
        byte[] mb = new byte[1 << 20];
        try (var out = Files.newOutputStream(ballast)) {
            while (true) {
                out.write(mb);
            }
        } catch (IOException full) {
            // ENOSPC: the disk is full
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"torn-wal", "torn-meta", "wal", "meta", "binlog", "index"})
    void corruptionIsDetectedNeverServed(String what) throws Exception {
        Path dir = Path.of("target", "chaos", "corrupt-" + what + "-" + System.currentTimeMillis()).toAbsolutePath();
        long acked = 0;
        try (StandaloneProcess s = new StandaloneProcess(dir.resolve("data"))) {
            s.start();
            MilvusClientV2 c = connect(s);
            createLoaded(c);
            insert(c, 0, 2000);
            c.flush(FlushReq.builder().collectionNames(List.of(COLL)).build());
            insert(c, 2000, 500); // in the WAL only
            insert(c, 2500, 5); // a valid record after it: a flip in the 500 rows is corruption, not a torn tail
            acked = 2505;
            awaitIndexBuilt(s);
            c.close();
            s.kill9();
            Path target = corrupt(dir.resolve("data"), what, new Random(what.hashCode()));
            System.err.println("storage-faults: " + what + " corrupted " + target);
            try {
                s.start();
            } catch (IllegalStateException refused) {
                System.err.println("storage-faults: " + what + ": start refused: " + refused.getMessage().lines().limit(3).toList());
                assertThat(refused.getMessage()).containsIgnoringCase("checksum");
                return;
            }
            MilvusClientV2 c2 = connect(s);
            Map<Long, float[]> got;
            try {
                c2.loadCollection(LoadCollectionReq.builder().collectionName(COLL).build());
                got = readAll(c2);
            } catch (RuntimeException refused) {
                System.err.println("storage-faults: " + what + ": refused with status: " + refused.getMessage());
                if (what.equals("binlog")) {
                    // the load fails at once with the reason (before: LoadCollection waited for its 60 s timeout)
                    assertThat(refused.getMessage()).contains("load failed", "CRC32C");
                }
                c2.close();
                return;
            }
            System.err.println("storage-faults: " + what + ": served " + got.size() + " rows");
            assertExactly(got, acked);
            c2.close();
        }
    }

    /** Waits until the index build finished (its file is final: a kill -9 before that would only make it build again). */
    private static void awaitIndexBuilt(StandaloneProcess s) throws Exception {
        for (int i = 0; i < 240 && !Files.readString(s.log()).contains("index build finished"); i++) {
            Thread.sleep(500);
        }
    }

    private static List<Path> files(Path data, String pathPart) throws IOException {
        try (Stream<Path> w = Files.walk(data)) {
            return w.filter(Files::isRegularFile).filter(p -> p.toString().contains(pathPart)).sorted().toList();
        }
    }

    /** Damages one file of kind {@code what}; returns it. */
    private static Path corrupt(Path data, String what, Random rnd) throws IOException {
        Path f = switch (what) {
            case "torn-wal", "wal" -> files(data, "/wal/").stream().filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
            case "torn-meta", "meta" -> files(data, "/meta/journal").getFirst();
            case "binlog" -> files(data, "/insert_log/").getLast(); // the highest field id: the vector field
            case "index" -> files(data, "/index_files/").getLast();
            default -> throw new IllegalArgumentException(what);
        };
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            long len = raf.length();
            if (what.startsWith("torn-")) {
                raf.seek(len); // a record whose header promises more bytes than were written before the crash
                raf.writeInt(4096);
                raf.writeInt(0x12345678);
                raf.write(new byte[100]);
                return f;
            }
            // past the file header, inside the data; in a log (WAL, meta journal) within its first half, so that a valid
            // record follows the flipped one (the 5-row insert after the 500 rows): a flip in the very last record is
            // indistinguishable from a torn write and is cut (the documented limit, docs/architecture.md "Failure
            // model"), which a random offset over the whole file hit at times
            double span = what.equals("wal") || what.equals("meta") ? 0.5 : 1.0;
            long off = 16 + (long) (rnd.nextDouble() * (len * span - 32));
            raf.seek(off);
            int b = raf.read();
            raf.seek(off);
            raf.write(b ^ (1 << rnd.nextInt(8)));
        }
        return f;
    }
}
